# munged, on Debian's default socket so that plain sinfo/sbatch work. Sourced by hpcs-cluster.

MUNGE_PIDFILE=$HPCS_RUN_DIR/munge/munged.pid
MUNGE_LOG=$HPCS_LOG_DIR/munged.log
MUNGE_SOCKET=/run/munge/munge.socket.2

munge_healthy() {
  munge -n -S "$MUNGE_SOCKET" | unmunge -S "$MUNGE_SOCKET" >/dev/null
}

munge_up() {
  if pid_alive "$MUNGE_PIDFILE" munged && munge_healthy 2>/dev/null; then
    return
  fi
  if munge_healthy 2>/dev/null; then
    fail munge "another munged already serves $MUNGE_SOCKET (not started by this stack); stop it by its PID, then run 'hpcs-cluster up' again"
  fi
  [[ -s /etc/munge/munge.key ]] || {
    mungekey -c -f -k /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  }
  install -d -m 0755 -o munge -g munge /run/munge "$HPCS_RUN_DIR/munge"
  touch "$MUNGE_LOG" && chown munge:munge "$MUNGE_LOG"
  info "starting munged"
  runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PIDFILE" --log-file="$MUNGE_LOG" \
    </dev/null >>"$MUNGE_LOG" 2>&1 9>&- || fail munge "munged did not start; see $MUNGE_LOG"
  wait_ready munge "$MUNGE_LOG" "$READY_TIMEOUT" munge_healthy
}

munge_down() {
  stop_pidfile munged "$MUNGE_PIDFILE" munged
}

munge_status() {
  report_check munged "$MUNGE_SOCKET" eval 'pid_alive "$MUNGE_PIDFILE" munged && munge_healthy'
}

munge_logs() { echo "$MUNGE_LOG"; }
