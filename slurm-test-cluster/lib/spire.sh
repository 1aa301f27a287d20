# SPIRE: server (trust domain hpcs.test, sqlite datastore) and the OIDC discovery provider.
# The spire-agents of the nodes are started by the node agents (agents.sh). Sourced by
# hpcs-cluster.

SPIRE_BIN_DIR=$STACK_BIN_DIR
SPIRE_HOME=$HPCS_STATE_DIR/spire
SPIRE_SERVER_PORT=8081
SPIRE_SERVER_SOCKET=$HPCS_RUN_DIR/spire-server/api.sock
SPIRE_SERVER_CONF=$SPIRE_HOME/server/server.conf
SPIRE_SERVER_PIDFILE=$HPCS_RUN_DIR/spire-server/spire-server.pid
SPIRE_SERVER_LOG=$HPCS_LOG_DIR/spire-server.log
SPIRE_BUNDLE=$SPIRE_HOME/bundle.pem
OIDC_PORT=8090
OIDC_URL=http://localhost:$OIDC_PORT
OIDC_CONF=$SPIRE_HOME/oidc/oidc-discovery-provider.conf
OIDC_PIDFILE=$HPCS_RUN_DIR/oidc-discovery-provider.pid
OIDC_LOG=$HPCS_LOG_DIR/oidc-discovery-provider.log

spire_agent_socket() { echo "$HPCS_RUN_DIR/spire-agent-$1/agent.sock"; }
spire_node_id() { echo "spiffe://$TRUST_DOMAIN/hpcs/node/$1"; }
# Files of the spire-agents that earlier stacks ran themselves (see agents.sh).
spire_agent_home() { echo "$SPIRE_HOME/agent-$1"; }
spire_agent_pidfile() { echo "$HPCS_RUN_DIR/spire-agent-$1/spire-agent.pid"; }

spire_server() {
  "$SPIRE_BIN_DIR/spire-server" "$1" "${@:2}" -socketPath "$SPIRE_SERVER_SOCKET"
}

spire_available() {
  [[ -x $SPIRE_BIN_DIR/spire-server && -x $SPIRE_BIN_DIR/spire-agent && -x $SPIRE_BIN_DIR/oidc-discovery-provider ]]
}

# --- server -------------------------------------------------------------------------------

spire_server_conf() {
  cat <<CONF
server {
  bind_address = "127.0.0.1"
  bind_port = "$SPIRE_SERVER_PORT"
  socket_path = "$SPIRE_SERVER_SOCKET"
  trust_domain = "$TRUST_DOMAIN"
  data_dir = "$SPIRE_HOME/server/data"
  log_level = "INFO"
  # The issuer of JWT-SVIDs; OpenBao checks it against the OIDC discovery document.
  jwt_issuer = "$OIDC_URL"
  default_x509_svid_ttl = "1h"
  default_jwt_svid_ttl = "5m"
  ca_subject {
    country = ["FI"]
    organization = ["HPCS test stack"]
  }
}

plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "sqlite3"
      connection_string = "$SPIRE_HOME/server/data/datastore.sqlite3"
    }
  }
  KeyManager "disk" {
    plugin_data {
      keys_path = "$SPIRE_HOME/server/data/keys.json"
    }
  }
  NodeAttestor "join_token" {
    plugin_data {}
  }
}
CONF
}

spire_server_healthy() {
  spire_server healthcheck >/dev/null 2>&1
}

spire_server_up() {
  install -d -m 0700 "$SPIRE_HOME/server" "$SPIRE_HOME/server/data"
  install -d -m 0755 "$(dirname "$SPIRE_SERVER_SOCKET")"
  spire_server_conf | write_if_changed "$SPIRE_SERVER_CONF" 0600 || true
  if ! pid_alive "$SPIRE_SERVER_PIDFILE" spire-server; then
    require_port_free spire-server "$SPIRE_SERVER_PORT"
    rm -f "$SPIRE_SERVER_SOCKET"
    info "starting spire-server on 127.0.0.1:$SPIRE_SERVER_PORT"
    start_daemon "$SPIRE_SERVER_PIDFILE" "$SPIRE_SERVER_LOG" \
      "$SPIRE_BIN_DIR/spire-server" run -config "$SPIRE_SERVER_CONF" ||
      fail spire-server "did not start; see $SPIRE_SERVER_LOG"
  fi
  wait_ready spire-server "$SPIRE_SERVER_LOG" "$READY_TIMEOUT" spire_server_healthy
  spire_server bundle show -format pem >"$SPIRE_BUNDLE.tmp" && mv -f "$SPIRE_BUNDLE.tmp" "$SPIRE_BUNDLE" ||
    fail spire-server "could not export the trust bundle; see $SPIRE_SERVER_LOG"
}

