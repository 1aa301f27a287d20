# OpenBao as production runs it: `bao server` with raft storage on 127.0.0.1:8200, one unseal
# key, KV v2, userpass users with a templated owner policy, and JWT auth that validates
# JWT-SVIDs through the SPIRE OIDC discovery provider. Sourced by hpcs-cluster.

BAO_BIN=$BUILD_DIR/bin/bao
BAO_ADDR=http://127.0.0.1:8200
BAO_PORT=8200
BAO_CLUSTER_PORT=8201
BAO_HOME=$HPCS_STATE_DIR/bao
BAO_CONF=$BAO_HOME/bao.hcl
BAO_ROOT_TOKEN_FILE=$BAO_HOME/root-token
BAO_UNSEAL_KEY_FILE=$BAO_HOME/unseal-key
BAO_PIDFILE=$HPCS_RUN_DIR/bao.pid
BAO_LOG=$HPCS_LOG_DIR/bao.log
BAO_KV_MOUNT=kv-hpcs
BAO_JWT_MOUNT=jwt
BAO_USERPASS_MOUNT=userpass
BAO_USERS=(owner alice bob)
BAO_ADMIN_USER=admin

bao_available() { [[ -x $BAO_BIN ]]; }

# The bao CLI without a token (status, init, unseal).
bao_cli() {
  env -u BAO_TOKEN -u VAULT_TOKEN BAO_ADDR="$BAO_ADDR" HOME="$BAO_HOME" "$BAO_BIN" "$@"
}

# The bao CLI with the root token, passed in the environment of this one call.
bao_root() {
  BAO_ADDR="$BAO_ADDR" HOME="$BAO_HOME" BAO_TOKEN="$(<"$BAO_ROOT_TOKEN_FILE")" "$BAO_BIN" "$@"
}

bao_conf() {
  cat <<CONF
ui = false
disable_mlock = true
api_addr = "$BAO_ADDR"
cluster_addr = "http://127.0.0.1:$BAO_CLUSTER_PORT"

storage "raft" {
  path = "$BAO_HOME/data"
  node_id = "hpcs-bao-1"
}

listener "tcp" {
  address = "127.0.0.1:$BAO_PORT"
  cluster_address = "127.0.0.1:$BAO_CLUSTER_PORT"
  tls_disable = true
}
CONF
}

bao_status_json() {
  bao_cli status -format=json 2>/dev/null || true
}

bao_responding() {
  bao_status_json | jq -e '.initialized != null' >/dev/null
}

bao_unsealed_and_active() {
  bao_status_json | jq -e '.sealed == false' >/dev/null &&
    bao_root token lookup -format=json >/dev/null 2>&1
}

# Initialises once with a single unseal key; root token and key go to 0600 files only.
bao_init() {
  local init_json=$BAO_HOME/.init.json
  bao_status_json | jq -e '.initialized == true' >/dev/null && return
  info "initialising OpenBao"
  (
    umask 077
    bao_cli operator init -key-shares=1 -key-threshold=1 -format=json >"$init_json" 2>>"$BAO_LOG" ||
      fail openbao "operator init failed; see $BAO_LOG"
    jq -j '.root_token' "$init_json" >"$BAO_ROOT_TOKEN_FILE"
    jq -j '.unseal_keys_b64[0]' "$init_json" >"$BAO_UNSEAL_KEY_FILE"
  ) || {
    rm -f "$init_json"
    exit 1
  }
  rm -f "$init_json"
}

bao_unseal() {
  bao_status_json | jq -e '.sealed == false' >/dev/null && return
  [[ -s $BAO_UNSEAL_KEY_FILE ]] ||
    fail openbao "sealed, and $BAO_UNSEAL_KEY_FILE is missing; run 'hpcs-cluster down --purge' to start with a new OpenBao"
  info "unsealing OpenBao"
  bao_cli write -format=json sys/unseal key=@"$BAO_UNSEAL_KEY_FILE" >/dev/null 2>>"$BAO_LOG" ||
    fail openbao "unseal failed; see $BAO_LOG"
}

bao_enable() {
  local kind=$1 path=$2
  shift 2
  if ! bao_root "$kind" list -format=json | jq -e --arg p "$path/" 'has($p)' >/dev/null; then
    info "OpenBao: enabling $kind engine at $path"
    bao_root "$kind" enable -path="$path" "$@" >/dev/null
  fi
}

