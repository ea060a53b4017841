#!/usr/bin/env bash
# Issue 3 benchmarks against the real server (dev.slipway.server.SlipwayServer started by
# dev.slipway.bench.load.BenchServer in its own JVM), on 127.0.0.1 only. See docs/BENCHMARKS.md.
#
#   model-load  p50/p99/p99.9 of model A (ad-click demo, OIP v2, fixed-rate open loop) alone, then
#               while a large model B is uploaded + promoted over REST again and again, then while
#               B's champion alias flips between two versions (each flip loads one): same run, same
#               window length; ratios to the baseline.     (dev.slipway.bench.load.ModelLoadInterference)
#   batching    throughput and latency of a small MLP (32-256-256-1) over OIP v2 at 64 closed-loop
#               clients, one row per request, dynamic batching off vs on.  (dev.slipway.bench.load.BatchingGain)
#
# Usage: bash slipway-bench/load/run-serving-bench.sh model-load|batching|all
# Builds slipway-bench and the modules it needs first (mvn package, tests skipped) unless
# SKIP_BUILD=1. Raw outputs and the server logs go to slipway-bench/target/serving-bench/.
#
# Settings (environment):
#   model-load: RATE=300 (req/s to A)  WINDOW=20 (s per window)  WARMUP=10  ROUNDS=1  BIG_MB=48
#               CONNECTIONS=32  PAUSE_MS=0 (pause between B's loads; 0 = back to back, the worst case)
#   batching:   CONCURRENCY=64  DURATION=20  BATCH_WARMUP=5  BATCH_ROUNDS=1  MAX_BATCH=64
#               MAX_DELAY_US=500
#   both:       SERVER_JAVA_OPTS="-Xms1g -Xmx2g"  GENERATOR_JAVA_OPTS="-Xmx1g"
# Defaults take about 2 minutes (model-load) and 1 minute (batching) on 2 cores, build excluded.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/slipway-bench/load"
BENCH_JAR="$ROOT/slipway-bench/target/benchmarks.jar"
OUT="$ROOT/slipway-bench/target/serving-bench"
RATE=${RATE:-300}
WINDOW=${WINDOW:-20}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-1}
BIG_MB=${BIG_MB:-48}
CONNECTIONS=${CONNECTIONS:-32}
PAUSE_MS=${PAUSE_MS:-0}
CONCURRENCY=${CONCURRENCY:-64}
DURATION=${DURATION:-20}
BATCH_WARMUP=${BATCH_WARMUP:-5}
BATCH_ROUNDS=${BATCH_ROUNDS:-1}
MAX_BATCH=${MAX_BATCH:-64}
MAX_DELAY_US=${MAX_DELAY_US:-500}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xms1g -Xmx2g}
GENERATOR_JAVA_OPTS=${GENERATOR_JAVA_OPTS:--Xmx1g}

die() { echo "run-serving-bench: $*" >&2; exit 1; }

WHAT=${1:-}
case $WHAT in
  model-load | batching) BENCHES=$WHAT ;;
  all) BENCHES="model-load batching" ;;
  *) die "usage: $0 model-load|batching|all" ;;
esac
command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "building: mvn -B -q -pl slipway-bench -am -P benchmarks-jar package -DskipTests"
  (cd "$ROOT" && mvn -B -q -pl slipway-bench -am -P benchmarks-jar package -DskipTests)
fi
[[ -f $BENCH_JAR ]] || die "missing $BENCH_JAR"

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/slipway-serving-bench.XXXXXX)
SERVER_PID=""

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
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

machine() {
  echo "date: $(date -u +%FT%TZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "memory: $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
  echo "java: $(java -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (working tree has changes)')"
}
# snapshot LABEL FILE: load average and the busiest processes, to judge how noisy a run was.
snapshot() {
  {
    echo "== $1: load average $(cut -d' ' -f1-3 /proc/loadavg)"
    top -b -n 1 -w 200 2>/dev/null | sed -n '7,14p'
  } >>"$2"
}

