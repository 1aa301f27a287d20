# The HPCS server on https://localhost:8443, set up as docs/server.md describes: SQLite under
# /var/lib/hpcs-test/server, an X.509-SVID of spiffe://hpcs.test/hpcs/server minted by the SPIRE
# server as its TLS certificate, a periodic OpenBao token with the hpcs-admin policy, the SPIRE
# server's admin socket and Slurm job checks. Sourced by hpcs-cluster.

SERVER_PORT=8443
SERVER_URL=https://localhost:$SERVER_PORT
SERVER_HOME=$HPCS_STATE_DIR/server
SERVER_DIST=$SERVER_HOME/dist
SERVER_CONF=$SERVER_HOME/server.properties
SERVER_TLS=$SERVER_HOME/tls
SERVER_CA=$SERVER_TLS/ca.pem
SERVER_TOKEN_FILE=$SERVER_HOME/vault-token
# The test owner's manifest signing key: the server pins the first key each owner registers
# bundles with, so tests on the stack all sign with this one.
OWNER_SIGNING_KEY=$HPCS_STATE_DIR/owner/signing-key.pem
OWNER_SIGNING_PUBLIC_KEY=$HPCS_STATE_DIR/owner/signing-key.pub.pem
SERVER_SPIFFE_ID=spiffe://$TRUST_DOMAIN/hpcs/server
SERVER_PIDFILE=$HPCS_RUN_DIR/hpcs-server.pid
SERVER_LOG=$HPCS_LOG_DIR/hpcs-server.log
# The SVID is minted for 24 h (SPIRE caps it at its CA's remaining lifetime) and minted again
# by `up` once less than this many seconds are left.
SERVER_CERT_MIN_SECONDS=7200

server_jar() {
  ls "$1"/hpcs-server-*.jar 2>/dev/null | grep -v -e sources -e tests | head -n 1
}

# One SQLite file per set of schema scripts in the installed server: checkouts of different
# branches share the stack, and a server must never meet a schema that a newer or older server
# migrated. Switching servers therefore starts from an empty database (see agents.sh).
server_db_file() {
  local digest
  digest=$(unzip -p "$(server_jar "$SERVER_DIST")" 'db/sqlite/*' 2>/dev/null | sha256sum | cut -c1-12)
  echo "$SERVER_HOME/hpcs-$digest.db"
}

server_conf() {
  cat <<CONF
# Written by slurm-test-cluster/bin/hpcs-cluster; changes are overwritten on the next 'up'.
listen.host=127.0.0.1
listen.port=$SERVER_PORT
tls.certFile=$SERVER_TLS/server.crt
tls.keyFile=$SERVER_TLS/server.key
trustDomain=$TRUST_DOMAIN
db.url=jdbc:sqlite:$(server_db_file)
vault.addr=$BAO_ADDR
vault.tokenFile=$SERVER_TOKEN_FILE
vault.kvMount=$BAO_KV_MOUNT
vault.jwtMount=$BAO_JWT_MOUNT
vault.adminPolicy=hpcs-admin
spire.serverBin=$SPIRE_BIN_DIR/spire-server
spire.socketPath=$SPIRE_SERVER_SOCKET
slurm.verifyJobs=true
slurm.scontrol=/usr/bin/scontrol
slurm.conf=$SLURM_CONF
CONF
  devid_server_conf
}

