#!/usr/bin/env bash
# Paired batch runs: parse-only, then `slipway batch score`, on the same file, PAIRS times; prints
# the ratio scored/parse-only per pair, in the job (the engine's own time, like-for-like with the
# parse-only time, which is timed inside its JVM; the CLI loads the model before the job starts)
# and wall (JVM start and model load included).
# Pairs cancel most of the VM's drift between minutes, which a single run does not.
#
# Usage: bash slipway-bench/load/run-batch-pairs.sh [ROWS]      (default 5000000)
# Needs the CSV and the home that run-batch-bench.sh made (run it once first).
# Settings: PAIRS=5  SEED=7  CHUNK (default: the CLI's)  JAVA_OPTS="-Xmx2g"
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/slipway-bench/target/batch-bench"
N=${1:-5000000}
SEED=${SEED:-7}
JAVA_OPTS=${JAVA_OPTS:--Xmx2g}
csv="$OUT/adclick-$N-seed$SEED.csv"
[[ -f $csv && -d $OUT/home ]] || { echo "run-batch-pairs: run run-batch-bench.sh $N first" >&2; exit 1; }
chunk=()
[[ -n ${CHUNK:-} ]] && chunk=(--chunk "$CHUNK")

for i in $(seq 1 "${PAIRS:-5}"); do
  # each run starts with no other run's output still being written back to disk
  sync
  # shellcheck disable=SC2086
  parse_s=$(java $JAVA_OPTS -cp "$ROOT/slipway-bench/target/benchmarks.jar" dev.slipway.bench.load.BatchBench parse "$csv" 2>/dev/null | tail -1 | awk '{print $2}')
  scored="$OUT/pairs-$N.csv"
  rm -rf "$scored" "$scored".* "$OUT/pairs-$N.rejects.csv"
  sync
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$ROOT/slipway-cli/target/slipway.jar" batch score --model ad-click \
    --input "$csv" --output "$scored" --home "$OUT/home" "${chunk[@]}" --no-progress >/dev/null 2>&1
  wall_s=$(echo "$(date +%s.%N) - $start" | bc -l)
  # the job's own time (the model loaded before it), in ms, from the summary the job leaves
  job_s=$(grep -o '"durationMillis" : [0-9]*' "$scored.summary.json" | awk '{print $3 / 1000}')
  printf "pair %d: parse-only %.2f s, scored %.2f s in the job (%.2f s wall): ratio %.3f in the job, %.3f wall\n" \
    "$i" "$parse_s" "$job_s" "$wall_s" "$(echo "$parse_s / $job_s" | bc -l)" "$(echo "$parse_s / $wall_s" | bc -l)"
done
