# Entry points for building, testing and running HPCS for Slurm on one machine.
# Each target installs what it needs when it is missing, so `make demo` and `make test`
# work alone on a fresh Debian 12 machine (run as root).

SHELL := /bin/bash
JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
export JAVA_HOME
MVN := mvn -B -ntp
CLUSTER := slurm-test-cluster/bin/hpcs-cluster
STACK_TEST := slurm-test-cluster/tests/stack-lifecycle

.PHONY: help deps build shim test unit-test stack-test demo cluster-up cluster-down \
	cluster-status cluster-logs bench format clean demo-image

help:
	@echo "make demo          bring up the local test cluster and run the demo job"
	@echo "make test          build, bring up the test cluster, run unit and integration tests,"
	@echo "                   then stack-test"
	@echo "make unit-test     build and run the unit tests only (no cluster needed)"
	@echo "make stack-test    start and stop the test cluster several times and check that down"
	@echo "                   leaves nothing running and a taken port fails up (75 to 90 s)"
	@echo "make build         compile everything and package the jars (no tests)"
	@echo "make deps          install the missing Debian packages, OpenBao and SPIRE"
	@echo "make demo-image    build the demo's container image (jp2a in a Debian SIF)"
	@echo "make cluster-up    build, then install and start the local secure-cluster stack"
	@echo "make cluster-down  stop the stack; leaves no process, mount or namespace behind"
	@echo "make cluster-status / cluster-logs   show the stack's state and logs"
	@echo "make bench         run the benchmarks and append results to docs/benchmarks.md"
	@echo "make format        reformat the Java sources with google-java-format"
	@echo "make clean         remove the build outputs"

deps:
	slurm-test-cluster/bin/install-deps

build: deps shim
	$(MVN) -DskipTests package

# The SPANK plugin is built only once its sources exist.
shim:
	@if [ -f spank-shim/Makefile ]; then $(MAKE) -C spank-shim; \
	else echo "shim: spank-shim/Makefile not present yet, skipping the SPANK plugin"; fi

unit-test: deps shim
	$(MVN) verify

# The node-side integration tests run the demo image, so it is built first. The stack check
# runs last because it stops the stack, and it leaves the stack down.
test: deps shim demo-image cluster-up
	$(MVN) verify -DskipITs=false
	$(STACK_TEST)

# Checks that the stack starts and stops cleanly, and leaves it down.
stack-test: build
	$(STACK_TEST)

demo: cluster-up
	slurm-test-cluster/bin/demo

demo-image: deps
	slurm-test-cluster/demo/build-image >/dev/null

# The stack runs the packaged HPCS server and node agent and the SPANK plugin of this checkout.
cluster-up: build
	$(CLUSTER) up

cluster-down:
	$(CLUSTER) down

cluster-status:
	$(CLUSTER) status

cluster-logs:
	$(CLUSTER) logs

bench: cluster-up
	bench/run-all

format:
	$(MVN) spotless:apply

clean:
	$(MVN) clean
	@if [ -f spank-shim/Makefile ]; then $(MAKE) -C spank-shim clean; fi
