#!/usr/bin/env bash
# HTTP ingest benchmark: our server against the bare-Netty ceiling and VictoriaMetrics, in one run.
#
#   benchmarks/http/run.sh                 # builds benchmarks.jar if missing, then runs (~4 min)
#   DURATION=5s CONNS="64" benchmarks/http/run.sh
#
# Needs: java 17+, maven (to build), wrk, victoria-metrics, curl, python3 (Debian: apt-get install
# wrk victoria-metrics curl python3). Everything listens on 127.0.0.1 only; every wrk run is bounded
# by DURATION; all servers are stopped on exit. Cases run interleaved (ceiling, ours, VictoriaMetrics
# back to back) so that a change in machine load hits all three alike. After each run the samples are
# counted back (ours: GET /metrics/{name}; VictoriaMetrics: force_flush + count_over_time) and checked
# against the requests wrk completed; error responses or missing samples mark the row FAILED.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-10s}"
WRK_THREADS="${WRK_THREADS:-2}"
SERVER_THREADS="${SERVER_THREADS:-2}"
CONNS="${CONNS:-16 64 256}"
BATCH_CONNS="${BATCH_CONNS:-64}"
GET_CONNS="${GET_CONNS:-64}"
PORT_OURS="${PORT_OURS:-18081}"
PORT_CEIL="${PORT_CEIL:-18082}"
PORT_VM="${PORT_VM:-18428}"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
OUT="${OUT:-$(mktemp -d /tmp/http-bench.XXXXXX)}"
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled}"

for tool in java wrk victoria-metrics curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk victoria-metrics curl python3)" >&2; exit 1; }
done
if [[ ! -f "$JAR" || "${BUILD:-0}" == 1 ]]; then
  (cd "$ROOT" && mvn -B -ntp -q -pl benchmarks -am package -DskipTests)
fi

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$OUT/vm-data"
}
trap cleanup EXIT

wait_http() { # url
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
    sleep 0.2
  done
  echo "server at $1 did not come up" >&2; exit 1
}

java $JAVA_OPTS -cp "$JAR" dev.metricsservice.benchmarks.http.BenchServer ceiling "$PORT_CEIL" "$SERVER_THREADS" \
  > "$OUT/ceiling.log" 2>&1 &
PIDS+=($!)
java $JAVA_OPTS -cp "$JAR" dev.metricsservice.benchmarks.http.BenchServer ours "$PORT_OURS" "$SERVER_THREADS" \
  > "$OUT/ours.log" 2>&1 &
PIDS+=($!)
victoria-metrics -httpListenAddr="127.0.0.1:$PORT_VM" -storageDataPath="$OUT/vm-data" \
  -search.latencyOffset=0s -search.disableCache -loggerLevel=ERROR > "$OUT/vm.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT_CEIL/"
wait_http "http://127.0.0.1:$PORT_OURS/health"
wait_http "http://127.0.0.1:$PORT_VM/health"
cat "$OUT/ceiling.log" "$OUT/ours.log"

# wrk output -> "requests rps p50_ms p99_ms non2xx socket_errors"
parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    / requests in / { req = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    /Socket errors:/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
    END { printf "%d %.0f %.3f %.3f %d %d\n", req, rps, p50, p99, non2xx + 0, sock + 0 }' "$1"
}

run_wrk() { # label conns url script name
  local label="$1" conns="$2" url="$3" script="$4" name="$5" file="$OUT/$1.txt"
  if [[ -n "$script" ]]; then
    NAME="$name" wrk -t"$WRK_THREADS" -c"$conns" -d"$DURATION" --latency -s "$HERE/$script" "$url" > "$file"
  else
    wrk -t"$WRK_THREADS" -c"$conns" -d"$DURATION" --latency "$url" > "$file"
  fi
  parse_wrk "$file"
}

ours_count() { # metric name -> samples stored under it
  curl -s --max-time 10 "http://127.0.0.1:$PORT_OURS/metrics/$1?limit=1000" |
    python3 -c 'import json,sys; print(sum(r["count"] for r in json.load(sys.stdin)))'
}

vm_count() { # run tag -> samples stored under bench_value{run=tag}
  # Ingested rows become searchable shortly after a flush: poll until two readings agree.
  local previous=-1 n=0
  for _ in $(seq 1 20); do
    curl -s --max-time 30 "http://127.0.0.1:$PORT_VM/internal/force_flush" >/dev/null
    n=$(curl -s --max-time 30 "http://127.0.0.1:$PORT_VM/api/v1/query" --data-urlencode nocache=1 \
      --data-urlencode "query=sum(count_over_time(bench_value{run=\"$1\"}[1d]))" |
      python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)')
    if [[ "$n" == "$previous" && "$n" != 0 ]]; then break; fi
    previous="$n"
    sleep 1
  done
  echo "$n"
}

