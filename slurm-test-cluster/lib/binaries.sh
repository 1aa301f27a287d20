# SPIRE and OpenBao binaries of the running stack. `up` copies them from the checkout's
# build/ directory into the state directory, so the stack keeps working when that checkout
# goes away. Another checkout, even one without build/, can then run `up` or `status` on the
# same stack. Sourced by hpcs-cluster.

STACK_BIN_DIR=$HPCS_STATE_DIR/bin
SPIRE_BUILD_BIN_DIR=$BUILD_DIR/spire/bin
BAO_BUILD_BIN=$BUILD_DIR/bin/bao

# Copies one binary when the destination is missing, differs in size or is older. The copy
# is renamed into place, so a daemon that runs the old file keeps running.
install_binary() {
  local source=$1 target=$2
  [[ -x $source ]] || return 0
  if [[ ! -x $target || $(stat -c %s "$source") != $(stat -c %s "$target") || $source -nt $target ]]; then
    info "installing $(basename "$target") from $source"
    cp "$source" "$target.tmp"
    chmod 0755 "$target.tmp"
    mv -f "$target.tmp" "$target"
  fi
}

binaries_up() {
  local name
  install -d -m 0755 "$STACK_BIN_DIR"
  for name in spire-server spire-agent oidc-discovery-provider; do
    install_binary "$SPIRE_BUILD_BIN_DIR/$name" "$STACK_BIN_DIR/$name"
  done
  if [[ -e $BAO_BUILD_BIN ]]; then
    install_binary "$(readlink -f "$BAO_BUILD_BIN")" "$STACK_BIN_DIR/bao"
  fi
}
