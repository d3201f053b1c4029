package dev.metricsservice.core;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * The quantiles a query asks for, each in [0, 1], in the order asked, without repeats; and their
 * values for one row.
 *
 * <pre>{@code
 * Quantiles qs = Quantiles.parse("0.5,0.9,0.99");       // or Quantiles.of(0.5, 0.9, 0.99)
 * QueryResult r = queries.query(MetricQuery.latest("latency", 10), qs).join();
 * for (WindowStats row : r.rows()) {
 *     double[] v = qs.valuesOf(row.stats());           // v[2] is the row's p99
 * }
 * }</pre>
 *
 * <p>A value answers for the sample of rank {@code floor(q (n - 1))} among the row's {@code n}
 * samples, within the sketch's relative accuracy (see {@link Stats#quantile}). Immutable and
 * thread-safe.
 */
public final class Quantiles {

    /** Most quantiles one query may ask for. */
    public static final int MAX_QUANTILES = 32;

    private final double[] values;
    private final String[] labels;

    private Quantiles(double[] values) {
        this.values = values;
        this.labels = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            labels[i] = label(values[i]);
        }
    }

    /**
     * The quantiles {@code qs}, repeats dropped.
     *
     * @throws IllegalArgumentException when one is outside [0, 1] (or NaN), when there are none, or
     *     more than {@value #MAX_QUANTILES}
     */
    public static Quantiles of(double... qs) {
        if (qs.length == 0) {
            throw new IllegalArgumentException("at least one quantile is needed");
        }
        double[] kept = new double[qs.length];
        int n = 0;
        for (double q : qs) {
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("a quantile must be a number from 0 to 1, was " + q);
            }
            boolean seen = false;
            for (int i = 0; i < n; i++) {
                seen |= kept[i] == q;
            }
            if (!seen) {
                kept[n++] = q;
            }
        }
        if (n > MAX_QUANTILES) {
            throw new IllegalArgumentException("at most " + MAX_QUANTILES + " quantiles may be asked for, got " + n);
        }
        return new Quantiles(Arrays.copyOf(kept, n));
    }

    /**
     * Quantiles written as decimal numbers separated by commas, as in {@code "0.5,0.99,0.999"}.
     *
     * @throws IllegalArgumentException naming the first entry that is not a number from 0 to 1
     */
    public static Quantiles parse(String commaSeparated) {
        String[] parts = commaSeparated.split(",", -1);
        if (parts.length > MAX_QUANTILES) {
            throw new IllegalArgumentException("at most " + MAX_QUANTILES + " quantiles may be asked for, got "
                    + parts.length);
        }
        double[] qs = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            double q;
            // Plain decimals only: no hex floats, exponents, signs or "NaN" that parseDouble would take.
            if (p.isEmpty() || p.length() > 20 || !p.matches("[0-9]*\\.?[0-9]*") || p.equals(".")) {
                q = Double.NaN;
            } else {
                q = Double.parseDouble(p);
            }
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("each quantile must be a decimal number from 0 to 1, got '"
                        + (p.length() > 40 ? p.substring(0, 37) + "..." : p) + "'");
            }
            qs[i] = q;
        }
        return of(qs);
    }

    /** How many quantiles. */
    public int size() {
        return values.length;
    }

    /** The {@code i}-th quantile. */
    public double get(int i) {
        return values[i];
    }

    /** The {@code i}-th quantile as a key: its shortest decimal form ("0.5", "0.99", "1", "0"). */
    public String label(int i) {
        return labels[i];
    }

    /** The quantiles' values in {@code stats} (NaN where it keeps no sketch), in this order. */
    public double[] valuesOf(Stats stats) {
        double[] v = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            v[i] = stats.quantile(values[i]);
        }
        return v;
    }

    private static String label(double q) {
        return new BigDecimal(Double.toString(q)).stripTrailingZeros().toPlainString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantiles other && Arrays.equals(other.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Quantiles" + Arrays.toString(labels);
    }
}
