# One software TPM (swtpm) per node, with an EK certificate from swtpm-localca.
# Sourced by hpcs-cluster.

SWTPM_STATE=$HPCS_STATE_DIR/tpm
SWTPM_RUN=$HPCS_RUN_DIR/swtpm
SWTPM_EK_CA_CERT=/var/lib/swtpm-localca/swtpm-localca-rootca-cert.pem
SWTPM_EK_ISSUER_CERT=/var/lib/swtpm-localca/issuercert.pem

swtpm_port() {
  echo $((2311 + 10 * ${1#n}))
}

swtpm_pidfile() { echo "$SWTPM_RUN/swtpm-$1.pid"; }
swtpm_log() { echo "$HPCS_LOG_DIR/swtpm-$1.log"; }

swtpm_ports_listening() {
  local port
  port=$(swtpm_port "$1")
  port_in_use "$port" && port_in_use $((port + 1))
}

# Manufactures the TPM once: EK and platform certificates written into its NV memory.
swtpm_manufacture() {
  local node=$1 dir=$SWTPM_STATE/$1
  [[ -f $dir/tpm2-00.permall ]] && return
  install -d -m 0700 "$dir"
  info "manufacturing the software TPM of $node (EK certificate)"
  swtpm_setup --tpm2 --tpmstate "$dir" --create-ek-cert --create-platform-cert --lock-nvram \
    --logfile "$(swtpm_log "$node")" </dev/null >>"$(swtpm_log "$node")" 2>&1 ||
    fail "swtpm $node" "swtpm_setup could not create the TPM state in $dir; see $(swtpm_log "$node")"
}

swtpm_start() {
  local node=$1 port
  port=$(swtpm_port "$node")
  pid_alive "$(swtpm_pidfile "$node")" swtpm && return
  require_port_free "swtpm $node" "$port"
  require_port_free "swtpm $node" $((port + 1))
  swtpm_manufacture "$node"
  info "starting swtpm $node on 127.0.0.1:$port"
  swtpm socket --tpm2 \
    --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
    --ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
    --tpmstate "dir=$SWTPM_STATE/$node" \
    --flags not-need-init,startup-clear \
    --pid "file=$(swtpm_pidfile "$node")" \
    --log "file=$(swtpm_log "$node"),level=1" \
    --daemon </dev/null >>"$(swtpm_log "$node")" 2>&1 9>&- ||
    fail "swtpm $node" "swtpm did not start; see $(swtpm_log "$node")"
}

# A TPM counts a stop without TPM2_Shutdown against its dictionary-attack limit once keys under
# that protection were used, and swtpm stops that way whether it is killed or ended by signal.
# After a few restarts the DevID key is locked (TPM_RC_LOCKOUT). The test TPMs have an empty
# lockout password, so each TPM this run started gets its lockout cleared before anyone uses it.
swtpm_clear_lockout() {
  local node=$1
  tpm2_dictionarylockout --clear-lockout -T "swtpm:host=127.0.0.1,port=$(swtpm_port "$node")" \
    >>"$(swtpm_log "$node")" 2>&1 ||
    fail "swtpm $node" "could not clear the dictionary-attack lockout of the TPM; see $(swtpm_log "$node")"
}

swtpm_up() {
  local node started=()
  install -d -m 0755 "$SWTPM_RUN"
  install -d -m 0755 "$SWTPM_STATE"
  for node in "${NODES[@]}"; do
    pid_alive "$(swtpm_pidfile "$node")" swtpm || started+=("$node")
    swtpm_start "$node"
  done
  for node in "${NODES[@]}"; do
    wait_ready "swtpm $node" "$(swtpm_log "$node")" "$READY_TIMEOUT" swtpm_ports_listening "$node"
  done
  for node in "${started[@]}"; do
    swtpm_clear_lockout "$node"
  done
}

swtpm_down() {
  local node
  for node in "${NODES[@]}"; do
    stop_pidfile "swtpm $node" "$(swtpm_pidfile "$node")" swtpm
  done
}

swtpm_status() {
  local node port rc=0
  for node in "${NODES[@]}"; do
    port=$(swtpm_port "$node")
    report_check "swtpm $node" "127.0.0.1:$port (ctrl $((port + 1))), $SWTPM_STATE/$node" \
      eval 'pid_alive "$(swtpm_pidfile "$node")" swtpm && swtpm_ports_listening "$node"' || rc=1
  done
  return "$rc"
}

swtpm_logs() {
  local node
  for node in "${NODES[@]}"; do
    swtpm_log "$node"
  done
}
