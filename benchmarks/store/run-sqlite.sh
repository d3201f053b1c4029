#!/usr/bin/env bash
# Flush throughput of the SQLite store versus a plain JDBC batch insert, interleaved in one run.
# Usage (from anywhere): benchmarks/store/run-sqlite.sh [rounds] [scratch-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if [[ ! -f benchmarks/target/benchmarks.jar ]]; then
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
exec java -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar \
  dev.metricsservice.benchmarks.store.sqlite.SqliteFlushBenchmark "${1:-10}" "${2:-benchmarks/target/sqlite-bench}"
