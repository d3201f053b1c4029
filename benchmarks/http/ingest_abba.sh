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
OLD="${BASELINE_JAR:?set BASELINE_JAR to the previous build's benchmarks.jar}"
ROUNDS="${ROUNDS:-4}"
OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"
java $OPTS -cp "$NEW" dev.metricsservice.benchmarks.http.BenchServer ours 18281 2 > /dev/null 2>&1 & P1=$!
java $OPTS -cp "$OLD" dev.metricsservice.benchmarks.http.BenchServer ours 18283 2 > /dev/null 2>&1 & P2=$!
trap 'kill $P1 $P2 2>/dev/null || true' EXIT
sleep 4
run() { NAME="bench.$2" wrk -t2 -c64 -d"$3" -s "$HERE/post_single.lua" "http://127.0.0.1:$1/metrics" | awk '/^Requests\/sec:/ {print int($2)}'; }
run 18281 warm 10s >/dev/null
run 18283 warm 10s >/dev/null
new=(); old=()
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then new+=("$(run 18281 "r$r" 10s)"); old+=("$(run 18283 "r$r" 10s)")
  else old+=("$(run 18283 "r$r" 10s)"); new+=("$(run 18281 "r$r" 10s)"); fi
  echo "round $r: new ${new[-1]} old ${old[-1]} req/s"
done
python3 -c "import statistics,sys; n=[int(x) for x in sys.argv[1].split()]; o=[int(x) for x in sys.argv[2].split()]; print(f'median new {statistics.median(n):,.0f} old {statistics.median(o):,.0f} req/s, new/old {statistics.median(n)/statistics.median(o):.2f}')" "${new[*]}" "${old[*]}"