# --- agents -------------------------------------------------------------------------------

# The node agents (agents.sh) run the spire-agents; these helpers name their files and check them.

# The SPIFFE ID of the node's attested spire-agent. The HPCS server issues join tokens whose
# agent gets the alias spiffe://<td>/hpcs/spire-agent/<node>; of the agents behind that alias, the
# one with the latest SVID expiry is the node's current agent.
spire_agent_id() {
  local alias parents
  alias=spiffe://$TRUST_DOMAIN/hpcs/spire-agent/$1
  parents=$(spire_server entry show -spiffeID "$alias" -output json 2>/dev/null |
    jq -c '[.entries[]? | "spiffe://" + .parent_id.trust_domain + .parent_id.path]') || return 1
  spire_server agent list -output json 2>/dev/null |
    jq -r --argjson p "${parents:-[]}" '[.agents[]? | {id: ("spiffe://" + .id.trust_domain + .id.path),
      exp: (.x509svid_expires_at | tonumber? // 0)} | select(.id as $i | $p | index($i))]
      | sort_by(.exp) | last | .id // empty'
}

spire_agent_serves_node_svid() {
  "$SPIRE_BIN_DIR/spire-agent" api fetch x509 -socketPath "$(spire_agent_socket "$1")" \
    -output json 2>/dev/null | grep -qF "\"$(spire_node_id "$1")\""
}

# --- OIDC discovery provider --------------------------------------------------------------

oidc_conf() {
  cat <<CONF
log_level = "INFO"
domains = ["localhost", "127.0.0.1"]
insecure_addr = "127.0.0.1:$OIDC_PORT"
allow_insecure_scheme = true
jwt_issuer = "$OIDC_URL"
jwks_uri = "$OIDC_URL/keys"
server_api {
  address = "unix://$SPIRE_SERVER_SOCKET"
  poll_interval = "5s"
}
CONF
}

oidc_healthy() {
  curl -fsS --max-time 3 "$OIDC_URL/.well-known/openid-configuration" |
    jq -e --arg i "$OIDC_URL" '.issuer == $i' >/dev/null &&
    curl -fsS --max-time 3 "$OIDC_URL/keys" | jq -e '.keys | length > 0' >/dev/null
}

oidc_up() {
  install -d -m 0755 "$SPIRE_HOME/oidc"
  oidc_conf | write_if_changed "$OIDC_CONF" 0644 || true
  if ! pid_alive "$OIDC_PIDFILE" oidc-discovery-provider; then
    require_port_free oidc-discovery-provider "$OIDC_PORT"
    info "starting the SPIRE OIDC discovery provider on $OIDC_URL"
    start_daemon "$OIDC_PIDFILE" "$OIDC_LOG" "$SPIRE_BIN_DIR/oidc-discovery-provider" -config "$OIDC_CONF" ||
      fail oidc-discovery-provider "did not start; see $OIDC_LOG"
  fi
  wait_ready oidc-discovery-provider "$OIDC_LOG" "$READY_TIMEOUT" oidc_healthy
}

# --- component entry points ---------------------------------------------------------------

spire_up() {
  if ! spire_available; then
    [[ -n $(unavailable_reason spire) ]] || fail spire "no SPIRE binaries in $SPIRE_BUILD_BIN_DIR or $SPIRE_BIN_DIR; run slurm-test-cluster/bin/install-deps"
    info "SPIRE is not available, skipping it: $(unavailable_reason spire)"
    return
  fi
  spire_server_up
  oidc_up
}

spire_down() {
  stop_pidfile oidc-discovery-provider "$OIDC_PIDFILE" oidc-discovery-provider
  stop_pidfile spire-server "$SPIRE_SERVER_PIDFILE" spire-server
}

spire_status() {
  local rc=0
  if ! spire_available && [[ -n $(unavailable_reason spire) ]]; then
    report spire 1 "not available: $(unavailable_reason spire)"
    return
  fi
  report_check spire-server "127.0.0.1:$SPIRE_SERVER_PORT, $SPIRE_SERVER_SOCKET" \
    eval 'pid_alive "$SPIRE_SERVER_PIDFILE" spire-server && spire_server_healthy' || rc=1
  report_check oidc-discovery-provider "$OIDC_URL" \
    eval 'pid_alive "$OIDC_PIDFILE" oidc-discovery-provider && oidc_healthy' || rc=1
  return "$rc"
}

spire_logs() {
  echo "$SPIRE_SERVER_LOG"
  echo "$OIDC_LOG"
}
