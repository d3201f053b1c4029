#!/usr/bin/env bash
# Single-sample POST /metrics throughput of this build against a previous build, ABBA rounds.
#
#   BASELINE_JAR=/tmp/base/benchmarks/target/benchmarks.jar benchmarks/http/ingest_abba.sh
#
# Both servers as run.sh runs ours (in-memory store, flush every 10 s, 2 event loops), on
# 127.0.0.1; wrk -t2 -c64 with post_single.lua, 10 s per run after a 10 s warm-up each; the order
# is reversed every other round. Needs java, wrk.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
NEW="$HERE/../target/benchmarks.jar"
OLD="${BASELINE_JAR:?set BASELINE_JAR to the benchmarks.jar of a previous build}"
ROUNDS="${ROUNDS:-4}"
OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"
java $OPTS -cp "$NEW" dev.metricsservice.benchmarks.http.BenchServer ours 18281 2 > /dev/null 2>&1 & P1=$!
java $OPTS -cp "$OLD" dev.metricsservice.benchmarks.http.BenchServer ours 18283 2 > /dev/null 2>&1 & P2=$!
trap 'kill $P1 $P2 2>/dev/null || true' EXIT
sleep 4
run() { NAME="bench.$2" wrk -t2 -c64 -d"$3" -s "$HERE/post_single.lua" "http://127.0.0.1:$1/metrics" | awk '/^Requests\/sec:/ {print int($2)}'; }
run 18281 warm 10s >/dev/null
run 18283 warm 10s >/dev/null
NEW_RPS=""
OLD_RPS=""
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then
    n=$(run 18281 "r$r" 10s); o=$(run 18283 "r$r" 10s)
  else
    o=$(run 18283 "r$r" 10s); n=$(run 18281 "r$r" 10s)
  fi
  NEW_RPS="$NEW_RPS $n"; OLD_RPS="$OLD_RPS $o"
  echo "round $r: new $n old $o req/s"
done
python3 - "$NEW_RPS" "$OLD_RPS" <<'PY'
import statistics, sys
new = [int(x) for x in sys.argv[1].split()]
old = [int(x) for x in sys.argv[2].split()]
print(f"median new {statistics.median(new):,.0f} old {statistics.median(old):,.0f} req/s, "
      f"new/old {statistics.median(new) / statistics.median(old):.2f}")
PY