# check requests non2xx sockerr landed per_request conns -> OK / FAILED(...)
check() {
  local req="$1" non2xx="$2" sock="$3" landed="$4" per="$5" conns="$6"
  local lo=$((req * per)) hi=$(((req + conns) * per))
  if [[ "$non2xx" != 0 ]]; then echo "FAILED(non-2xx=$non2xx)"; return; fi
  if [[ "$landed" == - ]]; then echo "ok(no-store)"; return; fi
  if (( landed < lo || landed > hi )); then echo "FAILED(landed=$landed,expected=$lo..$hi)"; return; fi
  echo "ok(landed=$landed)"
}

record() { # case target conns per_request "wrk fields" landed
  local case="$1" target="$2" conns="$3" per="$4" fields="$5" landed="$6"
  read -r req rps p50 p99 non2xx sock <<< "$fields"
  local verdict; verdict=$(check "$req" "$non2xx" "$sock" "$landed" "$per" "$conns")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$target" "$conns" "$req" "$rps" \
    "$((rps * per))" "$p50" "$p99" "$sock" "$verdict" | tee -a "$RESULTS"
}

printf 'case\ttarget\tconns\trequests\treq_per_s\tsamples_per_s\tp50_ms\tp99_ms\tsocket_errors\tcheck\n' | tee "$RESULTS"
echo "# load before: $(uptime)" > "$OUT/load.txt"

echo "== warm-up ($WARMUP each)" >&2
DURATION="$WARMUP" run_wrk warm-ceiling 64 "http://127.0.0.1:$PORT_CEIL/metrics" post_single.lua warm >/dev/null
DURATION="$WARMUP" run_wrk warm-ours 64 "http://127.0.0.1:$PORT_OURS/metrics" post_single.lua bench.warm >/dev/null
DURATION="$WARMUP" run_wrk warm-ours-batch 64 "http://127.0.0.1:$PORT_OURS/metrics" post_batch.lua bench.warmb >/dev/null
DURATION="$WARMUP" run_wrk warm-vm 64 "http://127.0.0.1:$PORT_VM/write" vm_single.lua warm >/dev/null

for c in $CONNS; do
  echo "== single-sample POST, $c connections" >&2
  f=$(run_wrk "single$c-ceiling" "$c" "http://127.0.0.1:$PORT_CEIL/metrics" post_single.lua "bench.single$c")
  record single ceiling "$c" 1 "$f" -
  f=$(run_wrk "single$c-ours" "$c" "http://127.0.0.1:$PORT_OURS/metrics" post_single.lua "bench.single$c")
  record single ours "$c" 1 "$f" "$(ours_count "bench.single$c")"
  f=$(run_wrk "single$c-vm" "$c" "http://127.0.0.1:$PORT_VM/write" vm_single.lua "single$c")
  record single victoriametrics "$c" 1 "$f" "$(vm_count "single$c")"
done

c="$BATCH_CONNS"
echo "== batched POST (100 samples per request), $c connections" >&2
f=$(run_wrk "batch$c-ceiling" "$c" "http://127.0.0.1:$PORT_CEIL/metrics" post_batch.lua "bench.batch$c")
record batch100 ceiling "$c" 100 "$f" -
f=$(run_wrk "batch$c-ours" "$c" "http://127.0.0.1:$PORT_OURS/metrics" post_batch.lua "bench.batch$c")
record batch100 ours "$c" 100 "$f" "$(ours_count "bench.batch$c")"
f=$(run_wrk "batch$c-vm" "$c" "http://127.0.0.1:$PORT_VM/write" vm_batch.lua "batch$c")
record batch100 victoriametrics "$c" 100 "$f" "$(vm_count "batch$c")"

c="$GET_CONNS"
echo "== GET /metrics/{name}, $c connections" >&2
f=$(run_wrk "get$c-ceiling" "$c" "http://127.0.0.1:$PORT_CEIL/metrics/bench.single64" "" "")
record get ceiling "$c" 1 "$f" -
f=$(run_wrk "get$c-ours" "$c" "http://127.0.0.1:$PORT_OURS/metrics/bench.single64" "" "")
record get ours "$c" 1 "$f" -

echo "# load after: $(uptime)" >> "$OUT/load.txt"
cat "$OUT/load.txt"
curl -s "http://127.0.0.1:$PORT_OURS/stats" > "$OUT/ours-stats.json"

python3 - "$RESULTS" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {(r["case"], r["target"], r["conns"]): r for r in rows}
print("\nratios (samples/s of ours divided by the other target, same case and connections):")
for (case, target, conns), r in sorted(by.items()):
    if target != "ours":
        continue
    ours = float(r["samples_per_s"])
    parts = []
    for other in ("ceiling", "victoriametrics"):
        o = by.get((case, other, conns))
        if o and float(o["samples_per_s"]) > 0:
            parts.append(f"vs {other} {ours / float(o['samples_per_s']):.2f}")
    print(f"  {case:9s} c={conns:>4s}: ours {int(ours):>10,d} samples/s  " + "  ".join(parts))
failed = [r for r in rows if not r["check"].startswith("ok")]
if failed:
    print("\nFAILED checks:", *[f"{r['case']}/{r['target']}/{r['conns']}: {r['check']}" for r in failed], sep="\n  ")
    sys.exit(1)
EOF
echo "raw wrk output and logs: $OUT"
