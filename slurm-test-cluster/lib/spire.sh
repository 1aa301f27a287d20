# SPIRE: server (trust domain hpcs.test, sqlite datastore), one agent per node attested with
# a join token, a registration entry per node, and the OIDC discovery provider.
# Sourced by hpcs-cluster.

SPIRE_BIN_DIR=$BUILD_DIR/spire/bin
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

spire_agent_home() { echo "$SPIRE_HOME/agent-$1"; }
spire_agent_socket() { echo "$HPCS_RUN_DIR/spire-agent-$1/agent.sock"; }
spire_agent_pidfile() { echo "$HPCS_RUN_DIR/spire-agent-$1/spire-agent.pid"; }
spire_agent_log() { echo "$HPCS_LOG_DIR/spire-agent-$1.log"; }
spire_node_id() { echo "spiffe://$TRUST_DOMAIN/hpcs/node/$1"; }

spire_agent_id() {
  local file
  file=$(spire_agent_home "$1")/agent-id
  [[ -s $file ]] && cat "$file"
}

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

spire_agent_conf() {
  local node=$1 home token_line=""
  home=$(spire_agent_home "$node")
  [[ -s $home/join-token ]] && token_line="join_token_file = \"$home/join-token\""
  cat <<CONF
agent {
  data_dir = "$home/data"
  log_level = "INFO"
  server_address = "127.0.0.1"
  server_port = "$SPIRE_SERVER_PORT"
  socket_path = "$(spire_agent_socket "$node")"
  trust_bundle_path = "$SPIRE_BUNDLE"
  trust_domain = "$TRUST_DOMAIN"
  $token_line
}

plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "disk" {
    plugin_data {
      directory = "$home/data"
    }
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
CONF
}

# True when the agent has an attested SVID on disk that is valid for two more minutes.
spire_agent_cached_svid_valid() {
  local home
  home=$(spire_agent_home "$1")
  [[ -s $home/agent-id && -s $home/data/agent-data.json ]] || return 1
  jq -r '.svid[0] // empty' "$home/data/agent-data.json" | base64 -d 2>/dev/null |
    openssl x509 -inform der -noout -checkend 120 >/dev/null 2>&1
}

# Starts a node over: a fresh join token (0600 file, single use), an empty data dir, and the
# old agent (if any) evicted from the server.
spire_agent_bootstrap() {
  local node=$1 home old token
  home=$(spire_agent_home "$node")
  old=$(spire_agent_id "$node" || true)
  if [[ -n $old ]]; then
    spire_server agent evict -spiffeID "$old" >/dev/null 2>&1 || true
  fi
  rm -rf "$home/data" "$home/agent-id"
  install -d -m 0700 "$home/data"
  token=$(spire_server token generate -ttl 600 | sed -n 's/^Token: //p')
  [[ -n $token ]] || fail "spire-agent $node" "spire-server token generate gave no token; see $SPIRE_SERVER_LOG"
  (
    umask 077
    printf '%s' "$token" >"$home/join-token"
  )
  echo "spiffe://$TRUST_DOMAIN/spire/agent/join_token/$token" >"$home/agent-id"
  info "spire-agent $node: new join token issued"
}

spire_agent_healthy() {
  "$SPIRE_BIN_DIR/spire-agent" healthcheck -socketPath "$(spire_agent_socket "$1")" >/dev/null 2>&1
}

spire_agent_serves_node_svid() {
  "$SPIRE_BIN_DIR/spire-agent" api fetch x509 -socketPath "$(spire_agent_socket "$1")" \
    -output json 2>/dev/null | grep -qF "\"$(spire_node_id "$1")\""
}

spire_agent_start() {
  local node=$1 home
  home=$(spire_agent_home "$node")
  install -d -m 0700 "$home"
  install -d -m 0755 "$(dirname "$(spire_agent_socket "$node")")"
  rm -f "$(spire_agent_socket "$node")"
  spire_agent_conf "$node" | write_if_changed "$home/agent.conf" 0600 || true
  info "starting spire-agent $node"
  start_daemon "$(spire_agent_pidfile "$node")" "$(spire_agent_log "$node")" \
    "$SPIRE_BIN_DIR/spire-agent" run -config "$home/agent.conf" ||
    fail "spire-agent $node" "did not start; see $(spire_agent_log "$node")"
}

# Waits for the agent; an agent that came up from its cached SVID and fails is started over
# once with a new join token (its SVID may have been evicted or the server state reset).
spire_agent_up() {
  local node=$1 deadline
  pid_alive "$(spire_agent_pidfile "$node")" spire-agent && spire_agent_healthy "$node" && return
  stop_pidfile "spire-agent $node" "$(spire_agent_pidfile "$node")" spire-agent
  if spire_agent_cached_svid_valid "$node"; then
    spire_agent_start "$node"
    deadline=$((SECONDS + 20))
    until spire_agent_healthy "$node"; do
      if ((SECONDS >= deadline)) || ! pid_alive "$(spire_agent_pidfile "$node")" spire-agent; then
        info "spire-agent $node did not come up from its cached SVID; attesting it again"
        stop_pidfile "spire-agent $node" "$(spire_agent_pidfile "$node")" spire-agent
        spire_agent_bootstrap "$node"
        spire_agent_start "$node"
        break
      fi
      sleep 0.3
    done
  else
    spire_agent_bootstrap "$node"
    spire_agent_start "$node"
  fi
}

# One entry per node: spiffe://hpcs.test/hpcs/node/<node>, parent the node's agent, uid 0.
# Entries left from an earlier agent of the node are deleted; a second run creates nothing.
spire_register_node() {
  local node=$1 id parent entries stale
  id=$(spire_node_id "$node")
  parent=$(spire_agent_id "$node")
  entries=$(spire_server entry show -spiffeID "$id" -output json) ||
    fail "spire entries" "could not list the entries of $id; see $SPIRE_SERVER_LOG"
  stale=$(jq -r --arg p "$parent" '.entries[]? | select(("spiffe://" + .parent_id.trust_domain + .parent_id.path) != $p) | .id' <<<"$entries")
  for entry in $stale; do
    spire_server entry delete -entryID "$entry" >/dev/null
  done
  if ! jq -e --arg p "$parent" '[.entries[]? | select(("spiffe://" + .parent_id.trust_domain + .parent_id.path) == $p)] | length > 0' <<<"$entries" >/dev/null; then
    info "registering $id under $parent"
    spire_server entry create -parentID "$parent" -spiffeID "$id" -selector unix:uid:0 >/dev/null ||
      fail "spire entries" "could not create the entry $id; see $SPIRE_SERVER_LOG"
  fi
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
  local node
  if ! spire_available; then
    [[ -n $(unavailable_reason spire) ]] || fail spire "no SPIRE binaries in $SPIRE_BIN_DIR; run slurm-test-cluster/bin/install-deps"
    info "SPIRE is not available, skipping it: $(unavailable_reason spire)"
    return
  fi
  spire_server_up
  for node in "${NODES[@]}"; do
    spire_agent_up "$node"
  done
  for node in "${NODES[@]}"; do
    spire_register_node "$node"
  done
  for node in "${NODES[@]}"; do
    wait_ready "spire-agent $node" "$(spire_agent_log "$node")" "$READY_TIMEOUT" spire_agent_healthy "$node"
    rm -f "$(spire_agent_home "$node")/join-token"
    wait_ready "spire-agent $node" "$(spire_agent_log "$node")" "$READY_TIMEOUT" spire_agent_serves_node_svid "$node"
  done
  oidc_up
}

spire_down() {
  local node
  stop_pidfile oidc-discovery-provider "$OIDC_PIDFILE" oidc-discovery-provider
  for node in "${NODES[@]}"; do
    stop_pidfile "spire-agent $node" "$(spire_agent_pidfile "$node")" spire-agent
  done
  stop_pidfile spire-server "$SPIRE_SERVER_PIDFILE" spire-server
}

spire_status() {
  local node rc=0
  if ! spire_available && [[ -n $(unavailable_reason spire) ]]; then
    report spire 1 "not available: $(unavailable_reason spire)"
    return
  fi
  report_check spire-server "127.0.0.1:$SPIRE_SERVER_PORT, $SPIRE_SERVER_SOCKET" \
    eval 'pid_alive "$SPIRE_SERVER_PIDFILE" spire-server && spire_server_healthy' || rc=1
  for node in "${NODES[@]}"; do
    report_check "spire-agent $node" "$(spire_agent_socket "$node")" \
      eval 'pid_alive "$(spire_agent_pidfile "$node")" spire-agent && spire_agent_serves_node_svid "$node"' || rc=1
  done
  report_check oidc-discovery-provider "$OIDC_URL" \
    eval 'pid_alive "$OIDC_PIDFILE" oidc-discovery-provider && oidc_healthy' || rc=1
  return "$rc"
}

spire_logs() {
  local node
  echo "$SPIRE_SERVER_LOG"
  for node in "${NODES[@]}"; do
    spire_agent_log "$node"
  done
  echo "$OIDC_LOG"
}
