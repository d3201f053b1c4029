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
 * Cost of recording one sample into a series with three tags, ours against the peers' tagged
 * lookups (see {@link TaggedLibrary}), on one thread and on two threads with a series each. 100
 * other series of the same metric exist beside the measured ones, so lookups search a populated
 * map, as in an application.
 *
 * <p>Run (after {@code mvn -B -ntp -q -pl benchmarks -am package -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'core.TaggedRecordBenchmark' -f 2 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TaggedRecordBenchmark {

    @Param({
            TaggedLibrary.UNTAGGED_HANDLE,
            TaggedLibrary.TAGGED_HANDLE,
            TaggedLibrary.NAME_TAGS,
            TaggedLibrary.MICROMETER_SUMMARY,
            TaggedLibrary.MICROMETER_COUNTER,
            TaggedLibrary.PROMETHEUS,
            TaggedLibrary.OPENTELEMETRY})
    public String impl;

    TaggedLibrary library;
    final AtomicInteger threadsSeen = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
        library = TaggedLibrary.create(impl);
        for (int i = 0; i < 100; i++) {
            library.instrument("other-" + i, "region-" + (i % 4), "/route/" + (i % 10));
        }
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

    /** Per-thread values and the thread's own tagged series. */
    @State(Scope.Thread)
    public static class PerThread {
        double[] values;
        int next;
        Instrument own;

        @Setup(Level.Trial)
        public void setUp(TaggedRecordBenchmark benchmark) {
            int n = benchmark.threadsSeen.getAndIncrement();
            values = Samples.values(n);
            own = benchmark.library.instrument("host-" + n, "eu-west-1", "/api/v1/metrics");
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
    public void twoThreads(PerThread t) {
        t.own.record(t.nextValue());
    }
}
