#!/usr/bin/env bash
# HTTP load test of the Slipway demo server, on 127.0.0.1 only. See docs/BENCHMARKS.md.
#
# For each server mode (handlers on Armeria's blocking pool, or on the event loop):
#   1. starts `java -jar slipway-cli/target/slipway.jar demo --port 0 --home TMP --config MODE.yaml`
#      and waits for GET /v2/health/ready;
#   2. closed loop, wrk: POST /api/v1/noop (reads the body, runs no model: the baseline),
#      POST /v2/models/ad-click/infer (Open Inference Protocol v2) and
#      POST /api/v1/models/ad-click/predict (records API), one record per request, at each of
#      CONNS connections for DURATION seconds, --latency;
#   3. open loop: the highest wrk rate of each endpoint is its max rate; the endpoint is then
#      driven at half of it at a fixed rate by dev.slipway.bench.load.OpenLoopLoad (wrk cannot
#      hold a rate and Debian has no wrk2) for RATE_DURATION seconds, and p99 is read from that;
#   4. stops the server (also on error or Ctrl-C).
# Raw outputs go to slipway-bench/target/load/, a summary table to stdout and summary.md there.
#
# Needs: slipway-cli/target/slipway.jar and slipway-bench/target/benchmarks.jar (build them with
# `mvn -B -q -DskipTests package` at the root; this script builds nothing), curl, and wrk
# (installed with apt-get when absent).
#
# Settings (environment): MODES="pool eventloop"  CONNS="1 4 16 64"  DURATION=10  RATE_DURATION=15
#   WARMUP=5  SERVER_JAVA_OPTS=""  SLIPWAY_JAR=slipway-cli/target/slipway.jar  BUDGET_SECONDS=570 (phases that would start after it are skipped)
# Defaults take about 7 minutes on 2 cores.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/slipway-bench/load"
CLI_JAR=${SLIPWAY_JAR:-"$ROOT/slipway-cli/target/slipway.jar"}
BENCH_JAR="$ROOT/slipway-bench/target/benchmarks.jar"
OUT="$ROOT/slipway-bench/target/load"
MODES=${MODES:-"pool eventloop"}
CONNS=${CONNS:-"1 4 16 64"}
DURATION=${DURATION:-10}
RATE_DURATION=${RATE_DURATION:-15}
WARMUP=${WARMUP:-5}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}
BUDGET_SECONDS=${BUDGET_SECONDS:-570}
QUIET_WAIT=${QUIET_WAIT:-0}
ENDPOINTS="noop oip records"

declare -A PATH_OF=(
  [noop]=/api/v1/noop
  [oip]=/v2/models/ad-click/infer
  [records]=/api/v1/models/ad-click/predict)
declare -A BODY_OF=(
  [noop]="$HERE/bodies/records-1.json"
  [oip]="$HERE/bodies/oip-1.json"
  [records]="$HERE/bodies/records-1.json")

die() { echo "run-load: $*" >&2; exit 1; }

for jar in "$CLI_JAR" "$BENCH_JAR"; do
  [[ -f $jar ]] || die "missing $jar; build it first: (cd $ROOT && mvn -B -q -DskipTests package)"
done
command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"
if ! command -v wrk >/dev/null; then
  echo "wrk not found: installing it with apt-get"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get install -y -q wrk >/dev/null || { $SUDO apt-get update -q && $SUDO apt-get install -y -q wrk >/dev/null; }
  command -v wrk >/dev/null || die "could not install wrk"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "memory: $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
  echo "java: $(java -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"
WORK=$(mktemp -d /tmp/slipway-load.XXXXXX)
SERVER_PID=""
TOP_PID=""

stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [[ -n $TOP_PID ]]; then
    kill "$TOP_PID" 2>/dev/null || true
    awk '/^top -/ { n = 0 } n++ < 14' "$OUT/top.raw" >"$OUT/top.txt" 2>/dev/null && rm -f "$OUT/top.raw"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# What else ran on the machine meanwhile: every 10 s, the busiest processes.
top -b -c -d 10 -w 250 >"$OUT/top.raw" 2>/dev/null &
TOP_PID=$!

