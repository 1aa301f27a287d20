# The compute-node side of HPCS on n1 n2 n3, installed as docs/admin-guide.md tells an admin:
# node-agent/bin/install-node puts the SPANK plugin (required) into the plugin stack and starts
# one node agent per node. Each agent enrols at the HPCS server, with the tpm-devid attestor on
# the nodes in DEVID_NODES (devid.sh) and otherwise with the join-token attestor, using a token
# the stack created through the server's admin API, and then runs its node's spire-agent with
# the SPIRE join token the server returned. Sourced by hpcs-cluster.

AGENT_HOME=$HPCS_STATE_DIR/node-agent
AGENT_PLUGIN=/usr/lib/x86_64-linux-gnu/slurm-wlm/spank_hpcs.so
AGENT_PLUGSTACK=/etc/slurm/plugstack.conf.d/hpcs.conf
AGENT_LAUNCHER=/usr/sbin/hpcs-node-agent

agent_source_conf() { echo "$AGENT_HOME/node-agent-$1.conf"; }
agent_conf_file() { echo "/etc/hpcs/node-agent-$1.conf"; }
agent_state_dir() { echo "$AGENT_HOME/$1"; }
agent_socket() { echo "/run/hpcs/$1/agent.sock"; }
agent_pidfile() { echo "/run/hpcs/$1/agent.pid"; }
agent_log() { echo "$(agent_state_dir "$1")/agent.log"; }
agent_spire_log() { echo "$(agent_state_dir "$1")/spire-agent.log"; }
agent_token_file() { echo "$AGENT_HOME/join-token-$1"; }
agent_spire_conf() { echo "$AGENT_HOME/spire-agent-$1.conf"; }
agent_spire_data() { echo "$SPIRE_HOME/node-$1/data"; }

agent_conf() {
  local node=$1
  cat <<CONF
# Node agent of $node, written by slurm-test-cluster/bin/hpcs-cluster and installed to
# $(agent_conf_file "$node") by node-agent/bin/install-node.
node = $node
socket = $(agent_socket "$node")
state-dir = $(agent_state_dir "$node")
pid-file = $(agent_pidfile "$node")
slurm.conf = $SLURM_CONF
reaper.interval-seconds = 5
$(devid_agent_conf "$node")
trust-domain = $TRUST_DOMAIN
server.url = $SERVER_URL
server.ca-file = $SERVER_CA
server.spiffe-id = $SERVER_SPIFFE_ID
spire.agent.binary = $SPIRE_BIN_DIR/spire-agent
spire.agent.config = $(agent_spire_conf "$node")
runtime = bwrap
CONF
}

# The node's spire-agent, started by the node agent. It sets no join token: the node agent
# passes the one the HPCS server issued, and later restarts reuse the SVID in data_dir.
agent_spire_agent_conf() {
  local node=$1 data
  data=$(agent_spire_data "$node")
  cat <<CONF
agent {
  data_dir = "$data"
  log_level = "INFO"
  server_address = "127.0.0.1"
  server_port = "$SPIRE_SERVER_PORT"
  socket_path = "$(spire_agent_socket "$node")"
  trust_bundle_path = "$SPIRE_BUNDLE"
  trust_domain = "$TRUST_DOMAIN"
}

plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "disk" {
    plugin_data {
      directory = "$data"
    }
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
CONF
}

agent_running() {
  local pid
  pid=$(pid_of "$(agent_pidfile "$1")") && [[ -n $pid ]] && proc_running "$pid" &&
    grep -qa hpcs-node-agent "/proc/$pid/cmdline" && [[ -S $(agent_socket "$1") ]]
}

agent_healthy() {
  agent_running "$1" && spire_agent_serves_node_svid "$1"
}

# Earlier stacks ran the spire-agents themselves, attested with tokens from
# `spire-server token generate`. Such an agent is stopped and evicted, and its entries and data
# are deleted, so that only the agent the node agent enrolled serves the node's SVID.
agent_retire_stack_spire_agent() {
  local node=$1 home old entries entry
  home=$(spire_agent_home "$node")
  [[ -d $home ]] || return 0
  info "retiring the spire-agent of $node that the stack started itself"
  [[ -L $(spire_agent_pidfile "$node") ]] ||
    stop_pidfile "spire-agent $node" "$(spire_agent_pidfile "$node")" spire-agent
  old=$( [[ -s $home/agent-id ]] && cat "$home/agent-id")
  if [[ -n $old ]]; then
    spire_server agent evict -spiffeID "$old" >/dev/null 2>&1 || true
    entries=$(spire_server entry show -parentID "$old" -output json 2>/dev/null | jq -r '.entries[]?.id')
    for entry in $entries; do
      spire_server entry delete -entryID "$entry" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$home"
}

# Fingerprint of what slurmd loads at start: the plugin and its plugstack line.
agent_slurm_fingerprint() {
  cat "$AGENT_PLUGIN" "$AGENT_PLUGSTACK" 2>/dev/null | sha256sum | cut -d' ' -f1
}

agent_install() {
  local node=$1 log=$HPCS_LOG_DIR/install-node.log
  install -d -m 0700 "$AGENT_HOME"
  install -d -m 0755 "$(dirname "$(spire_agent_socket "$node")")"
  install -d -m 0700 "$(agent_spire_data "$node")"
  agent_spire_agent_conf "$node" | write_if_changed "$(agent_spire_conf "$node")" 0600 || true
  agent_conf "$node" | write_if_changed "$(agent_source_conf "$node")" 0600 || true
  # A fresh token each time: the agent needs one whenever its spire-agent cannot start from the
  # SVID it saved, and an unused token expires after an hour. tpm-devid nodes need none.
  devid_node "$node" || server_join_token "$node" "$(agent_token_file "$node")"
  if agent_running "$node" && ! spire_agent_serves_node_svid "$node"; then
    # The node's SPIRE entry is gone (for example deleted by hand): enrolling again makes the
    # server create it anew.
    info "the spire-agent of $node serves no $(spire_node_id "$node"); enrolling $node again"
    agent_reenrol "$node"
  elif [[ $(cat "$(agent_enrolled_db "$node")" 2>/dev/null) != "$(agent_enrolment_marker "$node")" ]]; then
    # The server runs on another database than the one the node enrolled in, so it does not
    # know the node, or the node now enrols with another attestor.
    info "the HPCS server's database or the attestor of $node changed since it enrolled; enrolling $node again"
    agent_reenrol "$node"
  fi
  if ! agent_running "$node"; then
    rm -f "$(spire_agent_socket "$node")"
  fi
  info "installing the node agent of $node with node-agent/bin/install-node (log: $log)"
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) install-node --node $node" >>"$log"
  # fd 9 holds the stack's lock; the agent that install-node starts must not inherit it.
  JAVA_HOME=$JAVA_HOME_DIR "$REPO/node-agent/bin/install-node" --node "$node" \
    --config "$(agent_source_conf "$node")" >>"$log" 2>&1 9>&- ||
    fail "node-agent $node" "install-node failed; see $log and $(agent_log "$node")"
  agent_link_spire_pidfile "$node"
  agent_enrolment_marker "$node" >"$(agent_enrolled_db "$node")"
}

