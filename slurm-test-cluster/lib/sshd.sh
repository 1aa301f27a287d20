# OpenSSH server on 127.0.0.1:2222 with its own host key and config; key-only logins of
# alice and bob. Sourced by hpcs-cluster.

SSH_PORT=2222
SSH_HOME=$HPCS_STATE_DIR/ssh
SSHD_CONFIG=$SSH_HOME/sshd_config
SSH_HOST_KEY=$SSH_HOME/host/ssh_host_ed25519_key
SSH_KNOWN_HOSTS=$SSH_HOME/known_hosts
SSHD_PIDFILE=$HPCS_RUN_DIR/sshd.pid
SSHD_LOG=$HPCS_LOG_DIR/sshd.log

ssh_user_key() { echo "$SSH_HOME/${1}_ed25519"; }

sshd_config() {
  cat <<CONF
# Written by slurm-test-cluster/bin/hpcs-cluster; changes are overwritten on the next 'up'.
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSH_HOST_KEY
PidFile $SSHD_PIDFILE
AuthorizedKeysFile $SSH_HOME/authorized_keys/%u
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $(echo "${CLUSTER_USERS[@]}")
UsePAM no
StrictModes yes
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel VERBOSE
CONF
}

sshd_keys() {
  local user key
  install -d -m 0755 "$SSH_HOME" "$SSH_HOME/authorized_keys"
  install -d -m 0700 "$SSH_HOME/host"
  [[ -f $SSH_HOST_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C "hpcs-test-host" -f "$SSH_HOST_KEY"
  for user in "${CLUSTER_USERS[@]}"; do
    key=$(ssh_user_key "$user")
    [[ -f $key ]] || ssh-keygen -q -t ed25519 -N '' -C "$user@hpcs-test" -f "$key"
    chmod 0600 "$key"
    write_if_changed "$SSH_HOME/authorized_keys/$user" 0644 <"$key.pub" || true
  done
  echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSH_HOST_KEY.pub")" |
    write_if_changed "$SSH_KNOWN_HOSTS" 0644 || true
}

sshd_login_works() {
  local user=${CLUSTER_USERS[0]}
  [[ $(ssh -F /dev/null -i "$(ssh_user_key "$user")" -p "$SSH_PORT" \
    -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$SSH_KNOWN_HOSTS" -o ConnectTimeout=5 \
    "$user@127.0.0.1" id -un 2>/dev/null) == "$user" ]]
}

sshd_up() {
  local changed=0
  sshd_keys
  sshd_config | write_if_changed "$SSHD_CONFIG" 0644 && changed=1
  if ((changed)) && pid_alive "$SSHD_PIDFILE" sshd; then
    info "sshd_config changed: restarting sshd"
    sshd_down
  fi
  if ! pid_alive "$SSHD_PIDFILE" sshd; then
    require_port_free sshd "$SSH_PORT"
    install -d -m 0755 /run/sshd
    /usr/sbin/sshd -t -f "$SSHD_CONFIG" >>"$SSHD_LOG" 2>&1 ||
      fail sshd "$SSHD_CONFIG is not valid; see $SSHD_LOG"
    info "starting sshd on 127.0.0.1:$SSH_PORT"
    /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG" </dev/null >>"$SSHD_LOG" 2>&1 9>&- ||
      fail sshd "sshd did not start; see $SSHD_LOG"
  fi
  wait_ready sshd "$SSHD_LOG" "$READY_TIMEOUT" sshd_login_works
}

sshd_down() {
  stop_pidfile sshd "$SSHD_PIDFILE" sshd
}

sshd_status() {
  report_check sshd "127.0.0.1:$SSH_PORT, key login of ${CLUSTER_USERS[0]}" \
    eval 'pid_alive "$SSHD_PIDFILE" sshd && sshd_login_works'
}

sshd_logs() { echo "$SSHD_LOG"; }
