#!/usr/bin/env bash
# Batch scoring benchmark: a seeded ad-click CSV (features only) is read (a) parse-only, with the
# batch engine's own reader into records and no model, and (b) scored by `slipway batch score` with
# the demo model; the peak RSS of each scoring run comes from /usr/bin/time -v. Prints a table with
# the ratio scored/parse-only for each size.
#
# Usage: bash slipway-bench/load/run-batch-bench.sh [ROWS...]     (default: 1000000 10000000)
# Settings (environment):
#   N         one size instead of the list (e.g. N=200000 for a smoke run)
#   SEED=7    data seed            THREADS   `--threads` for scoring (default: all cores)
#   CHUNK=2048 rows per pipeline call (the CLI default)
#   JAVA_OPTS="-Xmx2g"             SKIP_BUILD=1 to reuse the jars
#   SPARK_CMD  a command that scores the same CSV on Spark ({csv} and {out} are replaced); when
#              set, its time is added as a column (the Spark runner is slipway-spark's)
# Files go to slipway-bench/target/batch-bench/ (the CSVs are kept for reruns; ~0.5 GB per 10M rows).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/slipway-bench/target/batch-bench"
BENCH_JAR="$ROOT/slipway-bench/target/benchmarks.jar"
CLI_JAR="$ROOT/slipway-cli/target/slipway.jar"
SEED=${SEED:-7}
CHUNK=${CHUNK:-2048}
JAVA_OPTS=${JAVA_OPTS:--Xmx2g}
SIZES=${N:-${*:-1000000 10000000}}

die() { echo "run-batch-bench: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed for peak RSS (apt-get install -y time)"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "building: mvn -B -q -pl slipway-cli,slipway-bench -am -P benchmarks-jar package -DskipTests"
  (cd "$ROOT" && mvn -B -q -pl slipway-cli,slipway-bench -am -P benchmarks-jar package -DskipTests)
fi
[[ -f $BENCH_JAR ]] || die "missing $BENCH_JAR"
[[ -f $CLI_JAR ]] || die "missing $CLI_JAR"
mkdir -p "$OUT"

HOME_DIR="$OUT/home"
rm -rf "$HOME_DIR"
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$BENCH_JAR" dev.slipway.bench.load.BatchBench register "$HOME_DIR"

rows_table=()
for n in $SIZES; do
  csv="$OUT/adclick-$n-seed$SEED.csv"
  if [[ ! -f $csv ]]; then
    echo "generating $csv"
    # shellcheck disable=SC2086
    java $JAVA_OPTS -cp "$BENCH_JAR" dev.slipway.bench.load.BatchBench generate "$csv" "$n" "$SEED"
  fi
  # shellcheck disable=SC2086
  read -r _ parse_s parse_rate < <(java $JAVA_OPTS -cp "$BENCH_JAR" dev.slipway.bench.load.BatchBench parse "$csv")

  scored="$OUT/scored-$n.csv"
  rm -rf "$scored" "$scored".* "$OUT/scored-$n.rejects.csv"
  threads=()
  [[ -n ${THREADS:-} ]] && threads=(--threads "$THREADS")
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  /usr/bin/time -v -o "$OUT/time-$n.txt" java $JAVA_OPTS -jar "$CLI_JAR" batch score \
    --model ad-click --input "$csv" --output "$scored" --home "$HOME_DIR" --chunk "$CHUNK" \
    "${threads[@]}" --no-progress > "$OUT/score-$n.log" 2>&1 || { cat "$OUT/score-$n.log"; die "scoring failed"; }
  end=$(date +%s.%N)
  score_s=$(echo "$end - $start" | bc -l)
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$OUT/time-$n.txt")
  score_rate=$(echo "$n / $score_s" | bc -l)
  ratio=$(echo "$score_rate / $parse_rate" | bc -l)
  spark="-"
  if [[ -n ${SPARK_CMD:-} ]]; then
    cmd=${SPARK_CMD//\{csv\}/$csv}
    cmd=${cmd//\{out\}/$OUT/spark-$n}
    s0=$(date +%s.%N)
    bash -c "$cmd" > "$OUT/spark-$n.log" 2>&1 || die "SPARK_CMD failed (see $OUT/spark-$n.log)"
    spark=$(printf '%.1f s' "$(echo "$(date +%s.%N) - $s0" | bc -l)")
  fi
  rows_table+=("$(printf '%-10s %12.0f %12.0f %8.3f %10.0f %10s' "$n" "$parse_rate" "$score_rate" "$ratio" "$((rss_kb / 1024))" "$spark")")
  echo "  $n rows: $(tail -1 "$OUT/score-$n.log")"
done

echo
printf '%-10s %12s %12s %8s %10s %10s\n' rows parse_rows/s score_rows/s ratio peak_MB spark
for r in "${rows_table[@]}"; do echo "$r"; done
echo "(parse: one thread, the engine's CSV reader into records; score: slipway batch score, demo model, $(nproc) cores)"