# Each userpass user may create, read, update and delete secrets under
# kv-hpcs/{data,metadata}/owners/<own username>/ and nothing else.
bao_owner_policy() {
  local accessor=$1 who
  who="{{identity.entity.aliases.$accessor.name}}"
  cat <<POLICY
path "$BAO_KV_MOUNT/data/owners/$who/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "$BAO_KV_MOUNT/metadata/owners/$who/*" {
  capabilities = ["create", "read", "update", "delete"]
}
POLICY
}

# What the HPCS server needs to release keys per job: job policies and JWT roles, token
# lookups to learn who a caller is, and KV metadata to check that a bundle key exists.
bao_admin_policy() {
  cat <<POLICY
path "sys/policies/acl/hpcs-job-*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "sys/policies/acl" {
  capabilities = ["list"]
}
path "auth/$BAO_JWT_MOUNT/role/hpcs-job-*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "auth/$BAO_JWT_MOUNT/role" {
  capabilities = ["list"]
}
path "auth/token/lookup" {
  capabilities = ["update"]
}
path "sys/auth" {
  capabilities = ["read"]
}
path "$BAO_KV_MOUNT/metadata/owners/*" {
  capabilities = ["read", "list"]
}
POLICY
}

bao_user() {
  local user=$1 policy=$2
  ensure_secret_file "$BAO_HOME/$user.password"
  bao_root write auth/"$BAO_USERPASS_MOUNT"/users/"$user" password=@"$BAO_HOME/$user.password" \
    token_policies="$policy" token_ttl=1h token_max_ttl=24h >/dev/null
}

bao_configure() {
  local accessor user
  bao_enable secrets "$BAO_KV_MOUNT" -version=2 kv
  bao_enable auth "$BAO_USERPASS_MOUNT" userpass
  bao_enable auth "$BAO_JWT_MOUNT" jwt
  accessor=$(bao_root auth list -format=json | jq -r --arg p "$BAO_USERPASS_MOUNT/" '.[$p].accessor')
  bao_owner_policy "$accessor" | bao_root policy write hpcs-owner - >/dev/null
  bao_admin_policy | bao_root policy write hpcs-admin - >/dev/null
  for user in "${BAO_USERS[@]}"; do
    bao_user "$user" hpcs-owner
  done
  bao_user "$BAO_ADMIN_USER" hpcs-admin
  if spire_available; then
    bao_root write auth/"$BAO_JWT_MOUNT"/config oidc_discovery_url="$OIDC_URL" >/dev/null ||
      fail openbao "could not point JWT auth at $OIDC_URL; is the OIDC discovery provider up? see $BAO_LOG"
  fi
}

bao_up() {
  if ! bao_available; then
    [[ -n $(unavailable_reason openbao) ]] || fail openbao "no bao binary at $BAO_BIN; run slurm-test-cluster/bin/install-deps"
    info "OpenBao is not available, skipping it: $(unavailable_reason openbao)"
    return
  fi
  install -d -m 0700 "$BAO_HOME" "$BAO_HOME/data"
  bao_conf | write_if_changed "$BAO_CONF" 0600 || true
  if ! pid_alive "$BAO_PIDFILE" bao; then
    require_port_free openbao "$BAO_PORT"
    require_port_free openbao "$BAO_CLUSTER_PORT"
    info "starting OpenBao on $BAO_ADDR"
    start_daemon "$BAO_PIDFILE" "$BAO_LOG" "$BAO_BIN" server -config="$BAO_CONF" ||
      fail openbao "did not start; see $BAO_LOG"
  fi
  wait_ready openbao "$BAO_LOG" "$READY_TIMEOUT" bao_responding
  bao_init
  bao_unseal
  wait_ready openbao "$BAO_LOG" "$READY_TIMEOUT" bao_unsealed_and_active
  bao_configure
}

bao_down() {
  stop_pidfile openbao "$BAO_PIDFILE" bao
}

bao_status() {
  if ! bao_available && [[ -n $(unavailable_reason openbao) ]]; then
    report openbao 1 "not available: $(unavailable_reason openbao)"
    return
  fi
  report_check openbao "$BAO_ADDR, storage $BAO_HOME/data" \
    eval 'pid_alive "$BAO_PIDFILE" bao && bao_unsealed_and_active'
}

bao_logs() { echo "$BAO_LOG"; }
