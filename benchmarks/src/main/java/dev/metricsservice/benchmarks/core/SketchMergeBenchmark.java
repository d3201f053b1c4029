package dev.metricsservice.benchmarks.core;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import dev.metricsservice.core.QuantileSketch;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.DoubleHistogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of merging one window's sketch into another (what a store does per writer, and a query
 * per window and step), and of serializing and reading one back: ours against DDSketch and
 * HdrHistogram's {@code DoubleHistogram}, each holding the same 10,000 lognormal latencies per
 * window at about 1 %.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'core.SketchMergeBenchmark' -f 2 -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SketchMergeBenchmark {

    QuantileSketch oursA;
    QuantileSketch oursB;
    byte[] oursBytes;
    DDSketch ddA;
    DDSketch ddB;
    DoubleHistogram hdrA;
    DoubleHistogram hdrB;

    @Setup
    public void setUp() {
        oursA = new QuantileSketch(0.01, 2048);
        oursB = new QuantileSketch(0.01, 2048);
        ddA = DDSketches.logarithmicCollapsingLowestDense(0.01, 2048);
        ddB = DDSketches.logarithmicCollapsingLowestDense(0.01, 2048);
        hdrA = new DoubleHistogram(2);
        hdrB = new DoubleHistogram(2);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            double a = latency(r);
            double b = latency(r);
            oursA.add(a);
            oursB.add(b);
            ddA.accept(a);
            ddB.accept(b);
            hdrA.recordValue(a);
            hdrB.recordValue(b);
        }
        oursBytes = oursB.toBytes();
    }

    private static double latency(SplittableRandom r) {
        double g = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        return Math.exp(Math.log(20) + 1.2 * g);
    }

    @Benchmark
    public QuantileSketch oursMerge() {
        QuantileSketch c = oursA.copy();
        c.merge(oursB);
        return c;
    }

    @Benchmark
    public DDSketch ddsketchMerge() {
        DDSketch c = ddA.copy();
        c.mergeWith(ddB);
        return c;
    }

    @Benchmark
    public DoubleHistogram hdrMerge() {
        DoubleHistogram c = hdrA.copy();
        c.add(hdrB);
        return c;
    }

    @Benchmark
    public QuantileSketch oursCopyOnly() {
        return oursA.copy();
    }

    @Benchmark
    public byte[] oursSerialize() {
        return oursB.toBytes();
    }

    @Benchmark
    public QuantileSketch oursDeserialize() {
        return QuantileSketch.fromBytes(oursBytes);
    }
}
