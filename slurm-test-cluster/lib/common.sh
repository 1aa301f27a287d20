# Shared settings and helpers of hpcs-cluster. Sourced, not run.

HPCS_STATE_DIR=/var/lib/hpcs-test
HPCS_RUN_DIR=/run/hpcs-test
HPCS_LOG_DIR=/var/log/hpcs-test
STACK_ENV=$HPCS_RUN_DIR/stack.env
# The checkout whose `up` ran last; the JUnit harness runs `up` from there, like HPCS_REPO.
STACK_REPO_FILE=$HPCS_RUN_DIR/repo
TRUST_DOMAIN=hpcs.test
NODES=(n1 n2 n3)
CLUSTER_USERS=(alice bob)
BUILD_DIR=$REPO/build
UNAVAILABLE_DIR=$BUILD_DIR/unavailable

JAVA_HOME_DIR=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

# Seconds each component may take to become ready before `up` gives up on it.
READY_TIMEOUT=${HPCS_READY_TIMEOUT:-60}

info() { echo "hpcs-cluster: $*"; }

die() {
  echo "hpcs-cluster: error: $*" >&2
  exit 1
}

# Stops `up` with a message that names the component, what went wrong and its log.
fail() {
  local component=$1
  shift
  echo "hpcs-cluster: error: $component: $*" >&2
  exit 1
}

# Why a component cannot run here (set by install-deps when a registry refused it), or "".
unavailable_reason() {
  local file=$UNAVAILABLE_DIR/$1
  [[ -f $file ]] && tr '\n' ' ' <"$file"
  return 0
}

pid_of() {
  local pidfile=$1
  [[ -s $pidfile ]] && head -n 1 "$pidfile" | tr -dc '0-9'
}

# True when the PID file names a live process whose executable has the given base name
# (or that name plus a suffix: Debian installs slurmctld as slurmctld-wlm), so that a stale
# PID file never makes us signal an unrelated process that reused the PID.
pid_alive() {
  local pidfile=$1 exe=$2 pid
  pid=$(pid_of "$pidfile") || return 1
  [[ -n $pid ]] && proc_running "$pid" || return 1
  [[ $(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)") == "$exe"* ]]
}

# True while the process exists and is not a zombie (PID 1 may reap exited daemons late).
proc_running() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# Sends TERM to the process in the PID file, waits, then KILL; removes the PID file.
stop_pidfile() {
  local name=$1 pidfile=$2 exe=$3 pid i
  if pid_alive "$pidfile" "$exe"; then
    pid=$(pid_of "$pidfile")
    info "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      proc_running "$pid" || break
      sleep 0.1
    done
    if proc_running "$pid"; then
      info "$name (pid $pid) ignored TERM for 10 s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

# Starts a foreground daemon detached from our session, output appended to its log and
# its PID (after setsid, so the PID that is signalled is the daemon itself) in pidfile.
start_daemon() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  return 1
}

port_in_use() {
  ss -Hltn "sport = :$1" | grep -q .
}

port_holder() {
  ss -Hltnp "sport = :$1" | grep -o 'users:(([^)]*))' | head -n 1
}

# Fails the component when a port it needs is already taken by someone else.
require_port_free() {
  local component=$1 port=$2
  if port_in_use "$port"; then
    fail "$component" "port $port is already in use ($(port_holder "$port")); stop that process or free the port, then run 'hpcs-cluster up' again"
  fi
}

# Polls a check command until it succeeds; on time-out fails naming the component and log.
wait_ready() {
  local component=$1 logfile=$2 timeout=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      fail "$component" "not ready after ${timeout}s (check: $*); see $logfile"
    fi
    sleep 0.3
  done
}

# Writes stdin to a file with the given mode and owner only when the content changed.
# Returns 0 when the file was (re)written, 1 when it was already up to date.
write_if_changed() {
  local file=$1 mode=$2 owner=${3:-root:root} tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$file"
  return 0
}

# Creates a random secret file (0600, root) unless it exists; prints nothing.
ensure_secret_file() {
  local file=$1
  [[ -s $file ]] && return 0
  (
    umask 077
    openssl rand -hex 24 | tr -d '\n' >"$file.tmp"
    mv -f "$file.tmp" "$file"
  )
}

upper() { tr '[:lower:]' '[:upper:]' <<<"$1"; }

make_stack_dirs() {
  install -d -m 0755 "$HPCS_STATE_DIR" "$HPCS_RUN_DIR" "$HPCS_LOG_DIR"
}

# One line of `hpcs-cluster status`: component, up/DOWN, detail. Returns 0 when up.
report() {
  local name=$1 healthy=$2 detail=${3:-}
  if ((healthy)); then
    printf '%-24s %-5s %s\n' "$name" up "$detail"
    return 0
  fi
  printf '%-24s %-5s %s\n' "$name" DOWN "$detail"
  return 1
}

# Runs a check quietly and reports it; returns the check's verdict.
report_check() {
  local name=$1 detail=$2
  shift 2
  if "$@" >/dev/null 2>&1; then
    report "$name" 1 "$detail"
  else
    report "$name" 0 "$detail"
  fi
}