over_budget() { (( SECONDS > BUDGET_SECONDS )); }

# Other processes that compete for the CPUs: java (except our server), mvn, wrk.
others() {
  ps -eo pid=,comm= | awk -v me="${SERVER_PID:-0}" \
    '($2 == "java" || $2 == "mvn" || $2 == "wrk") && $1 != me { printf "%s ", $1 }'
}
# Waits (up to QUIET_WAIT s) for 3 quiet seconds in a row; prints yes or no.
wait_quiet() {
  local deadline=$((SECONDS + QUIET_WAIT)) streak=0
  while :; do
    if [[ -z $(others) ]]; then streak=$((streak + 1)); else streak=0; fi
    if (( streak >= 3 )); then echo yes; return; fi
    if (( SECONDS >= deadline )); then
      [[ -z $(others) ]] && echo yes || echo no
      return
    fi
    sleep 1
  done
}
# mark FILE START_QUIET: appends quiet=yes only if nothing else ran at the start or the end.
mark() {
  local q=$2
  [[ -n $(others) ]] && q=no
  echo "QUIET quiet=$q load=$(cut -d' ' -f1 /proc/loadavg)" >>"$1"
}

# Starts the demo server in mode $1, sets PORT.
start_server() {
  local mode=$1 log="$OUT/$1/server.log" onloop=false
  [[ $mode == eventloop ]] && onloop=true
  printf 'server:\n  inferOnEventLoop: %s\n' "$onloop" >"$WORK/$mode.yaml"
  # shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of options
  java $SERVER_JAVA_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$CLI_JAR" demo \
    --port 0 --home "$WORK/home" --config "$WORK/$mode.yaml" >"$log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 600); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 5 "$log" >&2
      die "server exited; see $log"
    fi
    PORT=$(sed -n 's|.*serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
    if [[ -n $PORT ]] && curl -fsS "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1; then
      echo "server ($mode, inferOnEventLoop=$onloop) ready on port $PORT after ${SECONDS}s of the run"
      return
    fi
    sleep 0.2
  done
  die "server not ready after 120 s; see $log"
}

# wrk_run ENDPOINT CONNECTIONS SECONDS FILE
wrk_run() {
  local ep=$1 c=$2 d=$3 file=$4 threads=2
  (( c < threads )) && threads=$c
  BODY=${BODY_OF[$ep]} timeout $((d + 30)) wrk -t"$threads" -c"$c" -d"${d}s" --timeout 10s --latency \
    -s "$HERE/post.lua" "http://127.0.0.1:$PORT${PATH_OF[$ep]}" >"$file" 2>&1 || true
}

field() { sed -n "/^RESULT /{s/\$/ /;s/.* $2=\([^ ]*\) .*/\1/p}" "$1" 2>/dev/null | head -1; }
quiet_of() { sed -n 's/^QUIET quiet=\([a-z]*\).*/\1/p' "$1" 2>/dev/null | head -1; }