# start_server NAME CONFIG DEMO: starts the server, sets PORT.
start_server() {
  local name=$1 config=$2 demo=$3 log="$OUT/$1/server.log"
  # shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of options
  java $SERVER_JAVA_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_JAR" \
    dev.slipway.bench.load.BenchServer --home "$WORK/home-$name" --config "$config" \
    --demo "$demo" >"$log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 900); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 20 "$log" >&2
      die "server exited; see $log"
    fi
    PORT=$(sed -n 's|^serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
    if [[ -n $PORT ]] && curl -fsS "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1; then
      echo "server ready on port $PORT (pid $SERVER_PID)"
      return
    fi
    sleep 0.2
  done
  die "server not ready after 180 s; see $log"
}

server_rss() { awk '/VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null; }

run_model_load() {
  local dir="$OUT/model-load"
  rm -rf "$dir" && mkdir -p "$dir"
  machine >"$dir/machine.txt"
  # keepWarmSeconds 0: a replaced version is unloaded at once, so every alias flip is a real load
  # (and memory stays bounded while B is uploaded again and again).
  printf 'registry:\n  pollMillis: 250\n  keepWarmSeconds: 0\n' >"$WORK/model-load.yaml"
  cp "$WORK/model-load.yaml" "$dir/slipway.yaml"
  start_server model-load "$WORK/model-load.yaml" true
  echo "server RSS before: $(server_rss)" >>"$dir/machine.txt"
  snapshot start "$dir/machine.txt"
  # shellcheck disable=SC2086
  java $GENERATOR_JAVA_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_JAR" \
    dev.slipway.bench.load.ModelLoadInterference --base "http://127.0.0.1:$PORT" \
    --body "$HERE/bodies/oip-1.json" --rate "$RATE" --window "$WINDOW" --warmup "$WARMUP" \
    --rounds "$ROUNDS" --big-mb "$BIG_MB" --connections "$CONNECTIONS" --pause-ms "$PAUSE_MS" 2>&1 | tee "$dir/result.txt"
  snapshot end "$dir/machine.txt"
  echo "server RSS after: $(server_rss)" >>"$dir/machine.txt"
  curl -fsS "http://127.0.0.1:$PORT/api/v1/deployments" >"$dir/deployments-after.json" || true
  stop_server
  echo "--- machine ($dir/machine.txt)"
  cat "$dir/machine.txt"
}

run_batching() {
  local dir="$OUT/batching"
  rm -rf "$dir" && mkdir -p "$dir"
  machine >"$dir/machine.txt"
  cat >"$WORK/batching.yaml" <<EOF
models:
  mlp-batched:
    deployment:
      batching:
        maxBatchSize: $MAX_BATCH
        maxQueueDelayMicros: $MAX_DELAY_US
EOF
  cp "$WORK/batching.yaml" "$dir/slipway.yaml"
  start_server batching "$WORK/batching.yaml" false
  snapshot start "$dir/machine.txt"
  # shellcheck disable=SC2086
  java $GENERATOR_JAVA_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_JAR" \
    dev.slipway.bench.load.BatchingGain --base "http://127.0.0.1:$PORT" --off mlp \
    --on mlp-batched --concurrency "$CONCURRENCY" --duration "$DURATION" \
    --warmup "$BATCH_WARMUP" --rounds "$BATCH_ROUNDS" 2>&1 | tee "$dir/result.txt"
  echo "(batching: maxBatchSize $MAX_BATCH, maxQueueDelayMicros $MAX_DELAY_US)"
  snapshot end "$dir/machine.txt"
  stop_server
  echo "--- machine ($dir/machine.txt)"
  cat "$dir/machine.txt"
}

for b in $BENCHES; do
  echo "=== $b"
  case $b in
    model-load) run_model_load ;;
    batching) run_batching ;;
  esac
done
echo "raw outputs in $OUT (whole run: ${SECONDS}s)"