agent_enrolled_db() { echo "$AGENT_HOME/enrolled-db-$1"; }

# Prints what the node's enrolment depends on: the server's database and the node's attestor.
agent_enrolment_marker() {
  local attestor=join-token
  devid_node "$1" && attestor=tpm-devid
  echo "$(server_db_file) $attestor"
}

# Stops the node agent and drops its enrolment marker, so that it enrols with a fresh token when
# install-node starts it again.
agent_reenrol() {
  local node=$1
  if agent_running "$node"; then
    "$AGENT_LAUNCHER" --config "$(agent_conf_file "$node")" stop >/dev/null 9>&- || true
  fi
  rm -f "$(agent_state_dir "$node")/spire-agent.enrolled"
}

# Checkouts from before the node agents ran the spire-agents check the agent's PID file at the
# stack's old place in `hpcs-cluster status`; a link to the node agent's PID file keeps their
# status, and so their test harness, from seeing the stack as down.
agent_link_spire_pidfile() {
  local node=$1 link
  link=$(spire_agent_pidfile "$node")
  install -d -m 0755 "$(dirname "$link")"
  ln -sfn "$(agent_state_dir "$node")/spire-agent.pid" "$link"
}

agents_available() {
  server_available
}

agents_up() {
  local node before
  if ! agents_available; then
    info "the node agents need SPIRE and OpenBao; skipping them"
    return
  fi
  before=$(agent_slurm_fingerprint)
  for node in "${NODES[@]}"; do
    agent_retire_stack_spire_agent "$node"
    agent_install "$node"
  done
  for node in "${NODES[@]}"; do
    wait_ready "node-agent $node" "$(agent_log "$node") and $(agent_spire_log "$node")" \
      "$READY_TIMEOUT" agent_healthy "$node"
  done
  # slurmd reads the plugin stack only when it starts; slurmstepd reads it for every step.
  if [[ $(agent_slurm_fingerprint) != "$before" ]]; then
    info "the SPANK plugin or its plugstack line changed: restarting the slurmd daemons"
    slurm_restart_slurmds
  fi
}

agents_down() {
  local node
  [[ -x $AGENT_LAUNCHER ]] || return 0
  for node in "${NODES[@]}"; do
    [[ -f $(agent_conf_file "$node") ]] || continue
    if agent_running "$node"; then
      info "stopping the node agent of $node and its spire-agent"
      "$AGENT_LAUNCHER" --config "$(agent_conf_file "$node")" stop >/dev/null ||
        echo "hpcs-cluster: warning: the node agent of $node did not stop; see $(agent_log "$node")" >&2
    fi
    # The node agent stops its spire-agent when it exits; one left by a killed agent goes too.
    stop_pidfile "spire-agent $node" "$(agent_state_dir "$node")/spire-agent.pid" spire-agent
  done
}

agents_status() {
  local node rc=0
  if ! agents_available; then
    report node-agents 1 "not available without SPIRE and OpenBao"
    return
  fi
  for node in "${NODES[@]}"; do
    report_check "node-agent $node" "$(agent_socket "$node"), SVID $(spire_node_id "$node")" \
      agent_healthy "$node" || rc=1
  done
  return "$rc"
}

agents_logs() {
  local node
  echo "$HPCS_LOG_DIR/install-node.log"
  for node in "${NODES[@]}"; do
    agent_log "$node"
    agent_spire_log "$node"
  done
}
