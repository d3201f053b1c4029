#!/usr/bin/env bash
# Flush throughput of the DynamoDB store against dynalite, versus a plain BatchWriteItem loop (the
# ceiling) and sequential PutItem (the seed's way), all in one run on one server.
# Usage (from anywhere): benchmarks/store/run-dynamodb.sh [rounds-at-10000] [rounds-at-100000]
# Builds the benchmarks jar if missing (set REBUILD=1 to force), installs dynalite with npm ci if
# missing, starts it on a free loopback port with in-memory data, runs, and stops it by its PID.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if [[ ! -f benchmarks/target/benchmarks.jar || "${REBUILD:-0}" == 1 ]]; then
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
if ! command -v node >/dev/null; then
  echo "dynalite needs Node.js 18 or newer (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi
if [[ ! -f tools/dynalite/node_modules/dynalite/cli.js ]]; then
  npm ci --prefix tools/dynalite --no-audit --no-fund --loglevel=error
fi
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
log="$(mktemp)"
node tools/dynalite/node_modules/dynalite/cli.js --host 127.0.0.1 --port "$port" \
  --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 300); do
  grep -q "Dynalite listening" "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
grep -q "Dynalite listening" "$log" || { echo "dynalite did not start within 30 s" >&2; cat "$log" >&2; exit 1; }
echo "dynalite pid $pid on port $port"
java -Xms512m -Xmx512m -Dio.netty.leakDetection.level=disabled \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp benchmarks/target/benchmarks.jar \
  dev.metricsservice.benchmarks.store.dynamodb.DynamoDbFlushBenchmark "http://127.0.0.1:$port" "${1:-3}" "${2:-1}"
