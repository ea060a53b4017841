#!/usr/bin/env bash
# Guard overhead in paired rounds: each round runs GuardBenchmark's unguarded, guarded, guardsOnly
# and encodeOnly (batch=64, or BATCH) one fork each, back to back, so the four numbers of a round
# share the VM's state of those minutes; prints per round the guards' own work ((guardsOnly -
# encodeOnly) / unguarded) and the direct difference ((guarded - unguarded) / unguarded). Pool the
# rounds' CSVs (target/guard-rounds/round-N.csv, or guard-rounds-BATCH/ with BATCH set) for means.
#
# Usage: bash slipway-bench/load/run-guard-rounds.sh     (ROUNDS=6, BATCH=64 by default; needs the
# bench jar)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/slipway-bench/target/guard-rounds${BATCH:+-$BATCH}"
mkdir -p "$OUT"
for r in $(seq 1 "${ROUNDS:-6}"); do
  java -jar "$ROOT/slipway-bench/target/benchmarks.jar" \
    'GuardBenchmark.(unguarded|guarded|guardsOnly|encodeOnly)$' -p batch="${BATCH:-64}" -f 1 -wi 5 -i 4 \
    -w 2s -r 3s -jvmArgs "-Xms1g -Xmx1g" -rf csv -rff "$OUT/round-$r.csv" > "$OUT/round-$r.log" 2>&1
  python3 - "$OUT/round-$r.csv" "$r" <<'PY'
import csv, sys
v = {row['Benchmark'].split('.')[-1]: float(row['Score']) for row in csv.DictReader(open(sys.argv[1]))}
own = (v['guardsOnly'] - v['encodeOnly']) / v['unguarded'] * 100
direct = (v['guarded'] - v['unguarded']) / v['unguarded'] * 100
print(f"round {sys.argv[2]}: unguarded {v['unguarded']:.2f} guarded {v['guarded']:.2f} "
      f"guardsOnly {v['guardsOnly']:.2f} encodeOnly {v['encodeOnly']:.2f} us: "
      f"own {own:.1f} %, direct {direct:+.1f} %", flush=True)
PY
done
