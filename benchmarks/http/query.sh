#!/usr/bin/env bash
# Query-path benchmark: GET /metrics/{name} of one untagged series of 20 windows (written by a
# flush to the in-memory store, the newest still open in the aggregator), our server against the
# bare-Netty ceiling of run.sh (a 14-byte answer), the same ceiling answering as many bytes as our
# 20 rows ("ceiling-rows"), and optionally a previous build, interleaved ABBA.
#
#   benchmarks/http/query.sh                         # ceiling and this build
#   BASELINE_JAR=/tmp/before/benchmarks.jar benchmarks/http/query.sh   # and a previous build
#
# Needs java 17+, wrk, curl, python3. Everything listens on 127.0.0.1; every wrk run is bounded by
# DURATION; the servers are stopped on exit. Both of our servers get the same 20 windows through
# POST /metrics with client timestamps (10 s windows, 190 s back), then one flush (10 s) stores
# them; each answer is checked to hold 20 rows before measuring.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-10s}"
ROUNDS="${ROUNDS:-2}"
CONNS="${CONNS:-64}"
WRK_THREADS="${WRK_THREADS:-2}"
SERVER_THREADS="${SERVER_THREADS:-2}"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
OUT="${OUT:-$(mktemp -d /tmp/query-bench.XXXXXX)}"
mkdir -p "$OUT"
JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"
NAME=bench.query

for tool in java wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[[ -f "$JAR" ]] || (cd "$ROOT" && mvn -B -ntp -q -pl benchmarks -am package -DskipTests)

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

start() { # label jar kind port
  java $JAVA_OPTS -cp "$2" dev.metricsservice.benchmarks.http.BenchServer "$3" "$4" "$SERVER_THREADS" > "$OUT/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$4/" && return 0; sleep 0.2; done
  echo "$1 did not come up" >&2; exit 1
}

declare -A PORT=([ceiling]=18182 [ours]=18181 [baseline]=18183 [ceiling-rows]=18184)
TARGETS=(ceiling ceiling-rows ours)
start ceiling "$JAR" ceiling "${PORT[ceiling]}"
start ceiling-rows "$JAR" ceiling-rows "${PORT[ceiling-rows]}"
start ours "$JAR" ours "${PORT[ours]}"
if [[ -n "${BASELINE_JAR:-}" ]]; then
  start baseline "$BASELINE_JAR" ours "${PORT[baseline]}"
  TARGETS+=(baseline)
fi

now_ms=$(($(date +%s%3N) / 10000 * 10000))
body=$(python3 -c "import json,sys; n=int(sys.argv[1]); print(json.dumps([{'name':'$NAME','value':i+1,'timestamp':n-10000*(19-i)+1} for i in range(20)]))" "$now_ms")
for t in "${TARGETS[@]}"; do
  [[ "$t" == ceiling* ]] && continue
  curl -s -o /dev/null -w "%{http_code}\n" -X POST "http://127.0.0.1:${PORT[$t]}/metrics" -H 'Content-Type: application/json' -d "$body" | grep -q 202
done
echo "waiting 12 s for one flush to store the older windows" >&2
sleep 12
for t in "${TARGETS[@]}"; do
  [[ "$t" == ceiling* ]] && continue
  rows=$(curl -s "http://127.0.0.1:${PORT[$t]}/metrics/$NAME" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [[ "$rows" == 20 ]] || { echo "$t answers $rows rows, not 20" >&2; exit 1; }
done

run() { # target label -> req/s
  local f="$OUT/$2.txt"
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"$3" --latency "http://127.0.0.1:${PORT[$1]}/metrics/$NAME" > "$f"
  awk '/^Requests\/sec:/ { print int($2) } /Non-2xx/ { print "NON2XX" > "/dev/stderr" }' "$f"
}

for t in "${TARGETS[@]}"; do run "$t" "warm-$t" "$WARMUP" >/dev/null; done
RESULTS="$OUT/results.tsv"
printf 'round\ttarget\treq_per_s\n' > "$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
  order=("${TARGETS[@]}")
  if (( r % 2 == 0 )); then order=($(printf '%s\n' "${TARGETS[@]}" | tac)); fi
  for t in "${order[@]}"; do
    rps=$(run "$t" "r$r-$t" "$DURATION")
    printf '%s\t%s\t%s\n' "$r" "$t" "$rps" | tee -a "$RESULTS"
  done
done
python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = {}
for t in sorted({r["target"] for r in rows}):
    med[t] = statistics.median(float(r["req_per_s"]) for r in rows if r["target"] == t)
print("\nmedian req/s: " + "  ".join(f"{t} {int(v):,}" for t, v in med.items()))
for t in ("ours", "baseline"):
    if t in med:
        print(f"{t} / ceiling = {med[t] / med['ceiling']:.2f}   {t} / ceiling-rows = {med[t] / med['ceiling-rows']:.2f}")
if "baseline" in med:
    print(f"ours / baseline = {med['ours'] / med['baseline']:.2f}")
PY
echo "raw wrk output and logs: $OUT"
