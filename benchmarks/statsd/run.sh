#!/usr/bin/env bash
# StatsD over UDP: lines counted at increasing send rates, ours against Etsy's statsd 0.9.0.
#
#   mvn -B -ntp -q -DskipTests package && npm ci --prefix tools/statsd && benchmarks/statsd/run.sh
#
# Ours: metrics-app serve (memory store, no write-ahead log unless DURABILITY=wal, telemetry off,
# StatsD on 2 readers).
# Etsy's: node tools/statsd/node_modules/statsd/stats.js with a config that never flushes, so its
# counters keep what it took; read from its management port ("counters"). The sender
# (UdpFlood, one thread) sends 20-line datagrams of "bench.m<k>:1|c" over 50 names at each rate
# for $SECONDS_PER_RATE s after a $WARMUP_SECONDS s warm-up at the same rate; each receiver's count
# of bench lines taken during the measured run is then compared with what was sent. Both on 127.0.0.1, one at a time, each restarted per rate. Needs java, node, python3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
APP="$ROOT/metrics-app/target/metrics-app.jar"
BENCH="$ROOT/benchmarks/target/benchmarks.jar"
STATSD="$ROOT/tools/statsd/node_modules/statsd/stats.js"
RATES="${RATES:-100000 200000 400000 800000 1600000 3200000}"
SECS="${SECONDS_PER_RATE:-5}"
WARMUP="${WARMUP_SECONDS:-3}"
OUT="$(mktemp -d)"
OPTS="${JAVA_OPTS:--Xms1g -Xmx1g}"
DURABILITY="${DURABILITY:-none}"     # wal: ours with the write-ahead log (in a temporary directory)
RECEIVERS="${RECEIVERS:-ours etsy}"
cat > "$OUT/etsy.js" <<JS
{ port: 18125, address: "127.0.0.1", mgmt_port: 18126, mgmt_address: "127.0.0.1",
  flushInterval: 3600000, backends: ["./backends/console"], deleteCounters: false }
JS
PID=""
trap '[[ -n $PID ]] && kill $PID 2>/dev/null || true; rm -rf "$OUT"' EXIT

etsy_count() {
  python3 - <<'PY'
import re, socket, time
s = socket.create_connection(("127.0.0.1", 18126), timeout=5)
s.sendall(b"counters\n")
text, deadline = b"", time.time() + 5
while b"END" not in text and time.time() < deadline:
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    text += chunk
print(sum(int(float(v)) for k, v in re.findall(r"'(bench\.m\d+)':\s*([0-9.e+]+)", text.decode())))
PY
}
ours_count() {
  curl -s http://127.0.0.1:18301/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["statsd"]["lines_accepted"])'
}

echo "rate_lines_per_s receiver sent counted counted_fraction"
for rate in $RATES; do
  for who in $RECEIVERS; do
    if [[ $who == ours ]]; then
      rm -rf "$OUT/wal"
      java $OPTS -jar "$APP" serve --store memory --durability "$DURABILITY" --wal-dir "$OUT/wal" \
        --bind 127.0.0.1:18301 --telemetry off \
        --statsd-bind 127.0.0.1:18125 > "$OUT/ours.log" 2>&1 & PID=$!
      for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:18301/health && break; sleep 0.1; done
    else
      (cd "$(dirname "$STATSD")" && exec node stats.js "$OUT/etsy.js") > "$OUT/etsy.log" 2>&1 & PID=$!
      sleep 1.5
    fi
    # Warm-up at the same rate (not counted), then the measured run: counted = after - before.
    java -cp "$BENCH" dev.metricsservice.benchmarks.statsd.UdpFlood 127.0.0.1 18125 "$rate" "$WARMUP" 20 50 > /dev/null
    sleep 1
    if [[ $who == ours ]]; then before=$(ours_count); else before=$(etsy_count); fi
    sent=$(java -cp "$BENCH" dev.metricsservice.benchmarks.statsd.UdpFlood 127.0.0.1 18125 "$rate" "$SECS" 20 50 \
      | awk '{print $4}')
    sleep 1
    if [[ $who == ours ]]; then after=$(ours_count); else after=$(etsy_count); fi
    counted=$((after - before))
    kill $PID; wait $PID 2>/dev/null || true; PID=""
    pkill -f "stats.js $OUT/etsy.js" 2>/dev/null || true
    python3 -c "print(f'$rate $who $sent $counted {$counted/$sent:.4f}')"
  done
done
