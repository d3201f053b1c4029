package dev.metricsservice.benchmarks.core;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.ManualClock;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.SeriesRecorder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one flush cycle's {@code collect()} + {@code commit()} when every one of
 * {@code series} live series has new samples since the previous collect (the worst steady state:
 * every series is offered).
 *
 * <p>Before each invocation (not timed) one sample is recorded into every series, in the open
 * window of a manual clock, so each collect reads every series' open window and offers it as a
 * cumulative partial, and each commit marks it stored. Scores are per collect+commit. With
 * {@code -prof gc}, B/op includes the untimed setup, which allocates nothing once the cells exist.
 *
 * <p>Run (after {@code mvn -B -ntp -q -pl benchmarks -am package -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'core.CollectBenchmark' -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class CollectBenchmark {

    /** A fixed instant 3 s into a 10 s window, so the open window never closes during a trial. */
    private static final long START_MILLIS = 1_764_000_003_000L;

    @Param({"10000", "100000"})
    public int series;

    private Aggregator aggregator;
    private SeriesRecorder[] handles;
    private double value;

    @Setup(Level.Trial)
    public void setUp() {
        ManualClock clock = MetricClock.manual(START_MILLIS);
        aggregator = Aggregator.builder().clock(clock).maxSeries(series).build();
        handles = new SeriesRecorder[series];
        for (int i = 0; i < series; i++) {
            handles[i] = aggregator.series("bench.series." + i);
        }
    }

    @Setup(Level.Invocation)
    public void recordIntoEverySeries() {
        value = value >= 1000 ? 1 : value + 1;
        for (SeriesRecorder h : handles) {
            h.record(value);
        }
    }

    @Benchmark
    public int collectAndCommit() {
        CollectedBatch batch = aggregator.collect();
        batch.commit();
        return batch.aggregates().size();
    }

    @TearDown(Level.Trial)
    public void check() {
        CollectedBatch last = aggregator.collect();
        if (!last.isEmpty()) {
            throw new IllegalStateException("a committed collect left " + last.aggregates().size()
                    + " aggregates unstored");
        }
        if (aggregator.counters().rejectedTotal() != 0) {
            throw new IllegalStateException("aggregator refused samples: " + aggregator.counters().rejected());
        }
    }
}
