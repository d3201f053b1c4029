#!/usr/bin/env bash
# Telemetry overhead benchmark: wrk against a minimal Netty HTTP server (POST -> 202) in three modes,
# interleaved in one run so machine load affects all of them alike:
#   none = plain MultiThreadIoEventLoopGroup, no telemetry (the baseline)
#   on   = instrumented event loop group + channel handler + onRequest, recording
#   off  = instrumented, recording switched off at run time (the "one branch" cost)
# Usage: benchmarks/telemetry/run.sh            (env: ROUNDS=3 DURATION=10s WARMUP=3s CONNECTIONS=32 THREADS=1)
# Needs: wrk (apt-get install -y wrk), python3, the benchmarks jar (built if missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/benchmarks/target/benchmarks.jar
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
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

for round in $(seq 1 "$ROUNDS"); do
  for mode in $MODES; do
    dir="$OUT/traces-$mode-$round"
    java $JAVA_OPTS -cp "$JAR" dev.metricsservice.benchmarks.telemetry.OverheadServer \
      --port "$PORT" --mode "$mode" --threads "$THREADS" --dir "$dir" > "$OUT/server-$mode-$round.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do
      (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
      sleep 0.05
    done
    wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/benchmarks/telemetry/post.lua" "http://127.0.0.1:$PORT/metrics" > /dev/null
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/benchmarks/telemetry/post.lua" \
      "http://127.0.0.1:$PORT/metrics" > "$OUT/wrk-$mode-$round.txt"
    kill -TERM "$pid"; wait "$pid" || true
    echo "round $round $mode: $(grep -h 'Requests/sec' "$OUT/wrk-$mode-$round.txt") | $(grep -h RESULT "$OUT/server-$mode-$round.log")"
  done
done
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
        p99 = secs(re.search(r"\s99%\s+([\d.]+(?:us|ms|s))", t).group(1))
        server = open(f"{out}/server-{m}-{r}.log").read()
        extra = dict(re.findall(r"(\w+)=([\d.]+)", server.split("RESULT")[-1])) if "RESULT" in server else {}
        res[(m, r)] = (rps, p99, extra)
print(f"\n{'mode':5} {'round':>5} {'req/s':>10} {'p99 ms':>8} {'bytes/event':>11} {'bytes/req':>9} {'dropped':>7}")
for r in range(1, rounds + 1):
    for m in modes:
        rps, p99, x = res[(m, r)]
        print(f"{m:5} {r:5} {rps:10.0f} {p99*1e3:8.3f} {x.get('bytesPerEvent','-'):>11} {x.get('bytesPerRequest','-'):>9} {x.get('dropped','-'):>7}")
if "none" in modes:
    for m in modes:
        if m == "none":
            continue
        tr = [res[(m, r)][0] / res[("none", r)][0] for r in range(1, rounds + 1)]
        pr = [res[(m, r)][1] / res[("none", r)][1] for r in range(1, rounds + 1)]
        print(f"{m} vs none: throughput ratio per round {[round(x, 3) for x in tr]} median {statistics.median(tr):.3f};"
              f" p99 ratio per round {[round(x, 3) for x in pr]} median {statistics.median(pr):.3f}")
PY
