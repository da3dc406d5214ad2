#!/usr/bin/env bash
# Run a real Neo4j 5.26 Community server (with Neo4j Browser) without Docker.
#
#   scripts/neo4j.sh start    fetch jars if needed, start in the background, wait for Bolt,
#                             set the password on first start; reports if already running
#   scripts/neo4j.sh stop     stop the server this script started
#   scripts/neo4j.sh status   exit 0 when running, 3 when stopped
#   scripts/neo4j.sh env      print `export TEST_NEO4J_URI=... TEST_NEO4J_USER=... TEST_NEO4J_PASSWORD=...
#                             TEST_NEO4J_BROWSER=...` (the Neo4j Browser URL)
#   scripts/neo4j.sh fetch    only download the jars (Maven Central, cached)
#   scripts/neo4j.sh reset    stop and delete the database files (next start is a first start)
#   scripts/neo4j.sh logs     print the end of the server logs
#   scripts/neo4j.sh load ARTIFACT [summit load options]
#                             a loading window for a read-only server: restart it writable
#                             (loopback only), `summit load` the artifact, restart it read-only
#
# NEO4J_READ_ONLY=1 starts the user database read-only (server.databases.read_only): Neo4j
# Browser users can read but not change or delete anything; loads then go through `load`.
#
# Jars come from Maven Central through scripts/neo4j/pom.xml and are cached in
# ~/.m2 and $NEO4J_CACHE (default ~/.cache/summit, or <repo>/.cache when HOME is not
# writable), so a second run and a fresh clone on the same machine start offline.
# The server home (conf, data, logs, pid) lives in $NEO4J_RUN_HOME (default
# <repo>/.cache/neo4j/home). Env: NEO4J_PASSWORD (default summit-test-pw),
# NEO4J_BOLT_PORT (7687), NEO4J_HTTP_PORT (7474), NEO4J_HEAP (2g),
# NEO4J_PAGECACHE (1g), NEO4J_START_TIMEOUT seconds (240), NEO4J_READ_ONLY (0),
# NEO4J_DATABASE (neo4j: the database NEO4J_READ_ONLY protects).
# Variable names avoid the SUMMIT_ prefix: summit/settings.py rejects unknown SUMMIT_* vars.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/neo4j/pom.xml"
NEO4J_VERSION="$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$POM")"
BROWSER_VERSION="$(sed -n 's:.*<neo4j.browser.version>\(.*\)</neo4j.browser.version>.*:\1:p' "$POM")"

default_cache() {
  local c="${HOME:-}/.cache/summit"
  if [[ -n "${HOME:-}" ]] && mkdir -p "$c" 2>/dev/null && [[ -w "$c" ]]; then
    echo "$c"
  else
    echo "$ROOT/.cache"
  fi
}
CACHE="${NEO4J_CACHE:-$(default_cache)}"
LIB="$CACHE/neo4j-$NEO4J_VERSION-browser-$BROWSER_VERSION/lib"
NHOME="${NEO4J_RUN_HOME:-$ROOT/.cache/neo4j/home}"
PIDFILE="$NHOME/run/summit-neo4j.pid"
CONSOLE_LOG="$NHOME/logs/console.log"
BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
HTTP_PORT="${NEO4J_HTTP_PORT:-7474}"
PASSWORD="${NEO4J_PASSWORD:-summit-test-pw}"
HEAP="${NEO4J_HEAP:-2g}"
PAGECACHE="${NEO4J_PAGECACHE:-1g}"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-240}"
READ_ONLY="${NEO4J_READ_ONLY:-0}"
DATABASE="${NEO4J_DATABASE:-neo4j}"

