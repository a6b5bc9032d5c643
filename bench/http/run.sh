#!/usr/bin/env bash
# HTTP load scenarios of docs/benchmarks.md (## HTTP), all on 127.0.0.1:
#   1. durable POST /api/v1/tickets (unique Idempotency-Key per request), 64 connections
#   2. GET /hello, the same load: the ceiling of the HTTP layer; prints the ratio 1/2
#   3. GET /api/v1/tickets?department_id=D&state=open&limit=50 over 1,000,000 tickets
# Usage: bench/http/run.sh [--no-build] [--duration SECONDS] [--connections N] [--tickets N]
#                          [--list-connections "1 4 16 64"]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=$ROOT/build/release
DURATION=10
CONNECTIONS=64
TICKETS=1000000
LIST_CONNECTIONS="1 4 16 64"
BUILD=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) BUILD=0 ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --tickets) TICKETS=$2; shift ;;
    --list-connections) LIST_CONNECTIONS=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $BUILD == 1 ]]; then
  (cd "$ROOT" && cmake --preset release >/dev/null &&
    cmake --build --preset release -j "${JOBS:-2}" --target ombud ombud_loadgen ombud_bench_populate)
fi
# Overridable to measure other builds.
OMBUD=${OMBUD:-$BUILD_DIR/src/app/ombud}
LOADGEN=${LOADGEN:-$BUILD_DIR/bench/http/ombud_loadgen}
POPULATE=${POPULATE:-$BUILD_DIR/bench/http/ombud_bench_populate}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ombud-bench-XXXXXX")
PASSWORD=bench-admin-password
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server DB: runs `ombud serve` in the background and sets PORT once it listens.
start_server() {
  local db=$1 out=$WORK/server.out
  : >"$out"
  "$OMBUD" serve --db "$db" --listen 127.0.0.1:0 --admin-password "$PASSWORD" \
    >"$out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q '^listening on http://' "$out"; then
      PORT=$(sed -n 's|^listening on http://[^:]*:\([0-9]*\).*|\1|p' "$out" | head -1)
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start:" >&2
  cat "$WORK/server.err" >&2
  exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=
}

# load LABEL ARGS...: runs the load generator against the current server, prints its report
# and leaves the RESULT line in $WORK/LABEL.result.
load() {
  local label=$1; shift
  "$LOADGEN" --port "$PORT" --connections "$CONNECTIONS" --duration "$DURATION" --warmup 1 \
    --login admin --password "$PASSWORD" --label "$label" "$@" | tee "$WORK/$label.out"
  grep '^RESULT' "$WORK/$label.out" >"$WORK/$label.result"
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$WORK/$1.result"; }

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -r)"
echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo

start_server "$WORK/write.db"
load post_tickets --method POST --target /api/v1/tickets --idempotency-prefix "bench-$$" \
  --body '{"customer":{"name":"Bench {n}","phone":"+8551{n}"},"channel":"phone","subject":"Bench complaint {n}","body":"No signal since this morning."}'
load get_hello --method GET --target /hello
stop_server
echo
awk -v a="$(field post_tickets rps)" -v b="$(field get_hello rps)" \
  'BEGIN { printf "durable POST /api/v1/tickets reaches %.1f%% of GET /hello (%.0f / %.0f requests/s)\n\n", 100 * a / b, a, b }'

# A fresh database: the server creates its schema and admin, then the populator fills it.
start_server "$WORK/read.db"
stop_server
"$POPULATE" --db "$WORK/read.db" --tickets "$TICKETS" --departments 5 | tee "$WORK/populate.out"
DEPARTMENT=$(sed -n 's/^department_id=//p' "$WORK/populate.out" | head -1)
start_server "$WORK/read.db"
# The queue page at several loads: one agent polling alone up to the full 64 connections.
for n in $LIST_CONNECTIONS; do
  CONNECTIONS=$n load "list_open_c$n" --method GET \
    --target "/api/v1/tickets?department_id=$DEPARTMENT&state=open&limit=50"
done
stop_server
