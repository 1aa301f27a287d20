# Slurm: slurmctld and one slurmd per node (n1 n2 n3) on loopback, one port per node.
# Sourced by hpcs-cluster.

SLURM_CONF=/etc/slurm/slurm.conf
SLURM_RUN=$HPCS_RUN_DIR/slurm
SLURM_STATE=$HPCS_STATE_DIR/slurm
SLURM_LOGS=$HPCS_LOG_DIR/slurm
SLURMCTLD_PORT=6817
SLURMCTLD_PIDFILE=$SLURM_RUN/slurmctld.pid
SLURMCTLD_LOG=$SLURM_LOGS/slurmctld.log

slurmd_port() {
  echo $((6830 + ${1#n}))
}

slurmd_pidfile() { echo "$SLURM_RUN/slurmd-$1.pid"; }
slurmd_log() { echo "$SLURM_LOGS/slurmd-$1.log"; }

slurm_conf() {
  local host node
  host=$(hostname -s)
  cat <<CONF
# Written by slurm-test-cluster/bin/hpcs-cluster; changes are overwritten on the next 'up'.
ClusterName=hpcs-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$SLURMCTLD_PORT
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Every node claims 4 CPUs whatever the machine has, so several steps can run at once.
SlurmdParameters=config_overrides
# Bind every daemon to loopback instead of all addresses.
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
PlugStackConfig=/etc/slurm/plugstack.conf
# Run the job prolog (and so the SPANK job prolog and epilog) on every node of an allocation
# when the job starts, so that each node agent sees the start and end of every job on its node.
PrologFlags=Alloc
StateSaveLocation=$SLURM_STATE/ctld
SlurmdSpoolDir=$SLURM_STATE/%n
SlurmctldPidFile=$SLURMCTLD_PIDFILE
SlurmdPidFile=$SLURM_RUN/slurmd-%n.pid
SlurmctldLogFile=$SLURMCTLD_LOG
SlurmdLogFile=$SLURM_LOGS/slurmd-%n.log
CONF
  for node in "${NODES[@]}"; do
    echo "NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 Port=$(slurmd_port "$node") CPUs=4 RealMemory=2000 State=UNKNOWN"
  done
  echo "PartitionName=debug Nodes=$(
    IFS=,
    echo "${NODES[*]}"
  ) Default=YES MaxTime=INFINITE State=UP"
}

slurmctld_healthy() {
  scontrol ping 2>/dev/null | grep -q 'is UP'
}

# Asks slurmctld only when it answers: client commands wait about 9 s for a missing one.
slurm_node_state() {
  [[ -S /run/munge/munge.socket.2 ]] && pid_alive "$SLURMCTLD_PIDFILE" slurmctld || return 0
  sinfo -h -N -n "$1" -o %T 2>/dev/null | head -n 1
}

slurm_node_usable() {
  [[ $(slurm_node_state "$1") =~ ^(idle|mixed|allocated|completing)$ ]]
}

slurm_node_responding() {
  local state
  state=$(slurm_node_state "$1")
  [[ -n $state && $state != *'*' && $state != unknown* ]]
}

slurm_write_config() {
  install -d -m 0755 /etc/slurm
  [[ -f /etc/slurm/plugstack.conf ]] ||
    echo 'include /etc/slurm/plugstack.conf.d/*.conf' >/etc/slurm/plugstack.conf
  install -d -m 0755 /etc/slurm/plugstack.conf.d
  slurm_conf | write_if_changed "$SLURM_CONF" 0644
}

slurm_start_ctld() {
  pid_alive "$SLURMCTLD_PIDFILE" slurmctld && return
  require_port_free slurmctld "$SLURMCTLD_PORT"
  info "starting slurmctld"
  /usr/sbin/slurmctld -i -f "$SLURM_CONF" </dev/null >>"$SLURMCTLD_LOG" 2>&1 9>&- ||
    fail slurmctld "slurmctld did not start; see $SLURMCTLD_LOG"
}

slurm_start_slurmd() {
  local node=$1 log
  log=$(slurmd_log "$node")
  pid_alive "$(slurmd_pidfile "$node")" slurmd && return
  require_port_free "slurmd $node" "$(slurmd_port "$node")"
  install -d -m 0755 "$SLURM_STATE/$node"
  info "starting slurmd $node"
  /usr/sbin/slurmd -N "$node" -f "$SLURM_CONF" </dev/null >>"$log" 2>&1 9>&- ||
    fail "slurmd $node" "slurmd did not start; see $log"
}

# Drained or down nodes (for example after a failed prolog) are put back into service.
slurm_resume_node() {
  local node=$1 state
  state=$(slurm_node_state "$node")
  if [[ $state == drain* || $state == down || $state == *drain* ]]; then
    info "resuming node $node (state $state)"
    scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
  fi
}

slurm_up() {
  local node changed=0
  install -d -m 0755 -o slurm -g slurm "$SLURM_RUN" "$SLURM_LOGS" "$SLURM_STATE/ctld"
  slurm_write_config && changed=1
  if ((changed)) && pid_alive "$SLURMCTLD_PIDFILE" slurmctld; then
    info "slurm.conf changed: restarting the Slurm daemons"
    slurm_down
  fi
  slurm_start_ctld
  wait_ready slurmctld "$SLURMCTLD_LOG" "$READY_TIMEOUT" slurmctld_healthy
  for node in "${NODES[@]}"; do
    slurm_start_slurmd "$node"
  done
  slurm_await_nodes
}

slurm_await_nodes() {
  local node
  for node in "${NODES[@]}"; do
    wait_ready "slurmd $node" "$(slurmd_log "$node")" "$READY_TIMEOUT" slurm_node_responding "$node"
    slurm_resume_node "$node"
    wait_ready "slurmd $node" "$(slurmd_log "$node")" "$READY_TIMEOUT" slurm_node_usable "$node"
  done
}

# Restarts every slurmd, for example to load a new SPANK plugin into the job prolog and epilog.
slurm_restart_slurmds() {
  local node
  for node in "${NODES[@]}"; do
    stop_pidfile "slurmd $node" "$(slurmd_pidfile "$node")" slurmd
  done
  for node in "${NODES[@]}"; do
    slurm_start_slurmd "$node"
  done
  slurm_await_nodes
}

slurm_down() {
  local node
  for node in "${NODES[@]}"; do
    stop_pidfile "slurmd $node" "$(slurmd_pidfile "$node")" slurmd
  done
  stop_pidfile slurmctld "$SLURMCTLD_PIDFILE" slurmctld
}

slurm_status() {
  local node rc=0
  report_check slurmctld "127.0.0.1:$SLURMCTLD_PORT, $SLURM_CONF" \
    eval 'pid_alive "$SLURMCTLD_PIDFILE" slurmctld && slurmctld_healthy' || rc=1
  for node in "${NODES[@]}"; do
    report_check "slurmd $node" "127.0.0.1:$(slurmd_port "$node"), state $(slurm_node_state "$node")" \
      eval 'pid_alive "$(slurmd_pidfile "$node")" slurmd && slurm_node_usable "$node"' || rc=1
  done
  return "$rc"
}

slurm_logs() {
  local node
  echo "$SLURMCTLD_LOG"
  for node in "${NODES[@]}"; do
    slurmd_log "$node"
  done
}

# Jobs still queued or running when the stack goes down are cancelled, so that no job
# step outlives its slurmd.
slurm_cancel_jobs() {
  local jobs i
  pid_alive "$SLURMCTLD_PIDFILE" slurmctld && slurmctld_healthy || return 0
  jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
  [[ -n ${jobs// /} ]] || return 0
  info "cancelling jobs $jobs"
  # shellcheck disable=SC2086
  scancel $jobs 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    [[ -z $(squeue -h -o %i 2>/dev/null) ]] && return 0
    sleep 0.1
  done
}

# slurmstepd processes outlive a stopped slurmd; those of this stack's jobs are stopped by
# PID (only this stack runs Slurm daemons on the machine). A process's exe link names the
# resolved binary, and Debian installs slurmstepd as an alternatives link to slurmstepd-wlm.
slurm_stop_orphan_steps() {
  local proc pid stepd
  stepd=$(readlink -f /usr/sbin/slurmstepd)
  for proc in /proc/[0-9]*; do
    [[ $(readlink "$proc/exe" 2>/dev/null) == "$stepd" ]] || continue
    pid=${proc#/proc/}
    info "stopping leftover slurmstepd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
  done
}