for mode in $MODES; do
  [[ $mode == pool || $mode == eventloop ]] || die "MODES holds pool and/or eventloop, not $mode"
  if over_budget; then echo "time budget spent: skipping mode $mode"; continue; fi
  mkdir -p "$OUT/$mode"
  start_server "$mode"
  curl -fsS -H 'Content-Type: application/json' --data @"${BODY_OF[oip]}" \
    "http://127.0.0.1:$PORT${PATH_OF[oip]}" >"$OUT/$mode/oip-answer.json" \
    || die "the OIP infer request failed; see $OUT/$mode/oip-answer.json"
  for ep in $ENDPOINTS; do
    echo "  warm-up $ep ${WARMUP}s"
    wrk_run "$ep" 16 "$WARMUP" "$OUT/$mode/warmup-$ep.txt"
  done
  for c in $CONNS; do
    for ep in $ENDPOINTS; do
      if over_budget; then echo "time budget spent: skipping wrk $ep c=$c"; continue; fi
      q=$(wait_quiet)
      wrk_run "$ep" "$c" "$DURATION" "$OUT/$mode/wrk-$ep-c$c.txt"
      mark "$OUT/$mode/wrk-$ep-c$c.txt" "$q"
      echo "  wrk $ep c=$c: $(field "$OUT/$mode/wrk-$ep-c$c.txt" rps) req/s" \
        "(quiet=$(quiet_of "$OUT/$mode/wrk-$ep-c$c.txt"))"
    done
  done
  for ep in $ENDPOINTS; do
    max=0
    for c in $CONNS; do
      r=$(field "$OUT/$mode/wrk-$ep-c$c.txt" rps)
      [[ -n $r ]] && max=$(awk -v a="$max" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
    done
    echo "$max" >"$OUT/$mode/max-rps-$ep.txt"
    if over_budget || [[ $max == 0 ]]; then echo "  skipping open loop for $ep"; continue; fi
    half=$(awk -v m="$max" 'BEGIN { printf "%d", m / 2 }')
    echo "  open loop $ep at $half req/s (half of $max) for ${RATE_DURATION}s"
    q=$(wait_quiet)
    timeout $((RATE_DURATION + 60)) java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "$BENCH_JAR" dev.slipway.bench.load.OpenLoopLoad \
      --url "http://127.0.0.1:$PORT${PATH_OF[$ep]}" --body "${BODY_OF[$ep]}" \
      --rate "$half" --duration "$RATE_DURATION" --warmup 3 --connections 64 --label "$ep" \
      >"$OUT/$mode/rate-$ep.txt" 2>&1 || true
    mark "$OUT/$mode/rate-$ep.txt" "$q"
  done
  stop_server
done

# Summary: closed loop per concurrency, with infer / no-op ratios; then open loop at half max.
{
  echo "| mode | conns | noop req/s | oip req/s | records req/s | oip/noop | records/noop | noop p99 ms | oip p99 ms | records p99 ms | quiet |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for mode in $MODES; do
    for c in $CONNS; do
      f="$OUT/$mode/wrk-%s-c$c.txt"
      # shellcheck disable=SC2059
      n=$(field "$(printf "$f" noop)" rps) o=$(field "$(printf "$f" oip)" rps) \
        r=$(field "$(printf "$f" records)" rps)
      # shellcheck disable=SC2059
      np=$(field "$(printf "$f" noop)" p99_ms) op=$(field "$(printf "$f" oip)" p99_ms) \
        rp=$(field "$(printf "$f" records)" p99_ms)
      # shellcheck disable=SC2059
      qs="$(quiet_of "$(printf "$f" noop)")/$(quiet_of "$(printf "$f" oip)")/$(quiet_of "$(printf "$f" records)")"
      awk -v m="$mode" -v c="$c" -v n="${n:-0}" -v o="${o:-0}" -v r="${r:-0}" \
        -v np="${np:--}" -v op="${op:--}" -v rp="${rp:--}" -v q="$qs" 'BEGIN {
          printf "| %s | %s | %.0f | %.0f | %.0f | %.2f | %.2f | %s | %s | %s | %s |\n",
            m, c, n, o, r, (n > 0 ? o / n : 0), (n > 0 ? r / n : 0), np, op, rp, q }'
    done
  done
  echo
  echo "| mode | endpoint | max req/s (wrk) | open-loop rate | achieved | shed | errors | p50 ms | p99 ms | p99.9 ms | max ms | quiet |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for mode in $MODES; do
    for ep in $ENDPOINTS; do
      f="$OUT/$mode/rate-$ep.txt"
      [[ -f $f ]] || continue
      printf '| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$mode" "$ep" \
        "$(cat "$OUT/$mode/max-rps-$ep.txt")" "$(field "$f" target_rps)" "$(field "$f" achieved_rps)" \
        "$(field "$f" shed)" "$(field "$f" errors)" "$(field "$f" p50_ms)" "$(field "$f" p99_ms)" \
        "$(field "$f" p999_ms)" "$(field "$f" max_ms)" "$(quiet_of "$f")"
    done
  done
} | tee "$OUT/summary.md"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
cat "$OUT/machine.txt"
echo "raw outputs in $OUT (whole run: ${SECONDS}s)"
