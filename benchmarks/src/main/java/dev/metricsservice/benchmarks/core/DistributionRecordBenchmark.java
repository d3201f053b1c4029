package dev.metricsservice.benchmarks.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Cost of recording one latency into a quantile structure: our distribution against our own
 * summary (the baseline: the same record without the sketch) and the peers (see
 * {@link DistributionLibrary}), on one thread, on two threads with a series each (distinct) and
 * on two threads sharing one series (shared). Values are lognormal latencies in milliseconds.
 *
 * <p>Run (after {@code mvn -B -ntp -q -pl benchmarks -am package -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'core.DistributionRecordBenchmark' -f 2 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class DistributionRecordBenchmark {

    @Param({
            DistributionLibrary.OURS_SUMMARY,
            DistributionLibrary.OURS_DISTRIBUTION,
            DistributionLibrary.DDSKETCH,
            DistributionLibrary.HDR_DOUBLE,
            DistributionLibrary.HDR_LONG,
            DistributionLibrary.MICROMETER,
            DistributionLibrary.PROMETHEUS,
            DistributionLibrary.OPENTELEMETRY})
    public String impl;

    DistributionLibrary library;
    Instrument shared;
    final AtomicInteger threadsSeen = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
        library = DistributionLibrary.create(impl);
        shared = library.instrument(1_000);
    }

    @Setup(Level.Iteration)
    public void betweenIterations() {
        library.betweenIterations();
    }

    @TearDown(Level.Trial)
    public void check() {
        library.checkNothingRefused();
        if (library.recorded() <= 0) {
            throw new IllegalStateException(impl + " recorded nothing: the benchmark measured a no-op");
        }
    }

    /** Per-thread values and the thread's own series. */
    @State(Scope.Thread)
    public static class PerThread {
        double[] values;
        int next;
        Instrument own;

        @Setup(Level.Trial)
        public void setUp(DistributionRecordBenchmark benchmark) {
            int n = benchmark.threadsSeen.getAndIncrement();
            values = DistributionLibrary.latencies(n);
            own = benchmark.library.instrument(n);
        }

        double nextValue() {
            int i = next;
            next = (i + 1) & Samples.MASK;
            return values[i];
        }
    }

    @Benchmark
    @Threads(1)
    public void oneThread(PerThread t) {
        t.own.record(t.nextValue());
    }

    @Benchmark
    @Threads(2)
    public void twoThreadsDistinct(PerThread t) {
        t.own.record(t.nextValue());
    }

    @Benchmark
    @Threads(2)
    public void twoThreadsShared(PerThread t) {
        shared.record(t.nextValue());
    }
}
