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
 * Cost of recording one sample, ours against the peers, in three situations: one thread; two
 * threads on one shared series (contention); two threads on a series each (scaling).
 *
 * <p>{@code impl} selects the library: {@code aggregator-handle} ({@code aggregator.series(name)}
 * once, then {@code handle.record(v)}), {@code aggregator-name} ({@code aggregator.record(name, v)}),
 * {@code floor} ({@code LongAdder} + {@code DoubleAdder} + CAS max), Micrometer
 * {@code DistributionSummary} by handle and by registry lookup, OpenTelemetry SDK
 * {@code DoubleHistogram} without buckets, Prometheus {@code Summary} without quantiles, Dropwizard
 * {@code Histogram} by handle and by registry lookup, HdrHistogram {@code Recorder}. See
 * {@link Library} for how each is configured.
 *
 * <p>Scores are average time per operation per thread: with two threads, {@code 8 ns/op} means
 * each thread completes a record every 8 ns. Our aggregator uses the production clock
 * ({@code MetricClock.system()}), and is collected between iterations as the flush worker would;
 * the trial fails if it refused any sample, so refusals can never pass for fast records.
 *
 * <p>Run (after {@code mvn -B -ntp -q -pl benchmarks -am package -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'core.RecordBenchmark' -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * java -jar benchmarks/target/benchmarks.jar 'core.RecordBenchmark.oneThread' -p impl=aggregator-handle,floor -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RecordBenchmark {

    @Param({
            Library.AGGREGATOR_HANDLE,
            Library.AGGREGATOR_NAME,
            Library.FLOOR,
            Library.MICROMETER_HANDLE,
            Library.MICROMETER_NAME,
            Library.OPENTELEMETRY,
            Library.PROMETHEUS,
            Library.DROPWIZARD_HANDLE,
            Library.DROPWIZARD_NAME,
            Library.HDRHISTOGRAM})
    public String impl;

    Library library;
    Instrument shared;
    final AtomicInteger threadsSeen = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
        library = Library.create(impl);
        shared = library.instrument("bench.shared");
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

    /** Per-thread sample sequence and the thread's own series. */
    @State(Scope.Thread)
    public static class PerThread {
        double[] values;
        int next;
        Instrument own;

        @Setup(Level.Trial)
        public void setUp(RecordBenchmark benchmark) {
            int threadNumber = benchmark.threadsSeen.getAndIncrement();
            values = Samples.values(threadNumber);
            // Different names, so each thread gets a series, summary, histogram... of its own.
            own = benchmark.library.instrument("bench.distinct." + threadNumber);
        }

        double nextValue() {
            int i = next;
            next = (i + 1) & Samples.MASK;
            return values[i];
        }
    }

    /** One thread recording into one series. */
    @Benchmark
    @Threads(1)
    public void oneThread(PerThread t) {
        shared.record(t.nextValue());
    }

    /** Two threads recording into the same series: the contended case. */
    @Benchmark
    @Threads(2)
    public void twoThreadsSharedSeries(PerThread t) {
        shared.record(t.nextValue());
    }

    /** Two threads, each recording into its own series: should scale to about twice the throughput. */
    @Benchmark
    @Threads(2)
    public void twoThreadsDistinctSeries(PerThread t) {
        t.own.record(t.nextValue());
    }
}
