#!/usr/bin/env bash
# Telemetry overhead on the real server: two metrics-app serve processes (memory store, no durable
# log, StatsD off), one with --telemetry on (traces to a temporary directory), one with
# --telemetry off; wrk -t2 -c64 single-sample POSTs, blocks in ABBA order (on first in odd
# blocks, off first in even ones), medians of the per-block ratios on/off.
#
#   mvn -B -ntp -q -DskipTests package && BLOCKS=10 benchmarks/telemetry/app_abba.sh
#
# Needs java, wrk, curl, python3. Prints one line per run and the medians; the trace directory's
# size at the end (bytes per request) is printed too.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
APP="$ROOT/metrics-app/target/metrics-app.jar"
BLOCKS="${BLOCKS:-10}"
SECS="${SECONDS_PER_RUN:-8}"
OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
require_free_ports 18701 18702
OUT="$(mktemp -d)"
java $OPTS -jar "$APP" serve --store memory --durability none --bind 127.0.0.1:18701 --telemetry on \
  --trace-dir "$OUT/traces" --trace-max-total-bytes 1GiB --statsd-bind off > "$OUT/on.log" 2>&1 & P1=$!
java $OPTS -jar "$APP" serve --store memory --durability none --bind 127.0.0.1:18702 --telemetry off \
  --statsd-bind off > "$OUT/off.log" 2>&1 & P2=$!
trap 'kill $P1 $P2 2>/dev/null || true; wait 2>/dev/null; rm -rf "$OUT"' EXIT
for p in 18701 18702; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$p/health" && break; sleep 0.2; done
done
run() { # port seconds -> "requests rps p99ms"
  wrk -t2 -c64 -d"$2" --latency -s "$ROOT/benchmarks/http/post_single.lua" "http://127.0.0.1:$1/metrics" | wrk_numbers
}
for p in 18701 18702; do run $p 10s > /dev/null; done
: > "$OUT/rows.txt"
for b in $(seq 1 "$BLOCKS"); do
  if (( b % 2 )); then order="18701 18702"; else order="18702 18701"; fi
  for p in $order; do
    read -r req rps p99 <<< "$(run $p "${SECS}s")"
    mode=$([[ $p == 18701 ]] && echo on || echo off)
    echo "$b $mode $req $rps $p99" | tee -a "$OUT/rows.txt"
  done
done
bytes=$(du -sb "$OUT/traces" | cut -f1)
total_on=$(awk '$2=="on" {s+=$3} END {print s}' "$OUT/rows.txt")
echo "trace bytes $bytes for $total_on requests (plus warm-up) with telemetry on"
python3 - "$OUT/rows.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
blocks = sorted({r[0] for r in rows}, key=int)
def get(b, m, col): return float(next(r for r in rows if r[0] == b and r[1] == m)[col])
tp = [get(b, "on", 3) / get(b, "off", 3) for b in blocks]
p99 = [get(b, "on", 4) / get(b, "off", 4) for b in blocks]
print(f"blocks {len(blocks)}: throughput on/off median {statistics.median(tp):.3f} "
      f"(per block {', '.join(f'{x:.3f}' for x in tp)}); p99 on/off median {statistics.median(p99):.3f}; "
      f"median req/s on {statistics.median(get(b,'on',3) for b in blocks):,.0f}, "
      f"off {statistics.median(get(b,'off',3) for b in blocks):,.0f}")
PY
