#!/usr/bin/env bash
# The cost of the write-ahead log on the real app: metrics-app serve with --durability wal against
# --durability none, and none against the bare-Netty ceiling, single-sample and 100-sample POSTs.
#
#   mvn -B -ntp -q -DskipTests package && benchmarks/http/durability_abba.sh
#
# Three servers on 127.0.0.1 (memory store, flush every 10 s, 2 event loops, telemetry off, 1 GiB
# heap): app with the log in a temporary directory, app without, and BenchServer's ceiling (Netty
# answering 202 without parsing). wrk -t2 -c64, $SECONDS_PER_RUN s per run after a 10 s warm-up of
# each; in every block the three run in turn, the order reversed every other block (A B C, C B A).
# For the log: fsyncs per second and samples per fsync from its /stats around each run.
# Needs java, wrk, python3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
APP="$ROOT/metrics-app/target/metrics-app.jar"
BENCH="$ROOT/benchmarks/target/benchmarks.jar"
BLOCKS="${BLOCKS:-10}"
SECS="${SECONDS_PER_RUN:-8}"
PAYLOADS="${PAYLOADS:-single batch}"
OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
require_free_ports 18401 18402 18403
WAL_DIR="$(mktemp -d)"
OUT="$(mktemp -d)"
java $OPTS -jar "$APP" serve --store memory --durability wal --wal-dir "$WAL_DIR/wal" --bind 127.0.0.1:18401 \
  --telemetry off > "$OUT/wal.log" 2>&1 & P1=$!
java $OPTS -jar "$APP" serve --store memory --durability none --bind 127.0.0.1:18402 --telemetry off \
  > "$OUT/none.log" 2>&1 & P2=$!
java $OPTS -cp "$BENCH" dev.metricsservice.benchmarks.http.BenchServer ceiling 18403 2 > "$OUT/ceiling.log" 2>&1 & P3=$!
trap 'kill $P1 $P2 $P3 2>/dev/null || true; rm -rf "$WAL_DIR"' EXIT
sleep 5

walstat() { curl -s http://127.0.0.1:18401/stats | python3 -c 'import json,sys; w=json.load(sys.stdin)["wal"]; print(w["fsyncs"], w["samples"])'; }
# run PORT LUA SECONDS -> "rps p99_ms"
run() {
  wrk -t2 -c64 -d"$3" --latency -s "$HERE/$2" "http://127.0.0.1:$1/metrics" | wrk_numbers | cut -d' ' -f2-
}

for payload in $PAYLOADS; do
  lua="post_$payload.lua"
  for port in 18401 18402 18403; do run $port "$lua" 10s > /dev/null; done
  : > "$OUT/$payload.txt"
  for b in $(seq 1 "$BLOCKS"); do
    if (( b % 2 )); then order="18401 18402 18403"; else order="18403 18402 18401"; fi
    for port in $order; do
      if [[ $port == 18401 ]]; then read f0 s0 <<< "$(walstat)"; fi
      t0=$(date +%s.%N)
      r=$(run $port "$lua" "${SECS}s")
      t1=$(date +%s.%N)
      if [[ $port == 18401 ]]; then
        read f1 s1 <<< "$(walstat)"
        extra=$(python3 -c "d=$t1-$t0; print(f'{($f1-$f0)/d:.0f} {($s1-$s0)/max(1,$f1-$f0):.1f}')")
      else
        extra="- -"
      fi
      echo "$payload $b $port $r $extra" | tee -a "$OUT/$payload.txt"
    done
  done
done

python3 - "$OUT" $PAYLOADS <<'PY'
import statistics, sys
out, payloads = sys.argv[1], sys.argv[2:]
names = {"18401": "wal", "18402": "none", "18403": "ceiling"}
for p in payloads:
    rows = [l.split() for l in open(f"{out}/{p}.txt")]
    by = {n: [r for r in rows if names[r[2]] == n] for n in names.values()}
    med = {n: statistics.median(int(r[3]) for r in rs) for n, rs in by.items()}
    p99 = {n: statistics.median(float(r[4]) for r in rs) for n, rs in by.items()}
    # Ratios per block, then their median (each block's runs are neighbours in time).
    blocks = sorted({r[1] for r in rows}, key=int)
    def ratio(a, b):
        return statistics.median(int(next(r for r in by[a] if r[1] == k)[3]) / int(next(r for r in by[b] if r[1] == k)[3]) for k in blocks)
    fs = statistics.median(float(r[5]) for r in by["wal"])
    spf = statistics.median(float(r[6]) for r in by["wal"])
    print(f"{p}: median req/s wal {med['wal']:,.0f} none {med['none']:,.0f} ceiling {med['ceiling']:,.0f}; "
          f"p99 ms wal {p99['wal']:.2f} none {p99['none']:.2f} ceiling {p99['ceiling']:.2f}; "
          f"per-block median wal/none {ratio('wal','none'):.2f}, none/ceiling {ratio('none','ceiling'):.2f}; "
          f"wal fsyncs/s {fs:,.0f}, samples per fsync {spf:.1f}")
PY
