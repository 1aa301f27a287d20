# Hardware-rooted enrolment with the tpm-devid attestor for the nodes in DEVID_NODES, set up as
# docs/admin-guide.md tells an admin: a site DevID CA, a DevID key created in each node's swtpm
# by the provisioning command, a DevID certificate for that key, and the EK allow-list. The
# HPCS server trusts the CA and the list (server.sh), and these nodes' agents enrol with
# tpm-devid (agents.sh). The other nodes keep the join-token attestor. Sourced by hpcs-cluster.

DEVID_NODES=(n3)
DEVID_HOME=$HPCS_STATE_DIR/devid
DEVID_CA_KEY=$DEVID_HOME/site-ca.key
DEVID_CA_CERT=$DEVID_HOME/site-ca.pem
DEVID_EK_ALLOW_LIST=$DEVID_HOME/ek-allow-list.txt
DEVID_HANDLE=0x81010002
DEVID_LOG=$HPCS_LOG_DIR/devid.log

devid_node() {
  local node
  for node in "${DEVID_NODES[@]}"; do
    [[ $node == "$1" ]] && return 0
  done
  return 1
}

devid_cert() { echo "$DEVID_HOME/devid-$1.pem"; }
devid_ek_file() { echo "$DEVID_HOME/ek-$1.sha256"; }
devid_tcti() { echo "swtpm:host=127.0.0.1,port=$(swtpm_port "$1")"; }

# The attestor lines of a node agent's config.
devid_agent_conf() {
  local node=$1
  if devid_node "$node"; then
    cat <<CONF
attestation = tpm-devid
attestor.tcti = $(devid_tcti "$node")
attestor.devid-handle = $DEVID_HANDLE
attestor.devid-cert = $(devid_cert "$node")
CONF
  else
    cat <<CONF
attestation = join-token
attestor.tokenFile = $(agent_token_file "$node")
CONF
  fi
}

# The server's tpm-devid settings.
devid_server_conf() {
  cat <<CONF
enrol.attestors=join-token,tpm-devid
attestor.tpm-devid.devid-ca=$DEVID_CA_CERT
attestor.tpm-devid.ek-allow-list=$DEVID_EK_ALLOW_LIST
CONF
}

devid_ca() {
  [[ -s $DEVID_CA_KEY && -s $DEVID_CA_CERT ]] && return 0
  info "creating the site DevID CA $DEVID_CA_CERT"
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$DEVID_CA_KEY.tmp" -out "$DEVID_CA_CERT.tmp" -days 3650 -sha256 \
      -subj "/O=HPCS test stack/CN=HPCS test site DevID CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      >>"$DEVID_LOG" 2>&1
  ) || fail devid "openssl could not create the site DevID CA; see $DEVID_LOG"
  chmod 0644 "$DEVID_CA_CERT.tmp"
  mv -f "$DEVID_CA_KEY.tmp" "$DEVID_CA_KEY"
  mv -f "$DEVID_CA_CERT.tmp" "$DEVID_CA_CERT"
}

# Returns 0 when the node's DevID certificate comes from the site CA and certifies the key at
# DEVID_HANDLE in the node's TPM, and the node's EK hash is recorded.
devid_current() {
  local node=$1 cert tpm_key rc=0
  cert=$(devid_cert "$node")
  [[ -s $cert && -s $(devid_ek_file "$node") ]] || return 1
  openssl verify -CAfile "$DEVID_CA_CERT" "$cert" >/dev/null 2>&1 || return 1
  tpm_key=$(mktemp "$DEVID_HOME/tpm-key.XXXXXX")
  tpm2_readpublic -T "$(devid_tcti "$node")" -c "$DEVID_HANDLE" -f pem -o "$tpm_key" \
    >/dev/null 2>&1 || rc=1
  if ((rc == 0)); then
    cmp -s <(openssl pkey -pubin -in "$tpm_key" -outform DER 2>/dev/null) \
      <(openssl x509 -in "$cert" -noout -pubkey | openssl pkey -pubin -outform DER 2>/dev/null) ||
      rc=1
  fi
  rm -f "$tpm_key"
  return "$rc"
}

