package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class QuantileSketchTest {

    private static final double ACCURACY = 0.01;
    private static final double[] QUANTILES = {0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1};

    private static double[] data(int n, DoubleSupplier next) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = next.getAsDouble();
        }
        return v;
    }

    /** Every quantile within the accuracy of the exact value at rank floor(q * (n - 1)). */
    private static void assertAccurate(String what, double[] values, QuantileSketch s) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        assertThat(s.count()).as(what).isEqualTo(values.length);
        for (double q : QUANTILES) {
            double exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
            double got = s.quantile(q);
            // 1e-12 of slack for the rounding of log() at a bucket's edge.
            assertThat(Math.abs(got - exact)).as("%s q=%s exact=%s got=%s", what, q, exact, got)
                    .isLessThanOrEqualTo(ACCURACY * Math.abs(exact) * (1 + 1e-12));
        }
    }

    private static QuantileSketch sketchOf(double[] values) {
        QuantileSketch s = new QuantileSketch(ACCURACY, 4096);
        for (double v : values) {
            s.add(v);
        }
        return s;
    }

    @Test
    void quantile_everyDataSet_isWithinTheRelativeAccuracyAtTheSameRank() {
        SplittableRandom r = new SplittableRandom(42);
        int n = 100_000;
        double[][] sets = {
                data(n, () -> Math.exp(1 + 2 * gaussian(r))),                            // lognormal
                data(n, () -> 1 / Math.pow(1 - r.nextDouble(), 1 / 1.1)),               // Pareto, alpha 1.1
                data(n, () -> r.nextBoolean() ? 5 + gaussian(r) * 0.5 : 500 + gaussian(r) * 20), // bimodal
                data(n, () -> r.nextInt(1, 1000)),                                       // integers
                data(n, () -> Math.pow(10, -6 + 15 * r.nextDouble())),                   // 1e-6 .. 1e9
                data(n, () -> switch (r.nextInt(3)) {                                    // zeros and negatives
                    case 0 -> 0.0;
                    case 1 -> -Math.exp(3 * gaussian(r));
                    default -> Math.exp(3 * gaussian(r));
                }),
        };
        String[] names = {"lognormal", "pareto", "bimodal", "integers", "1e-6..1e9", "zeros-and-negatives"};
        for (int i = 0; i < sets.length; i++) {
            assertAccurate(names[i], sets[i], sketchOf(sets[i]));
        }
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller, enough for test data.
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void merge_ofParts_isExactlyTheSketchOfTheWhole() {
        SplittableRandom r = new SplittableRandom(7);
        double[] all = data(50_000, () -> (r.nextInt(10) == 0 ? -1 : 1) * Math.exp(4 * gaussian(r)));
        QuantileSketch whole = sketchOf(all);
        QuantileSketch merged = new QuantileSketch(ACCURACY, 4096);
        for (int part = 0; part < 5; part++) {
            merged.merge(sketchOf(Arrays.copyOfRange(all, part * 10_000, (part + 1) * 10_000)));
        }

        assertThat(merged).isEqualTo(whole);
        for (double q : QUANTILES) {
            assertThat(merged.quantile(q)).isEqualTo(whole.quantile(q));
        }
        assertAccurate("merged", all, merged);
    }

    @Test
    void toBytes_roundTripsExactlyAndStaysSmall() {
        SplittableRandom r = new SplittableRandom(3);
        double[] latencies = data(100_000, () -> Math.exp(1 + gaussian(r)));
        QuantileSketch s = sketchOf(latencies);
        s.add(0.0, 17);
        s.add(-3.5);

        byte[] bytes = s.toBytes();
        QuantileSketch back = QuantileSketch.fromBytes(bytes);

        assertThat(back).isEqualTo(s);
        assertThat(back.quantile(0.99)).isEqualTo(s.quantile(0.99));
        assertThat(bytes.length).as("bytes for %d buckets", s.bucketCount()).isLessThan(4 * s.bucketCount() + 64);
        assertThat(QuantileSketch.fromBytes(new QuantileSketch(0.02, 64).toBytes()).count()).isZero();
    }

    @Test
    void fromBytes_badInput_saysWhat() {
        assertThatThrownBy(() -> QuantileSketch.fromBytes(new byte[] {9})).hasMessageContaining("version 9");
        byte[] good = sketchOf(new double[] {1, 2, 3}).toBytes();
        assertThatThrownBy(() -> QuantileSketch.fromBytes(Arrays.copyOf(good, good.length - 1)))
                .hasMessageContaining("end early");
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> QuantileSketch.fromBytes(longer)).hasMessageContaining("continue after");
    }

    @Test
    void maxBuckets_foldsTheSmallestMagnitudesAndKeepsCountsAndTheTopAccurate() {
        QuantileSketch s = new QuantileSketch(ACCURACY, 64);
        double[] values = data(10_000, new DoubleSupplier() {
            private int i;

            @Override
            public double getAsDouble() {
                return Math.pow(10, -6 + 15.0 * (i++ % 1000) / 1000); // 1e-6 .. 1e9, far more than 64 buckets
            }
        });
        for (double v : values) {
            s.add(v);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);

        assertThat(s.count()).isEqualTo(values.length);
        assertThat(s.bucketCount()).isLessThanOrEqualTo(64);
        // 64 buckets at 1 % span a factor of about 3.6; the top quantiles are still within 1 %.
        double exactMax = sorted[sorted.length - 1];
        assertThat(Math.abs(s.quantile(1) - exactMax)).isLessThanOrEqualTo(ACCURACY * exactMax * (1 + 1e-12));
        // The low quantiles fold into the lowest bucket kept: an overestimate, never an underestimate.
        assertThat(s.quantile(0.01)).isGreaterThan(sorted[(int) Math.floor(0.01 * (sorted.length - 1))]);
    }

    @Test
    void add_badValues_areRefused() {
        QuantileSketch s = new QuantileSketch(ACCURACY, 64);
        assertThatThrownBy(() -> s.add(Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> new QuantileSketch(0, 64)).hasMessageContaining("relative accuracy");
        assertThatThrownBy(() -> new QuantileSketch(0.01, 8)).hasMessageContaining("maxBuckets");
        assertThatThrownBy(() -> s.quantile(1.5)).hasMessageContaining("between 0 and 1");
        assertThat(s.quantile(0.5)).isNaN();
    }

    @Test
    void index_everyFiniteMagnitude_fallsInsideItsBucketAndEveryBucketSpansAtMostGamma() {
        SketchMapping m = new SketchMapping(ACCURACY);
        SplittableRandom r = new SplittableRandom(11);
        for (int k = 0; k < 200_000; k++) {
            // Uniform over the bit patterns of positive finite doubles: every exponent, subnormals too.
            double x = Double.longBitsToDouble(r.nextLong(1, 0x7FF0_0000_0000_0000L));
            int i = m.index(x);
            assertThat(x).as("x=%s i=%d", x, i).isGreaterThan(m.lowerBound(i) * (1 - 1e-12))
                    .isLessThanOrEqualTo(m.upperBound(i) * (1 + 1e-12));
            if (x > 1e-300) { // normal range: the bucket's answer is within the accuracy of x
                assertThat(Math.abs(m.value(i) - x)).as("x=%s", x).isLessThanOrEqualTo(ACCURACY * x * (1 + 1e-12));
            }
        }
        for (int i = -35_000; i < 35_000; i += 7) {
            assertThat(m.upperBound(i) / m.lowerBound(i)).as("bucket %d", i).isLessThanOrEqualTo(m.gamma * (1 + 1e-12));
        }
        assertThat(m.index(Double.MIN_VALUE)).isLessThan(m.index(Double.MIN_NORMAL)).isLessThan(m.index(1.0));
        assertThat(m.index(Double.MAX_VALUE)).isGreaterThan(m.index(1e300));
    }

    @Test
    void merge_ofAnotherAccuracy_staysWithinTheSumOfBoth() {
        SplittableRandom r = new SplittableRandom(5);
        double[] a = data(20_000, () -> Math.exp(2 * gaussian(r)));
        double[] b = data(20_000, () -> Math.exp(2 * gaussian(r)));
        QuantileSketch coarse = new QuantileSketch(0.02, 4096);
        for (double v : a) {
            coarse.add(v);
        }
        QuantileSketch fine = sketchOf(b);
        coarse.merge(fine);
        double[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        assertThat(coarse.count()).isEqualTo(all.length);
        for (double q : QUANTILES) {
            double exact = all[(int) Math.floor(q * (all.length - 1))];
            assertThat(Math.abs(coarse.quantile(q) - exact)).as("q=%s", q).isLessThanOrEqualTo(0.0302 * exact);
        }
    }

    @Test
    void maxBuckets_foldedSketches_mergeExactlyWhateverTheSplitAndOrder() {
        SplittableRandom r = new SplittableRandom(13);
        double[] all = data(30_000, () -> (r.nextInt(4) == 0 ? -1 : 1) * Math.pow(10, -6 + 15 * r.nextDouble()));
        QuantileSketch whole = new QuantileSketch(ACCURACY, 100);
        for (double v : all) {
            whole.add(v);
        }
        for (int trial = 0; trial < 5; trial++) {
            QuantileSketch[] parts = new QuantileSketch[1 + r.nextInt(6)];
            for (int p = 0; p < parts.length; p++) {
                parts[p] = new QuantileSketch(ACCURACY, 100);
            }
            for (int k = all.length - 1; k >= 0; k--) { // reverse order, random part
                parts[r.nextInt(parts.length)].add(all[k]);
            }
            QuantileSketch merged = new QuantileSketch(ACCURACY, 100);
            for (QuantileSketch p : parts) {
                merged.merge(p);
            }
            assertThat(merged).as("trial %d", trial).isEqualTo(whole);
            assertThat(QuantileSketch.fromBytes(merged.toBytes())).isEqualTo(whole);
        }
        assertThat(whole.bucketCount()).isLessThanOrEqualTo(200);
    }

    @Test
    void minus_ofAnEarlierCopy_isTheSketchOfWhatCameSince() {
        SplittableRandom r = new SplittableRandom(17);
        double[] early = data(5_000, () -> Math.exp(gaussian(r)));
        double[] later = data(5_000, () -> (r.nextInt(5) == 0 ? 0.0 : 1) * Math.exp(8 * gaussian(r)));
        QuantileSketch running = new QuantileSketch(ACCURACY, 200); // small enough to fold in between
        for (double v : early) {
            running.add(v);
        }
        QuantileSketch prefix = running.copy();
        QuantileSketch since = new QuantileSketch(ACCURACY, 200);
        for (double v : later) {
            running.add(v);
            since.add(v);
        }
        QuantileSketch diff = running.minus(prefix);
        assertThat(diff.count()).isEqualTo(later.length);
        QuantileSketch back = diff.copy();
        back.merge(prefix);
        assertThat(back).isEqualTo(running);
        assertThatThrownBy(() -> prefix.minus(running)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxSerializedBytes_boundsTheWorstSketch() {
        for (int max : new int[] {16, 2048, QuantileSketch.MAX_BUCKETS_LIMIT}) {
            QuantileSketch s = new QuantileSketch(ACCURACY, max);
            // Every other bucket of both signs, each with a count that takes the longest varint.
            for (int i = 0; i < max; i += 2) {
                double v = Math.pow((1 + ACCURACY) / (1 - ACCURACY), i * 1.0);
                s.add(v, Long.MAX_VALUE / (4L * max));
                s.add(-v, Long.MAX_VALUE / (4L * max));
            }
            assertThat(s.toBytes().length).as("max %d", max).isLessThanOrEqualTo(QuantileSketch.maxSerializedBytes(max));
        }
        assertThat(QuantileSketch.maxSerializedBytes(2048)).isLessThan(400 * 1024 / 4);
    }
}
