package dev.metricsservice.benchmarks.core;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.AggregatorCounters;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.ManualClock;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.RecordResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;

/**
 * Heap over a long churn of series names: every name is used once, as per-deploy, per-pod or
 * per-job names are. Two aggregators in the same run, one after the other: one that retires idle
 * series ({@code seriesTtl} 1 s) and one that never does (the previous behaviour), each fed the same
 * names through a manual clock (a 10 s window per round, collected and committed after each round).
 * After every {@code reportEvery} rounds it collects garbage and prints the heap in use. Not a
 * timed benchmark: the figure is bytes, which do not depend on the machine's load.
 *
 * <p>Run (after {@code mvn -B -ntp -q -pl benchmarks -am package -DskipTests}):
 * <pre>
 * java -Xmx3g -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.core.SeriesChurn 2000000 5000
 * </pre>
 * Arguments: total names (default 2,000,000) and names per round (default 5,000).
 */
public final class SeriesChurn {

    private SeriesChurn() {
    }

    public static void main(String[] args) {
        int names = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int reportEvery = Math.max(1, names / perRound / 10);
        System.out.printf("%d names, %d new per round, report every %d rounds%n", names, perRound, reportEvery);
        System.out.printf("%-10s %12s %12s %12s %14s%n", "ttl", "names so far", "live series", "retired", "heap used MiB");
        churn("1s", Duration.ofSeconds(1), names, perRound, reportEvery);
        churn("never", Duration.ZERO, names, perRound, reportEvery);
    }

    private static void churn(String label, Duration ttl, int names, int perRound, int reportEvery) {
        ManualClock clock = MetricClock.manual(1_764_000_000_000L);
        Aggregator aggregator = Aggregator.builder().clock(clock).allowedLateness(Duration.ZERO).seriesTtl(ttl)
                .maxSeries(100_000_000).build();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int round = 0;
        for (int next = 0; next < names; round++) {
            for (int i = 0; i < perRound && next < names; i++, next++) {
                RecordResult r = aggregator.record("job-" + next, next % 97);
                if (r != RecordResult.ACCEPTED) {
                    throw new IllegalStateException("job-" + next + " refused: " + r.code());
                }
            }
            clock.advance(Duration.ofSeconds(10));
            CollectedBatch batch = aggregator.collect();
            batch.commit();
            if ((round + 1) % reportEvery == 0 || next == names) {
                System.gc();
                System.gc();
                AggregatorCounters c = aggregator.counters();
                System.out.printf("%-10s %12d %12d %12d %14.1f%n", label, next, c.liveSeries(), c.retiredSeries(),
                        memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024));
            }
        }
        if (aggregator.counters().accepted() != names) {
            throw new IllegalStateException("accepted " + aggregator.counters().accepted() + " of " + names);
        }
    }
}
