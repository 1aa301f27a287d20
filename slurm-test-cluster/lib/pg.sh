# PostgreSQL 15 from Debian as a cluster of its own on 127.0.0.1:5433 (database and user hpcs).
# Sourced by hpcs-cluster.

PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=5433
PG_HOME=$HPCS_STATE_DIR/pg
PG_DATA=$PG_HOME/data
PG_SOCKET_DIR=$HPCS_RUN_DIR/pg
PG_LOG=$HPCS_LOG_DIR/postgresql.log
PG_PASSWORD_FILE=$PG_HOME/password

pg_as_postgres() {
  runuser -u postgres -- "$@"
}

pg_ready() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres
}

pg_running() {
  pid_alive "$PG_DATA/postmaster.pid" postgres
}

pg_init() {
  [[ -f $PG_DATA/PG_VERSION ]] && return
  info "initialising PostgreSQL in $PG_DATA"
  install -d -m 0700 -o postgres -g postgres "$PG_DATA"
  pg_as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=peer \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >>"$PG_LOG" 2>&1 ||
    fail postgresql "initdb failed; see $PG_LOG"
  cat >>"$PG_DATA/postgresql.conf" <<CONF

# HPCS test stack
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
CONF
}

# Creates the role and database hpcs; the password goes to psql on stdin, never argv.
pg_provision() {
  local password
  ensure_secret_file "$PG_PASSWORD_FILE"
  password=$(<"$PG_PASSWORD_FILE")
  printf '%s\n' \
    "SELECT 'CREATE ROLE hpcs LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hpcs') \\gexec" \
    "ALTER ROLE hpcs PASSWORD '$password';" \
    "SELECT 'CREATE DATABASE hpcs OWNER hpcs' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'hpcs') \\gexec" |
    pg_as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -d postgres \
      >>"$PG_LOG" 2>&1 || fail postgresql "could not create role and database hpcs; see $PG_LOG"
}

pg_login_works() {
  PGPASSWORD=$(<"$PG_PASSWORD_FILE") "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U hpcs -d hpcs \
    -tAc 'SELECT 1' | grep -qx 1
}

pg_up() {
  install -d -m 0755 "$PG_HOME"
  install -d -m 0755 -o postgres -g postgres "$PG_SOCKET_DIR"
  touch "$PG_LOG" && chown postgres:postgres "$PG_LOG"
  pg_init
  if ! pg_running; then
    require_port_free postgresql "$PG_PORT"
    info "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$READY_TIMEOUT" start \
      </dev/null >/dev/null 2>&1 9>&- || fail postgresql "pg_ctl start failed; see $PG_LOG"
  fi
  wait_ready postgresql "$PG_LOG" "$READY_TIMEOUT" pg_ready
  pg_provision
  wait_ready postgresql "$PG_LOG" "$READY_TIMEOUT" pg_login_works
}

pg_down() {
  if pg_running; then
    info "stopping PostgreSQL"
    pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  stop_pidfile postgresql "$PG_DATA/postmaster.pid" postgres
}

pg_status() {
  report_check postgresql "127.0.0.1:$PG_PORT, database hpcs, $PG_DATA" eval 'pg_running && pg_login_works'
}

pg_logs() { echo "$PG_LOG"; }
