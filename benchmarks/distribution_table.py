"""Summarises DistributionRecordBenchmark JSON results (several runs, impls in different orders)
into the table of benchmarks/README.md: per benchmark and impl the median of the per-fork means
over all runs, B/op, the ratio against our own summary record (the target: at most 2x) and how
many times faster ours is than each peer.

    python3 benchmarks/distribution_table.py run-A.json run-B.json
"""
import collections
import json
import statistics
import sys

forks = collections.defaultdict(list)
alloc = collections.defaultdict(list)
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        if "DistributionRecordBenchmark" not in r["benchmark"]:
            continue
        key = (r["benchmark"].split(".")[-1], r["params"]["impl"])
        for fork in r["primaryMetric"]["rawData"]:
            forks[key].append(statistics.mean(fork))
        gc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        if gc:
            alloc[key].append(gc["score"])

for bench in ("oneThread", "twoThreadsDistinct", "twoThreadsShared"):
    med = {impl: statistics.median(v) for (b, impl), v in forks.items() if b == bench}
    if not med:
        continue
    base = med["ours-summary"]
    ours = med["ours-distribution"]
    n = len(forks[(bench, "ours-summary")])
    print(f"\n{bench}\n| impl | ns/op (median of {n} forks) | B/op | vs our summary | ours-distribution faster by |")
    print("|---|---|---|---|---|")
    for impl in sorted(med, key=med.get):
        b_op = max(alloc[(bench, impl)] or [0])
        faster = "" if impl.startswith("ours-") else f"{med[impl] / ours:.2f}x"
        print(f"| {impl} | {med[impl]:.2f} | {b_op:.3f} | {med[impl] / base:.2f}x | {faster} |")

merge = collections.defaultdict(list)
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        if "SketchMergeBenchmark" in r["benchmark"]:
            for fork in r["primaryMetric"]["rawData"]:
                merge[r["benchmark"].split(".")[-1]].append(statistics.mean(fork))
if merge:
    print("\nSketchMergeBenchmark\n| benchmark | ns/op (median of forks) |\n|---|---|")
    for name in sorted(merge, key=lambda k: statistics.median(merge[k])):
        print(f"| {name} | {statistics.median(merge[name]):.0f} |")
