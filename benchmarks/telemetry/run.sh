#!/usr/bin/env bash
# Telemetry overhead benchmark: wrk against a minimal Netty HTTP server (POST -> 202) in three modes,
# interleaved in one run so machine load affects all of them alike:
#   none = plain MultiThreadIoEventLoopGroup, no telemetry (the baseline)
#   on   = instrumented event loop group + channel handler + onRequest, recording
#   off  = instrumented, recording switched off at run time (the "one branch" cost)
# Usage: benchmarks/telemetry/run.sh   (env: ROUNDS=6 DURATION=8s WARMUP=3s CONNECTIONS=32 THREADS=1 MODES="none on off")
# Each round runs every mode once, in an order rotated per round; ratios are per round, then the median.
# Part 2 (ALTERNATE_SECONDS=40, ALTERNATE_MS=1000; 0 to skip) switches recording on/off inside one process and
# reports the median of paired on/off ratios of adjacent phases: much less sensitive to a loaded machine.
# Needs: wrk (apt-get install -y wrk), python3, the benchmarks jar (built if missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/benchmarks/target/benchmarks.jar
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-18080}
MODES=${MODES:-"none on off"}
OUT=${OUT:-/tmp/telemetry-bench}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && mvn -B -ntp -q -pl benchmarks -am package -DskipTests)
fi
rm -rf "$OUT"; mkdir -p "$OUT"
echo "load before: $(uptime)" | tee "$OUT/load.txt"

read -r -a MODE_LIST <<< "$MODES"
for round in $(seq 1 "$ROUNDS"); do
  # Rotate the order every round so no mode always runs first or last (load drifts within a round).
  ordered=()
  for i in "${!MODE_LIST[@]}"; do
    ordered+=("${MODE_LIST[$(( (i + round - 1) % ${#MODE_LIST[@]} ))]}")
  done
  for mode in "${ordered[@]}"; do
    dir="$OUT/traces-$mode-$round"
    java $JAVA_OPTS -cp "$JAR" dev.metricsservice.benchmarks.telemetry.OverheadServer \
      --port "$PORT" --mode "$mode" --threads "$THREADS" --dir "$dir" > "$OUT/server-$mode-$round.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do
      (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
      sleep 0.05
    done
    wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/benchmarks/telemetry/post.lua" "http://127.0.0.1:$PORT/metrics" > /dev/null
    # Server CPU time (utime+stime, clock ticks) around the measured run: CPU per request is far less sensitive
    # to other processes on a shared machine than requests per second.
    cpu0=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/benchmarks/telemetry/post.lua" \
      "http://127.0.0.1:$PORT/metrics" > "$OUT/wrk-$mode-$round.txt"
    cpu1=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
    echo "cpu_ticks=$((cpu1 - cpu0)) hz=$(getconf CLK_TCK)" >> "$OUT/wrk-$mode-$round.txt"
    kill -TERM "$pid"; wait "$pid" || true
    echo "round $round $mode: $(grep -h 'Requests/sec' "$OUT/wrk-$mode-$round.txt") | $(grep -h RESULT "$OUT/server-$mode-$round.log")"
  done
done
# Part 2: one process, recording switched on and off every ALTERNATE_MS while wrk runs; paired adjacent phases.
if [ "${ALTERNATE_SECONDS:-40}" -gt 0 ]; then
  java $JAVA_OPTS -cp "$JAR" dev.metricsservice.benchmarks.telemetry.OverheadServer --port "$PORT" --mode on \
    --threads "$THREADS" --dir "$OUT/traces-alternate" --alternate-ms "${ALTERNATE_MS:-1000}" --skip-ms 3000 \
    > "$OUT/server-alternate.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
    sleep 0.05
  done
  wrk -t1 -c"$CONNECTIONS" -d"$(( ${ALTERNATE_SECONDS:-40} + 3 ))s" --latency -s "$ROOT/benchmarks/telemetry/post.lua" \
    "http://127.0.0.1:$PORT/metrics" > "$OUT/wrk-alternate.txt"
  kill -TERM "$pid"; wait "$pid" || true
fi
echo "load after: $(uptime)" | tee -a "$OUT/load.txt"

python3 - "$OUT" "$ROUNDS" "$MODES" <<'PY'
import re, statistics, sys
out, rounds, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
def secs(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[u]
res = {}
for m in modes:
    for r in range(1, rounds + 1):
        t = open(f"{out}/wrk-{m}-{r}.txt").read()
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
        reqs = int(re.search(r"(\d+) requests in", t).group(1))
        ticks, hz = map(int, re.search(r"cpu_ticks=(\d+) hz=(\d+)", t).groups())
        cpu_us = ticks / hz * 1e6 / max(1, reqs)
        p99 = secs(re.search(r"\s99%\s+([\d.]+(?:us|ms|s))", t).group(1))
        server = open(f"{out}/server-{m}-{r}.log").read()
        extra = dict(re.findall(r"(\w+)=([\d.]+)", server.split("RESULT")[-1])) if "RESULT" in server else {}
        res[(m, r)] = (rps, p99, extra, cpu_us)
print(f"\n{'mode':5} {'round':>5} {'req/s':>10} {'p99 ms':>8} {'cpu us/req':>10} {'bytes/event':>11} {'bytes/req':>9} {'dropped':>7}")
for r in range(1, rounds + 1):
    for m in modes:
        rps, p99, x, cpu = res[(m, r)]
        print(f"{m:5} {r:5} {rps:10.0f} {p99*1e3:8.3f} {cpu:10.2f} {x.get('bytesPerEvent','-'):>11} {x.get('bytesPerRequest','-'):>9} {x.get('dropped','-'):>7}")
if "none" in modes and rounds > 0:
    for m in modes:
        if m == "none":
            continue
        tr = [res[(m, r)][0] / res[("none", r)][0] for r in range(1, rounds + 1)]
        pr = [res[(m, r)][1] / res[("none", r)][1] for r in range(1, rounds + 1)]
        cr = [res[(m, r)][3] / res[("none", r)][3] for r in range(1, rounds + 1)]
        print(f"{m} vs none: throughput ratio per round {[round(x, 3) for x in tr]} median {statistics.median(tr):.3f};"
              f" p99 ratio per round {[round(x, 3) for x in pr]} median {statistics.median(pr):.3f};"
              f" server CPU per request ratio per round {[round(x, 3) for x in cr]} median {statistics.median(cr):.3f}")
PY
[ -f "$OUT/server-alternate.log" ] && grep -h "ALTERNATE\|RESULT" "$OUT/server-alternate.log"
