# Writes /run/hpcs-test/stack.env, the contract other code reads. Sourced by hpcs-cluster.

stack_env() {
  local node N
  cat <<ENV
# HPCS test stack, written by $REPO/slurm-test-cluster/bin/hpcs-cluster up on $(date -u +%Y-%m-%dT%H:%M:%SZ)
HPCS_TRUST_DOMAIN=$TRUST_DOMAIN
SLURM_CONF=$SLURM_CONF
SLURM_NODES=$(
    IFS=,
    echo "${NODES[*]}"
  )
SLURM_PARTITION=debug
SPIRE_SERVER_SOCKET=$SPIRE_SERVER_SOCKET
SPIRE_SERVER_ADDR=127.0.0.1:$SPIRE_SERVER_PORT
SPIRE_BIN_DIR=$SPIRE_BIN_DIR
SPIRE_BUNDLE=$SPIRE_BUNDLE
ENV
  for node in "${NODES[@]}"; do
    N=$(upper "$node")
    echo "SPIRE_AGENT_SOCKET_$N=$(spire_agent_socket "$node")"
    echo "SPIRE_AGENT_ID_$N=$(spire_agent_id "$node" || true)"
    echo "SPIRE_NODE_ID_$N=$(spire_node_id "$node")"
  done
  cat <<ENV
OIDC_DISCOVERY_URL=$OIDC_URL
BAO_ADDR=$BAO_ADDR
BAO_BIN=$BAO_BIN
BAO_ROOT_TOKEN_FILE=$BAO_ROOT_TOKEN_FILE
BAO_KV_MOUNT=$BAO_KV_MOUNT
BAO_JWT_MOUNT=$BAO_JWT_MOUNT
BAO_USERPASS_MOUNT=$BAO_USERPASS_MOUNT
BAO_USERS=$(
    IFS=,
    echo "${BAO_USERS[*]}"
  )
BAO_PASSWORD_DIR=$BAO_HOME
BAO_ADMIN_USER=$BAO_ADMIN_USER
SSH_HOST=127.0.0.1
SSH_PORT=$SSH_PORT
SSH_USERS=$(
    IFS=,
    echo "${CLUSTER_USERS[*]}"
  )
SSH_KEY_DIR=$SSH_HOME
SSH_KNOWN_HOSTS=$SSH_KNOWN_HOSTS
PG_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/hpcs
PG_USER=hpcs
PG_PASSWORD_FILE=$PG_PASSWORD_FILE
ENV
  for node in "${NODES[@]}"; do
    N=$(upper "$node")
    echo "SWTPM_$N=127.0.0.1:$(swtpm_port "$node")"
    echo "SWTPM_CTRL_$N=127.0.0.1:$(($(swtpm_port "$node") + 1))"
    echo "HPCS_AGENT_CONFIG_$N=$(agent_conf_file "$node")"
  done
  cat <<ENV
SWTPM_EK_CA_CERT=$SWTPM_EK_CA_CERT
SWTPM_EK_ISSUER_CERT=$SWTPM_EK_ISSUER_CERT
TPM_DEVID_NODES=$(
    IFS=,
    echo "${DEVID_NODES[*]}"
  )
TPM_DEVID_CA_CERT=$DEVID_CA_CERT
TPM_DEVID_EK_ALLOW_LIST=$DEVID_EK_ALLOW_LIST
TPM_DEVID_HANDLE=$DEVID_HANDLE
HPCS_SERVER_URL=$SERVER_URL
HPCS_SERVER_CA=$SERVER_CA
HPCS_SERVER_SPIFFE_ID=$SERVER_SPIFFE_ID
HPCS_OWNER_SIGNING_KEY=$OWNER_SIGNING_KEY
HPCS_OWNER_SIGNING_PUBLIC_KEY=$OWNER_SIGNING_PUBLIC_KEY
HPCS_STATE_DIR=$HPCS_STATE_DIR
HPCS_RUN_DIR=$HPCS_RUN_DIR
HPCS_LOG_DIR=$HPCS_LOG_DIR
HPCS_REPO=$REPO
ENV
  # Present only when a registry refused the component; tests that need it skip with this.
  local component reason
  for component in spire openbao; do
    reason=$(unavailable_reason "$component")
    [[ -n $reason ]] && echo "HPCS_UNAVAILABLE_$(upper "$component")='${reason//\'/\"}'"
  done
  return 0
}

envfile_up() {
  stack_env | write_if_changed "$STACK_ENV" 0644 || true
}

envfile_down() {
  rm -f "$STACK_ENV"
}
