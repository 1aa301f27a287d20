#!/usr/bin/env bash
# Runs the plugin's unit tests and the protocol fuzzer (both built with ASan and UBSan) and
# checks the hardening of the built plugin. Usage: tests/run-tests.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
status=0

"$build/test_units" || status=1
"$build/fuzz_proto" "${HPCS_FUZZ_ITERATIONS:-300000}" || status=1

so="$build/spank_hpcs.so"
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDRB]/ {sub(/@.*/, "", $3); print $3}' | sort)
unexpected=$(grep -Ev '^(slurm_spank_[a-z_]+|plugin_name|plugin_type|plugin_version)$' <<<"$exported" || true)
if [[ -n "$unexpected" ]]; then
  echo "FAIL: $so exports symbols beyond the SPANK hooks: $unexpected"; status=1
fi
readelf -lW "$so" | grep -q GNU_RELRO || { echo "FAIL: $so has no RELRO segment"; status=1; }
readelf -d "$so" | grep -q BIND_NOW || { echo "FAIL: $so is not linked with -z now"; status=1; }
readelf -lW "$so" | awk '/GNU_STACK/ && $7 ~ /E/ {exit 1}' || { echo "FAIL: $so has an executable stack"; status=1; }
if nm "$so" 2>/dev/null | grep -q .; then echo "FAIL: $so is not stripped"; status=1; fi
[[ $status -eq 0 ]] && echo "hardening checks: passed"
exit $status
