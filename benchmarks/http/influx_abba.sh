#!/usr/bin/env bash
# Influx line protocol, 100 lines per request, 64 connections: metrics-app's POST /write against
# VictoriaMetrics' /write with the identical payload (vm_batch.lua), ABBA blocks, medians.
#
#   mvn -B -ntp -q -DskipTests package && benchmarks/http/influx_abba.sh
#
# Ours: metrics-app serve --store memory --durability none --telemetry off (2 event loops), and
# the same with --durability wal. VictoriaMetrics as run.sh starts it (Debian victoria-metrics).
# wrk -t2 -c64, $SECONDS_PER_RUN s per run after a 10 s warm-up of each. After the runs the
# samples are counted back on both (ours: GET /metrics/bench?tag=run:<tag>; VictoriaMetrics:
# count_over_time) and must equal 100 x the requests wrk completed. Needs java, wrk,
# victoria-metrics, curl, python3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
APP="$ROOT/metrics-app/target/metrics-app.jar"
BLOCKS="${BLOCKS:-6}"
SECS="${SECONDS_PER_RUN:-8}"
OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
require_free_ports 18501 18502 18503
OUT="$(mktemp -d)"
java $OPTS -jar "$APP" serve --store memory --durability none --bind 127.0.0.1:18501 --telemetry off \
  --statsd-bind off > "$OUT/ours.log" 2>&1 & P1=$!
java $OPTS -jar "$APP" serve --store memory --durability wal --wal-dir "$OUT/wal" --bind 127.0.0.1:18503 \
  --telemetry off --statsd-bind off > "$OUT/wal.log" 2>&1 & P3=$!
victoria-metrics -httpListenAddr=127.0.0.1:18502 -storageDataPath="$OUT/vm-data" -search.latencyOffset=0s \
  -search.disableCache -loggerLevel=ERROR > "$OUT/vm.log" 2>&1 & P2=$!
trap 'kill $P1 $P2 $P3 2>/dev/null || true; wait 2>/dev/null; rm -rf "$OUT"' EXIT
for u in 18501/health 18503/health 18502/health; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$u" && break; sleep 0.2; done
done
run() { # port tag seconds -> "requests rps"
  NAME="$2" wrk -t2 -c64 -d"$3" -s "$HERE/vm_batch.lua" "http://127.0.0.1:$1/write" |
    awk '/ requests in / {r=$1} /^Requests\/sec:/ {s=$2} /Non-2xx/ {bad=$5} END {printf "%d %d %d\n", r, s, bad+0}'
}
for p in 18501 18503 18502; do run $p warm 10s > /dev/null; done
: > "$OUT/rows.txt"
for b in $(seq 1 "$BLOCKS"); do
  if (( b % 2 )); then order="18501 18503 18502"; else order="18502 18503 18501"; fi
  for p in $order; do
    read req rps bad <<< "$(run $p "b$b" "${SECS}s")"
    echo "$b $p $req $rps $bad" | tee -a "$OUT/rows.txt"
  done
done
# Count back what landed, per run tag.
ours_landed() { curl -s "http://127.0.0.1:$1/metrics/bench?tag=run:$2&limit=1000" | python3 -c 'import json,sys; print(sum(r["count"] for r in json.load(sys.stdin)))'; }
vm_landed() {
  curl -s "http://127.0.0.1:18502/internal/force_flush" > /dev/null; sleep 2
  curl -s "http://127.0.0.1:18502/api/v1/query" --data-urlencode nocache=1 \
    --data-urlencode "query=sum(count_over_time(bench_value{run=\"$1\"}[1d]))" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)'
}
while read b p req rps bad; do
  if [[ $p == 18502 ]]; then landed=$(vm_landed "b$b"); else landed=$(ours_landed $p "b$b"); fi
  echo "$b $p $req $rps $bad $landed"
done < "$OUT/rows.txt" > "$OUT/checked.txt"
cat "$OUT/checked.txt"
python3 - "$OUT/checked.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
name = {"18501": "ours (none)", "18503": "ours (wal)", "18502": "VictoriaMetrics"}
for r in rows:
    b, p, req, rps, bad, landed = r
    ok = int(bad) == 0 and int(req) * 100 <= int(landed) <= (int(req) + 64) * 100
    if not ok:
        print(f"FAILED block {b} {name[p]}: {req} requests, {bad} non-2xx, {landed} samples landed")
med = {p: statistics.median(int(r[3]) * 100 for r in rows if r[1] == p) for p in name}
blocks = sorted({r[0] for r in rows}, key=int)
def ratio(a, c):
    return statistics.median(int(next(r for r in rows if r[0] == k and r[1] == a)[3]) /
                             int(next(r for r in rows if r[0] == k and r[1] == c)[3]) for k in blocks)
print(f"median samples/s: ours (none) {med['18501']:,.0f}, ours (wal) {med['18503']:,.0f}, "
      f"VictoriaMetrics {med['18502']:,.0f}; per-block median ours/VM {ratio('18501','18502'):.2f}, "
      f"ours wal/VM {ratio('18503','18502'):.2f}")
PY