# Creates the DevID key in the node's TPM with the provisioning command (replacing an older
# key), then issues its certificate from the site CA with the node name as CN and DNS name.
devid_provision() {
  local node=$1 public out ek csr_key csr ext
  public=$DEVID_HOME/devid-$node.pub.pem
  info "provisioning the DevID key of $node in its swtpm ($(devid_tcti "$node"), log: $DEVID_LOG)"
  out=$("$JAVA_HOME_DIR/bin/java" \
    -cp "$REPO/node-agent/target/hpcs-node-agent.jar:$REPO/node-agent/target/lib/*" \
    org.hpcs.attest.tpmdevid.ProvisionCommand --tcti "$(devid_tcti "$node")" \
    --handle "$DEVID_HANDLE" --public-key-out "$public" --force 2>>"$DEVID_LOG") ||
    fail devid "the provisioning command failed on $node; see $DEVID_LOG"
  echo "$out" >>"$DEVID_LOG"
  ek=$(sed -n 's/^ek-sha256: //p' <<<"$out")
  [[ $ek =~ ^[0-9a-f]{64}$ ]] || fail devid "the provisioning command printed no ek-sha256 for $node; see $DEVID_LOG"
  # openssl needs a request to issue from; -force_pubkey replaces its throwaway key with the
  # TPM's DevID key.
  csr_key=$(mktemp "$DEVID_HOME/csr-key.XXXXXX")
  csr=$(mktemp "$DEVID_HOME/csr.XXXXXX")
  ext=$(mktemp "$DEVID_HOME/ext.XXXXXX")
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:%s\n' \
    "$node" >"$ext"
  {
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$csr_key" \
      -subj "/O=HPCS test stack/CN=$node" -out "$csr" &&
      openssl x509 -req -in "$csr" -force_pubkey "$public" -CA "$DEVID_CA_CERT" \
        -CAkey "$DEVID_CA_KEY" -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
        -extfile "$ext" -out "$(devid_cert "$node").tmp"
  } >>"$DEVID_LOG" 2>&1 || {
    rm -f "$csr_key" "$csr" "$ext"
    fail devid "openssl could not issue the DevID certificate of $node; see $DEVID_LOG"
  }
  rm -f "$csr_key" "$csr" "$ext"
  chmod 0644 "$(devid_cert "$node").tmp"
  mv -f "$(devid_cert "$node").tmp" "$(devid_cert "$node")"
  echo "$ek" >"$(devid_ek_file "$node")"
}

devid_up() {
  local node
  install -d -m 0755 "$DEVID_HOME"
  install -d -m 0755 "$HPCS_LOG_DIR"
  devid_ca
  for node in "${DEVID_NODES[@]}"; do
    devid_current "$node" || devid_provision "$node"
  done
  for node in "${DEVID_NODES[@]}"; do
    echo "# EK of $node (SHA-256 of its SubjectPublicKeyInfo)"
    cat "$(devid_ek_file "$node")"
  done | write_if_changed "$DEVID_EK_ALLOW_LIST" 0644 || true
}

# The keys live in the TPMs, whose state `down --purge` deletes with the rest.
devid_down() { :; }

# Checks the files only: a TPM command here could collide with an agent that is enrolling,
# because swtpm serves one connection at a time. `up` checks the key in the TPM.
devid_files_present() {
  [[ -s $(devid_ek_file "$1") && -s $DEVID_EK_ALLOW_LIST ]] &&
    openssl verify -CAfile "$DEVID_CA_CERT" "$(devid_cert "$1")" >/dev/null 2>&1
}

devid_status() {
  local node rc=0
  for node in "${DEVID_NODES[@]}"; do
    report_check "tpm-devid $node" "$(devid_cert "$node"), key $DEVID_HANDLE in $(devid_tcti "$node")" \
      devid_files_present "$node" || rc=1
  done
  return "$rc"
}

devid_logs() { echo "$DEVID_LOG"; }