# Copies the packaged server out of the checkout, so that a rebuild there never pulls classes
# from under the running server. Returns 0 when the installed copy changed.
server_install() {
  local jar changed=1
  jar=$(server_jar "$REPO/server/target")
  [[ -n $jar && -d $REPO/server/target/lib ]] ||
    fail hpcs-server "no packaged server in $REPO/server/target; run: make build"
  if [[ ! -d $SERVER_DIST ]] || ! diff -rq "$REPO/server/target/lib" "$SERVER_DIST/lib" >/dev/null 2>&1 ||
    ! cmp -s "$jar" "$SERVER_DIST/$(basename "$jar")" || ! cmp -s "$REPO/server/bin/hpcs-server" "$SERVER_DIST/hpcs-server"; then
    info "installing the HPCS server from $REPO/server/target"
    rm -rf "$SERVER_DIST.tmp"
    install -d -m 0755 "$SERVER_DIST.tmp/lib"
    cp -p "$jar" "$SERVER_DIST.tmp/"
    cp -p "$REPO"/server/target/lib/*.jar "$SERVER_DIST.tmp/lib/"
    install -m 0755 "$REPO/server/bin/hpcs-server" "$SERVER_DIST.tmp/hpcs-server"
    rm -rf "$SERVER_DIST"
    mv "$SERVER_DIST.tmp" "$SERVER_DIST"
    changed=0
  fi
  return "$changed"
}

server_cert_valid() {
  [[ -s $SERVER_TLS/server.crt && -s $SERVER_TLS/server.key ]] &&
    openssl x509 -in "$SERVER_TLS/server.crt" -noout -checkend "$SERVER_CERT_MIN_SECONDS" >/dev/null 2>&1 &&
    openssl verify -CAfile "$SPIRE_BUNDLE" "$SERVER_TLS/server.crt" >/dev/null 2>&1
}

# The server's TLS certificate is an X.509-SVID: node agents check its SPIFFE ID on mutual TLS,
# and the CA file (the SPIRE trust bundle) plus the host name localhost before they have an SVID.
# Returns 0 when a new certificate was minted.
server_tls() {
  local dir
  install -d -m 0700 "$SERVER_TLS"
  # The CA file follows the trust bundle, which gains a new CA before SPIRE rotates its CA.
  install -m 0644 "$SPIRE_BUNDLE" "$SERVER_CA.tmp" && mv -f "$SERVER_CA.tmp" "$SERVER_CA"
  server_cert_valid && return 1
  info "minting the server's X.509-SVID $SERVER_SPIFFE_ID (DNS localhost)"
  dir=$(mktemp -d "$SERVER_TLS/mint.XXXXXX")
  spire_server x509 mint -spiffeID "$SERVER_SPIFFE_ID" -dns localhost -ttl 24h -write "$dir" \
    >/dev/null 2>&1 || {
    rm -rf "$dir"
    fail hpcs-server "spire-server x509 mint for $SERVER_SPIFFE_ID failed; see $SPIRE_SERVER_LOG"
  }
  chmod 0600 "$dir/key.pem"
  mv -f "$dir/key.pem" "$SERVER_TLS/server.key"
  mv -f "$dir/svid.pem" "$SERVER_TLS/server.crt"
  rm -rf "$dir"
  return 0
}

server_token_valid() {
  [[ -s $SERVER_TOKEN_FILE ]] &&
    BAO_ADDR="$BAO_ADDR" HOME="$BAO_HOME" BAO_TOKEN="$(<"$SERVER_TOKEN_FILE")" "$BAO_BIN" \
      token lookup -format=json 2>/dev/null | jq -e '.data.policies | index("hpcs-admin")' >/dev/null
}

# A periodic orphan token with the hpcs-admin policy: the server renews it while it runs, so it
# does not expire with a login's maximum TTL. It is created with the root token, on standard
# output into a 0600 file, and never passed on a command line.
server_token() {
  server_token_valid && return
  info "creating the server's OpenBao token (policy hpcs-admin, period 24h)"
  (
    umask 077
    bao_root token create -policy=hpcs-admin -period=24h -orphan -display-name=hpcs-server \
      -field=token >"$SERVER_TOKEN_FILE.tmp" 2>>"$BAO_LOG" &&
      mv -f "$SERVER_TOKEN_FILE.tmp" "$SERVER_TOKEN_FILE"
  ) || fail hpcs-server "could not create its OpenBao token; see $BAO_LOG"
}

# The key pair in PEM: PKCS#8 private key (0600) and X.509 SubjectPublicKeyInfo public key.
server_owner_key() {
  [[ -s $OWNER_SIGNING_KEY && -s $OWNER_SIGNING_PUBLIC_KEY ]] && return
  install -d -m 0700 "$(dirname "$OWNER_SIGNING_KEY")"
  (
    umask 077
    openssl genpkey -algorithm ed25519 -out "$OWNER_SIGNING_KEY.tmp" 2>/dev/null &&
      openssl pkey -in "$OWNER_SIGNING_KEY.tmp" -pubout -out "$OWNER_SIGNING_PUBLIC_KEY" 2>/dev/null &&
      mv -f "$OWNER_SIGNING_KEY.tmp" "$OWNER_SIGNING_KEY"
  ) || fail hpcs-server "could not create the test owner's signing key $OWNER_SIGNING_KEY"
}

server_healthy() {
  curl -fsS --max-time 3 --cacert "$SERVER_CA" "$SERVER_URL/healthz" | jq -e '.status == "ok"' >/dev/null
}

server_available() {
  spire_available && bao_available
}

server_up() {
  local restart=0
  if ! server_available; then
    info "the HPCS server needs SPIRE and OpenBao; skipping it"
    return
  fi
  install -d -m 0700 "$SERVER_HOME"
  server_install && restart=1
  server_tls && restart=1
  server_token
  server_owner_key
  server_conf | write_if_changed "$SERVER_CONF" 0600 && restart=1
  if ((restart)) && pid_alive "$SERVER_PIDFILE" java; then
    info "the server's files changed: restarting the HPCS server"
    stop_pidfile hpcs-server "$SERVER_PIDFILE" java
  fi
  if ! pid_alive "$SERVER_PIDFILE" java; then
    require_port_free hpcs-server "$SERVER_PORT"
    info "starting the HPCS server on $SERVER_URL"
    start_daemon "$SERVER_PIDFILE" "$SERVER_LOG" env JAVA_HOME="$JAVA_HOME_DIR" \
      HPCS_SERVER_HOME="$SERVER_DIST" "$SERVER_DIST/hpcs-server" "$SERVER_CONF" ||
      fail hpcs-server "did not start; see $SERVER_LOG"
  fi
  wait_ready hpcs-server "$SERVER_LOG" "$READY_TIMEOUT" server_healthy
}

server_down() {
  stop_pidfile hpcs-server "$SERVER_PIDFILE" java
}

server_status() {
  if ! server_available; then
    report hpcs-server 1 "not available without SPIRE and OpenBao"
    return
  fi
  report_check hpcs-server "$SERVER_URL, $SERVER_HOME" \
    eval 'pid_alive "$SERVER_PIDFILE" java && server_healthy'
}

server_logs() { echo "$SERVER_LOG"; }

# Logs the stack's admin user in and prints the client token (for the server's admin API).
server_admin_token() {
  jq -n --rawfile p "$BAO_HOME/$BAO_ADMIN_USER.password" '{password: $p}' |
    curl -fsS --max-time 10 -X POST --data @- \
      "$BAO_ADDR/v1/auth/$BAO_USERPASS_MOUNT/login/$BAO_ADMIN_USER" | jq -r '.auth.client_token'
}

# Creates an HPCS join token for a node through POST /v1/admin/join-tokens, as an admin would,
# and writes it to a 0600 file. The admin's Vault token goes to curl on standard input.
server_join_token() {
  local node=$1 file=$2 admin
  admin=$(server_admin_token) && [[ -n $admin && $admin != null ]] ||
    fail "node-agent $node" "could not log in as the OpenBao user $BAO_ADMIN_USER; see $BAO_LOG"
  (
    umask 077
    printf 'header = "Authorization: Bearer %s"\n' "$admin" |
      curl -fsS --max-time 10 --cacert "$SERVER_CA" -K - -H 'Content-Type: application/json' \
        --data "{\"node\": \"$node\", \"ttlSeconds\": 3600}" "$SERVER_URL/v1/admin/join-tokens" |
      jq -j '.token' >"$file.tmp" && [[ -s $file.tmp ]] && mv -f "$file.tmp" "$file"
  ) || {
    rm -f "$file.tmp"
    fail "node-agent $node" "POST $SERVER_URL/v1/admin/join-tokens failed; see $SERVER_LOG"
  }
}
