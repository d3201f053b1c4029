"""Summarises TaggedRecordBenchmark JSON results (several runs, impls in different orders) into
the table of benchmarks/README.md: per benchmark and impl the median of the per-fork means over
all runs, B/op, and ratios against the untagged handle and against the fastest peer.

    python3 benchmarks/tagged_table.py run-A.json run-B.json
"""
import collections
import json
import statistics
import sys

forks = collections.defaultdict(list)
alloc = collections.defaultdict(list)
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        key = (r["benchmark"].split(".")[-1], r["params"]["impl"])
        for fork in r["primaryMetric"]["rawData"]:
            forks[key].append(statistics.mean(fork))
        gc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        if gc:
            alloc[key].append(gc["score"])

PEERS = ("micrometer-summary-tags", "micrometer-counter-tags", "prometheus-label-values", "opentelemetry-attributes")
for bench in sorted({b for b, _ in forks}):
    med = {impl: statistics.median(v) for (b, impl), v in forks.items() if b == bench}
    base = med["aggregator-untagged-handle"]
    print(f"\n{bench}\n| impl | ns/op (median of {len(forks[(bench, 'aggregator-untagged-handle')])} forks) | B/op | vs untagged handle | fastest peer / this |")
    print("|---|---|---|---|---|")
    fastest_peer = min(med[p] for p in PEERS if p in med)
    for impl in sorted(med, key=med.get):
        b_op = max(alloc[(bench, impl)] or [0])
        print(f"| {impl} | {med[impl]:.2f} | {b_op:.3f} | {med[impl] / base:.2f}x | {fastest_peer / med[impl]:.2f}x |")