log() { echo "neo4j.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- jars
fetch() {
  if [[ -f "$LIB/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is missing: apt-get install -y maven (or run scripts/setup.sh)"
  log "fetching Neo4j $NEO4J_VERSION + Browser $BROWSER_VERSION jars from Maven Central into $LIB"
  local start tmp
  start=$(date +%s)
  mkdir -p "$(dirname "$LIB")"
  tmp="$(mktemp -d "$(dirname "$LIB")/lib.partial.XXXXXX")"
  # Resumable: Maven keeps what it already downloaded in ~/.m2; the lib folder is
  # published only once complete (atomic rename).
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp" >"$tmp.mvn.log" 2>&1; then
    tail -n 30 "$tmp.mvn.log" >&2
    rm -rf "$tmp" "$tmp.mvn.log"
    die "could not fetch the Neo4j jars (Maven Central unreachable?)"
  fi
  rm -f "$tmp.mvn.log"
  [[ -f "$tmp/neo4j-$NEO4J_VERSION.jar" ]] || die "Maven did not produce neo4j-$NEO4J_VERSION.jar"
  echo "$NEO4J_VERSION" >"$tmp/.complete"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  log "jars ready ($(ls "$LIB" | wc -l) files) in $(($(date +%s) - start))s"
}

# ---------------------------------------------------------------- config
write_conf() {
  mkdir -p "$NHOME"/{conf,data,logs,run,import,plugins}
  cat >"$NHOME/conf/neo4j.conf" <<EOF
# Written by scripts/neo4j.sh (rewritten on every start).
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$BOLT_PORT
server.bolt.advertised_address=127.0.0.1:$BOLT_PORT
server.http.enabled=true
server.http.listen_address=127.0.0.1:$HTTP_PORT
server.http.advertised_address=127.0.0.1:$HTTP_PORT
server.https.enabled=false
server.directories.data=$NHOME/data
server.directories.logs=$NHOME/logs
server.directories.run=$NHOME/run
server.directories.import=$NHOME/import
server.directories.plugins=$NHOME/plugins
server.logs.config=$NHOME/conf/server-logs.xml
server.logs.user.config=$NHOME/conf/user-logs.xml
dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
server.memory.pagecache.size=$PAGECACHE
db.tx_log.rotation.retention_policy=100M size
# Transaction time-outs (Summit's request deadline) are enforced within 100 ms, not the default 2 s.
db.transaction.monitor.check.interval=100ms
EOF
  if [[ "$READ_ONLY" == 1 ]]; then
    echo "server.databases.read_only=$DATABASE" >>"$NHOME/conf/neo4j.conf"
  fi
  cat >"$NHOME/conf/server-logs.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/neo4j.sh: debug, http, query and security logs. -->
<Configuration status="ERROR" packages="org.neo4j.logging.log4j">
  <Appenders>
    <RollingRandomAccessFile name="DebugLog" fileName="$NHOME/logs/debug.log" filePattern="$NHOME/logs/debug.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p [%c{1.}] %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
    <RollingRandomAccessFile name="QueryLog" fileName="$NHOME/logs/query.log" filePattern="$NHOME/logs/query.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
    <RollingRandomAccessFile name="SecurityLog" fileName="$NHOME/logs/security.log" filePattern="$NHOME/logs/security.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
  </Appenders>
  <Loggers>
    <Logger name="QueryLogger" level="INFO" additivity="false"><AppenderRef ref="QueryLog"/></Logger>
    <Logger name="SecurityLogger" level="INFO" additivity="false"><AppenderRef ref="SecurityLog"/></Logger>
    <Root level="INFO"><AppenderRef ref="DebugLog"/></Root>
  </Loggers>
</Configuration>
EOF
  cat >"$NHOME/conf/user-logs.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/neo4j.sh: the user log (neo4j.log) and the console. -->
<Configuration status="ERROR" packages="org.neo4j.logging.log4j">
  <Appenders>
    <RollingRandomAccessFile name="Neo4jLog" fileName="$NHOME/logs/neo4j.log" filePattern="$NHOME/logs/neo4j.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
    <Console name="ConsoleAppender" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="Neo4jLog"/><AppenderRef ref="ConsoleAppender"/></Root>
  </Loggers>
</Configuration>
EOF
}

# ---------------------------------------------------------------- process helpers
running_pid() {
  # Prints the pid when our server process is alive; nothing otherwise.
  [[ -f "$PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
      && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q CommunityEntryPoint; then
    echo "$pid"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

java_bin() {
  local j="java"
  [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && j="$JAVA_HOME/bin/java"
  command -v "$j" >/dev/null || die "Java 17 is missing: apt-get install -y openjdk-17-jre-headless"
  local major
  major="$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [[ "$major" == 17 || "$major" == 21 ]] || die "Neo4j $NEO4J_VERSION needs Java 17 or 21, found '$major' ($j)"
  echo "$j"
}

# HTTP transactional endpoint: http_cypher USER PASS DB STATEMENT -> prints the response body
# The credentials and the body (which can hold a new password) reach curl through a config file
# descriptor and stdin, never its command line: arguments are visible to every user in `ps`.
http_cypher() {
  local body
  body="$(printf '{"statements":[{"statement":"%s"}]}' "$4")"
  curl -s -K <(printf 'user = "%s"\n' "$(curl_config_quote "$1:$2")") \
    -H 'Content-Type: application/json' -H 'Accept: application/json' \
    -w '\n%{http_code}' --data-binary @- "http://127.0.0.1:$HTTP_PORT/db/$3/tx/commit" <<<"$body"
}
curl_config_quote() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

json_escape() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
cypher_quote() { printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g"; }

ensure_password() {
  local out code marker="$NHOME/data/.summit-password-set"
  out="$(http_cypher neo4j "$PASSWORD" neo4j 'RETURN 1')"
  code="${out##*$'\n'}"
  if [[ "$code" == 200 ]] && ! grep -q '"code"' <<<"${out%$'\n'*}"; then
    touch "$marker"
    return 0
  fi
  if [[ -f "$marker" ]]; then
    die "Neo4j rejects the configured password (NEO4J_PASSWORD changed since the first start?). Use the old one, or run: scripts/neo4j.sh reset"
  fi
  log "first start: setting the neo4j user's password"
  local stmt
  stmt="ALTER CURRENT USER SET PASSWORD FROM 'neo4j' TO '$(cypher_quote "$PASSWORD")'"
  out="$(http_cypher neo4j neo4j system "$(json_escape "$stmt")")"
  code="${out##*$'\n'}"
  if [[ "$code" != 200 ]] || grep -q '"code"' <<<"${out%$'\n'*}"; then
    die "could not set the password (HTTP $code): ${out%$'\n'*}. If this database was started with another password, run: scripts/neo4j.sh reset"
  fi
  out="$(http_cypher neo4j "$PASSWORD" neo4j 'RETURN 1')"
  [[ "${out##*$'\n'}" == 200 ]] || die "password was set but logging in with it fails: ${out%$'\n'*}"
  touch "$marker"
}

wait_ready() {
  local pid="$1" deadline=$(( $(date +%s) + START_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the server exited during start-up; end of $CONSOLE_LOG:"
      tail -n 40 "$CONSOLE_LOG" >&2 || true
      rm -f "$PIDFILE"
      die "Neo4j did not start"
    fi
    if port_open "$BOLT_PORT" && curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/"; then
      return 0
    fi
    sleep 1
  done
  tail -n 40 "$CONSOLE_LOG" >&2 || true
  die "Neo4j did not open Bolt on 127.0.0.1:$BOLT_PORT within ${START_TIMEOUT}s (see $NHOME/logs)"
}

# ---------------------------------------------------------------- commands
cmd_start() {
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    wait_ready "$pid"
    ensure_password
    log "already running (pid $pid): bolt://127.0.0.1:$BOLT_PORT, browser http://127.0.0.1:$HTTP_PORT/browser/"
    return 0
  fi
  if port_open "$BOLT_PORT" || port_open "$HTTP_PORT"; then
    die "port $BOLT_PORT or $HTTP_PORT is already in use by another process (not started by this script); stop it or set NEO4J_BOLT_PORT/NEO4J_HTTP_PORT"
  fi
  if [[ "$READ_ONLY" == 1 && ! -d "$NHOME/data/databases/$DATABASE" ]]; then
    log "first start: creating database $DATABASE writable once (a new database cannot start read-only)"
    READ_ONLY=0 cmd_start
    cmd_stop
  fi
  fetch
  local java
  java="$(java_bin)"
  write_conf
  local started
  started=$(date +%s)
  log "starting Neo4j $NEO4J_VERSION (home $NHOME, heap $HEAP)"
  # setsid: own session, so the server outlives this shell and the CI step's process group.
  NEO4J_HOME="$NHOME" NEO4J_CONF="$NHOME/conf" setsid "$java" \
    -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
    -XX:+ExitOnOutOfMemoryError -Djdk.tls.ephemeralDHKeySize=2048 \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    -cp "$LIB/*" org.neo4j.server.CommunityEntryPoint \
    --home-dir="$NHOME" --config-dir="$NHOME/conf" --console-mode \
    >"$CONSOLE_LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"
  wait_ready "$pid"
  ensure_password
  log "started (pid $pid) in $(($(date +%s) - started))s: bolt://127.0.0.1:$BOLT_PORT, browser http://127.0.0.1:$HTTP_PORT/browser/"
}

cmd_stop() {
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PIDFILE"
    log "not running"
    return 0
  fi
  kill -TERM "$pid"
  local i
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after 60s, killing $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]] && port_open "$BOLT_PORT"; then
    echo "running (pid $pid) bolt://127.0.0.1:$BOLT_PORT http://127.0.0.1:$HTTP_PORT/browser/ home $NHOME"
    return 0
  elif [[ -n "$pid" ]]; then
    echo "starting (pid $pid), Bolt not open yet"
    return 3
  fi
  echo "stopped"
  return 3
}

cmd_env() {
  printf 'export TEST_NEO4J_URI=%q TEST_NEO4J_USER=%q TEST_NEO4J_PASSWORD=%q TEST_NEO4J_BROWSER=%q\n' \
    "bolt://127.0.0.1:$BOLT_PORT" neo4j "$PASSWORD" "http://127.0.0.1:$HTTP_PORT/browser/"
}

cmd_reset() {
  cmd_stop
  rm -rf "$NHOME/data" "$NHOME/logs" "$NHOME/run"
  log "database files removed from $NHOME"
}

cmd_load() {
  [[ $# -ge 1 ]] || die "usage: scripts/neo4j.sh load ARTIFACT [summit load options]"
  local summit="${SUMMIT_BIN:-}"
  if [[ -z "$summit" ]]; then
    summit="$(command -v summit || true)"
    [[ -x "$ROOT/.venv/bin/summit" ]] && summit="$ROOT/.venv/bin/summit"
  fi
  [[ -n "$summit" ]] || die "the summit command is missing (run scripts/setup.sh)"
  log "loading window: restarting $DATABASE writable (loopback only) for the load"
  cmd_stop
  READ_ONLY=0 cmd_start
  local status=0
  NEO4J_PASSWORD="$PASSWORD" "$summit" load "$@" --neo4j "bolt://127.0.0.1:$BOLT_PORT" \
    --password-env NEO4J_PASSWORD --database "$DATABASE" || status=$?
  log "loading window closed: restarting $DATABASE read-only"
  cmd_stop
  READ_ONLY=1 cmd_start
  return "$status"
}

cmd_logs() {
  tail -n "${1:-60}" "$NHOME/logs/neo4j.log" 2>/dev/null || tail -n "${1:-60}" "$CONSOLE_LOG" 2>/dev/null \
    || log "no logs in $NHOME/logs"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  fetch) fetch ;;
  reset) cmd_reset ;;
  logs) cmd_logs "${2:-60}" ;;
  load) shift; cmd_load "$@" ;;
  *)
    echo "usage: scripts/neo4j.sh start|stop|status|env|fetch|reset|logs|load ARTIFACT" >&2
    exit 2
    ;;
esac
