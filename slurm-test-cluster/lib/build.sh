# Builds the parts of the checkout that `up` installs besides those of install-deps: the SPANK
# plugin and the packaged HPCS server and node agent. It builds only what is missing, and
# `make build` rebuilds everything. Sourced by hpcs-cluster.

build_up() {
  server_available || return 0
  if [[ ! -f $REPO/spank-shim/build/spank_hpcs.so ]]; then
    info "building the SPANK plugin: make -C spank-shim"
    make -C "$REPO/spank-shim" >/dev/null ||
      die "make -C $REPO/spank-shim failed; run it to see why"
  fi
  if [[ -z $(server_jar "$REPO/server/target") || ! -f $REPO/node-agent/target/hpcs-node-agent.jar ]]; then
    info "building the HPCS server and node agent: mvn -pl server,node-agent -am package -DskipTests"
    (cd "$REPO" && JAVA_HOME=$JAVA_HOME_DIR mvn -B -ntp -q -pl server,node-agent -am package -DskipTests) ||
      die "building the server and node agent in $REPO failed; run 'make build' there to see why"
  fi
}
