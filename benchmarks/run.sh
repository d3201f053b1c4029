#!/usr/bin/env bash
# Runs the metrics-core JMH suite (record path and collect, ours against peer libraries).
#
#   benchmarks/run.sh            build, run the suite, write benchmarks/results/core.json and
#                                regenerate the "Core (record path)" table in benchmarks/README.md
#   benchmarks/run.sh --smoke    build and run every benchmark once, briefly (one fork, one 100 ms
#                                iteration, no warmup): proves each runs, asserts no timing, writes
#                                nothing into the repository. Needs only a JDK and Maven.
#   benchmarks/run.sh --no-build ...   skip the Maven build (reuse benchmarks/target/benchmarks.jar)
#
# Overridable through the environment:
#   JMH_OPTS      run settings      (default: -f 1 -wi 3 -w 1s -i 5 -r 1s)
#   JMH_PROF      profilers         (default: -prof gc, which reports B/op)
#   JMH_INCLUDE   benchmark regexp  (default: every benchmark in dev.metricsservice.benchmarks.core)
#   JMH_EXTRA     anything else passed to JMH, e.g. "-p impl=aggregator-handle,floor"
#   JAVA          java executable   (default: java on the PATH)
# A run restricted by JMH_INCLUDE or JMH_EXTRA still rewrites core.json and the table with what it
# measured, so commit only full runs.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=full
build=1
for arg in "$@"; do
    case "$arg" in
        --smoke) mode=smoke ;;
        --no-build) build=0 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

java_bin="${JAVA:-java}"
jar=benchmarks/target/benchmarks.jar
include="${JMH_INCLUDE:-dev\.metricsservice\.benchmarks\.core\.}"
extra=(${JMH_EXTRA:-})

if [[ $build == 1 ]]; then
    mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
if [[ ! -f $jar ]]; then
    echo "run.sh: $jar is missing; run without --no-build" >&2
    exit 1
fi

if [[ $mode == smoke ]]; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
    # -foe: any benchmark that throws (including the trial checks that refuse no-op or refusing
    # instruments) fails the whole run with a non-zero exit status.
    "$java_bin" -jar "$jar" "$include" -f 1 -wi 0 -i 1 -r 100ms -foe true \
        -rf json -rff "$out/smoke.json" "${extra[@]}"
    # One result per benchmark and parameter combination; a restricted run (JMH_EXTRA) may
    # narrow the parameters, so the count is only checked for the plain suite.
    if [[ ${#extra[@]} == 0 ]]; then
        expected=$("$java_bin" -jar "$jar" "$include" -lp | awk '
            /^Benchmarks:/ { next }
            /^[^ ]/ { if (seen) total += n; seen = 1; n = 1; next }
            /^ +param / { n *= split($0, values, ",") }
            END { if (seen) total += n; print total + 0 }')
    fi
    ran=$(grep -c '"benchmark"' "$out/smoke.json" || true)
    if [[ -n "${expected:-}" && "$ran" != "$expected" ]]; then
        echo "run.sh --smoke: expected $expected benchmark runs, got $ran" >&2
        exit 1
    fi
    echo "run.sh --smoke: all $ran benchmark runs completed"
    exit 0
fi

read -r -a opts <<< "${JMH_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
read -r -a prof <<< "${JMH_PROF:--prof gc}"
mkdir -p benchmarks/results
json=benchmarks/results/core.json
meta=benchmarks/results/core-run.txt
command="java -jar $jar '$include' ${opts[*]} ${prof[*]} ${extra[*]:-} -rf json -rff $json"
{
    echo "command: $command"
    echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "load before: $(uptime)"
    echo "java: $("$java_bin" -version 2>&1 | sed -n 2p)"
    echo "cpus: $(nproc)"
} > "$meta"
"$java_bin" -jar "$jar" "$include" "${opts[@]}" "${prof[@]}" -foe true -rf json -rff "$json" "${extra[@]}"
{
    echo "load after: $(uptime)"
    echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >> "$meta"

python3 benchmarks/core_table.py "$json" "$meta" benchmarks/README.md
echo "run.sh: wrote $json and the core table in benchmarks/README.md"
