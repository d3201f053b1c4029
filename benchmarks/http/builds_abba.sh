#!/usr/bin/env bash
# Builds of metrics-app against each other on the same machine at the same time: each SPEC starts
# one `metrics-app serve` (memory store, telemetry off, 2 event loops, 1 GiB heap, its own log
# directory), then wrk -t2 -c$CONNS runs against each in turn, the order reversed every other block
# (A B C, C B A), after a 15 s warm-up of each. Prints every run and, per server, the median req/s
# and p99, and each one's per-block median ratio to the last SPEC.
#
#   benchmarks/http/builds_abba.sh BLOCKS SECONDS 'name|jar|args' ...
#   e.g. (a build from an older commit packaged to /tmp/old.jar):
#   benchmarks/http/builds_abba.sh 6 6 'new|metrics-app/target/metrics-app.jar|--durability wal' \
#        'old|/tmp/old.jar|--durability wal' 'none|metrics-app/target/metrics-app.jar|--durability none'
#
# LUA (default post_single.lua) picks the payload, CONNS (default 64) the connections. Needs java,
# wrk, python3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BLOCKS="$1"; SECS="$2"; shift 2
LUA="${LUA:-post_single.lua}"
CONNS="${CONNS:-64}"
OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
names=(); ports=(); pids=()
for spec in "$@"; do ports+=($((18440 + ${#ports[@]}))); done
require_free_ports "${ports[@]}"
OUT="$(mktemp -d)"
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$OUT"' EXIT
i=0
for spec in "$@"; do
  IFS='|' read -r name jar args <<< "$spec"
  # shellcheck disable=SC2086
  java $OPTS -jar "$jar" serve --store memory --bind "127.0.0.1:${ports[$i]}" --telemetry off \
    --io-threads 2 --wal-dir "$OUT/wal-$i" $args > "$OUT/$name.log" 2>&1 &
  pids+=($!); names+=("$name"); i=$((i + 1))
done
sleep 5

# run PORT SECONDS -> "rps p99_ms"
run() {
  wrk -t2 -c"$CONNS" -d"$2" --latency -s "$HERE/$LUA" "http://127.0.0.1:$1/metrics" | wrk_numbers | cut -d' ' -f2-
}

for p in "${ports[@]}"; do run "$p" 15s > /dev/null; done
n=${#ports[@]}
for b in $(seq 1 "$BLOCKS"); do
  if (( b % 2 )); then idx=$(seq 0 $((n - 1))); else idx=$(seq $((n - 1)) -1 0); fi
  for j in $idx; do echo "$b ${names[$j]} $(run "${ports[$j]}" "${SECS}s")"; done
done | tee "$OUT/runs.txt"

python3 - "$OUT/runs.txt" <<'PY'
import collections, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = collections.defaultdict(dict)
for b, n, r, p in rows:
    by[n][b] = (int(r), float(p))
names = list(dict.fromkeys(r[1] for r in rows))
for n in names:
    print(f"{n}: median req/s {statistics.median(v[0] for v in by[n].values()):,.0f},"
          f" p99 {statistics.median(v[1] for v in by[n].values()):.2f} ms")
base = names[-1]
for n in names[:-1]:
    print(f"{n}/{base}: per-block median {statistics.median(by[n][b][0] / by[base][b][0] for b in by[n]):.3f}")
PY
