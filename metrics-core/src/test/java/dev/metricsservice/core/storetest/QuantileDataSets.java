package dev.metricsservice.core.storetest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Quantiles;
import dev.metricsservice.core.Stats;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * The data sets quantile accuracy is tested on, through the core API and through HTTP alike, and
 * the check every reported quantile must pass.
 *
 * <p>Rank convention: for quantile {@code q} of {@code n} samples the exact value is the sample of
 * rank {@code floor(q (n - 1))} (0-based) in ascending order, and a reported value must lie within
 * the relative accuracy of it: {@code |reported - exact| <= accuracy * |exact|} (so an exact zero
 * must be reported as zero).
 *
 * <p>Values are rounded to multiples of a power of two small enough for the data (2^-20 for most)
 * so that their sum is exact in any order: the tests can then check the sum exactly, not within a
 * tolerance. The one exception is the set spanning 1e-6 to 1e9, whose values no single power of
 * two can make exactly summable; its sum is checked to within one part in 1e12.
 */
public final class QuantileDataSets {

    /** The quantiles every test asks for. */
    public static final Quantiles QUANTILES = Quantiles.of(0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1);

    /**
     * One data set.
     *
     * @param name     what it is
     * @param values   the samples, in the order they are sent
     * @param exactSum whether their sum is exact in every order
     */
    public record DataSet(String name, double[] values, boolean exactSum) {
        /** The values in ascending order. */
        public double[] sorted() {
            double[] s = values.clone();
            Arrays.sort(s);
            return s;
        }
    }

    private QuantileDataSets() {
    }

    /** The six data sets, {@code n} samples each. */
    public static List<DataSet> all(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return List.of(
                new DataSet("lognormal", data(n, 0x1p-20, () -> Math.exp(1 + 2 * gaussian(r))), true),
                new DataSet("pareto", data(n, 0x1p-10, () -> 1 / Math.pow(1 - r.nextDouble(), 1 / 1.1)), true),
                new DataSet("bimodal", data(n, 0x1p-20,
                        () -> r.nextBoolean() ? 5 + gaussian(r) * 0.5 : 500 + gaussian(r) * 20), true),
                new DataSet("integers", data(n, 1, () -> r.nextInt(1, 1000)), true),
                new DataSet("1e-6..1e9", data(n, 0, () -> Math.pow(10, -6 + 15 * r.nextDouble())), false),
                new DataSet("zeros-and-negatives", data(n, 0x1p-16, () -> switch (r.nextInt(3)) {
                    case 0 -> 0.0;
                    case 1 -> -Math.exp(3 * gaussian(r));
                    default -> Math.exp(3 * gaussian(r));
                }), true));
    }

    private static double[] data(int n, double unit, DoubleSupplier next) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double x = next.getAsDouble();
            v[i] = unit == 0 ? x : Math.rint(x / unit) * unit + 0.0; // + 0.0 turns -0.0 into 0.0
        }
        return v;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The exact value at quantile {@code q} of ascending {@code sorted}, by the rank convention. */
    public static double exact(double[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    /**
     * Checks count, sum, min and max of {@code got} against {@code values}, and every quantile of
     * {@link #QUANTILES} in {@code reported} (in that order) against the exact one.
     *
     * @return the largest relative error seen, for the accuracy figures
     */
    public static double assertAccurate(String what, DataSet set, double[] values, Stats got, double[] reported,
                                        double accuracy) {
        return assertAccurate(what, set, values, new Reported(got.count(), got.sketchCount(), got.sum(), got.min(),
                got.max(), reported), accuracy);
    }

    /** A row as a client reads it: the numbers, and the quantiles in the order of {@link #QUANTILES}. */
    public record Reported(long count, long sketchCount, double sum, double min, double max, double[] quantiles) {
    }

    /** {@link #assertAccurate(String, DataSet, double[], Stats, double[], double)} for a row read over the wire. */
    public static double assertAccurate(String what, DataSet set, double[] values, Reported got, double accuracy) {
        double[] reported = got.quantiles();
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        assertThat(got.count()).as("%s count", what).isEqualTo(values.length);
        assertThat(got.sketchCount()).as("%s sketch count", what).isEqualTo(values.length);
        assertThat(got.min()).as("%s min", what).isEqualTo(sorted[0]);
        assertThat(got.max()).as("%s max", what).isEqualTo(sorted[sorted.length - 1]);
        if (set.exactSum()) {
            assertThat(got.sum()).as("%s sum", what).isEqualTo(sum);
        } else {
            assertThat(Math.abs(got.sum() - sum)).as("%s sum", what).isLessThanOrEqualTo(Math.abs(sum) * 1e-12);
        }
        double worst = 0;
        for (int i = 0; i < QUANTILES.size(); i++) {
            double q = QUANTILES.get(i);
            double exact = exact(sorted, q);
            double error = Math.abs(reported[i] - exact);
            assertThat(error).as("%s q=%s exact=%s reported=%s", what, q, exact, reported[i])
                    .isLessThanOrEqualTo(accuracy * Math.abs(exact) * (1 + 1e-9));
            if (exact != 0) {
                worst = Math.max(worst, error / Math.abs(exact));
            }
        }
        return worst;
    }
}
