package dev.metricsservice.core;

/**
 * Count, sum, minimum and maximum of a set of samples: the value of one time window.
 *
 * <pre>{@code
 * Stats a = Stats.of(42.5);
 * Stats b = Stats.of(3, 30.0, 5.0, 15.0);
 * Stats both = a.merge(b);          // count 4, sum 72.5, min 5.0, max 42.5
 * double mean = both.mean();        // 18.125
 * }</pre>
 *
 * <p>{@link #merge} is the one place where two aggregates of the same window are combined: by the
 * stores across writers, by the query path across memory and storage, and by the tests. A field
 * added here (a quantile sketch, say) is therefore merged everywhere at once.
 *
 * <p>Immutable and thread-safe. An empty value has count 0, sum 0 and min/max of +/-infinity, so
 * that it is the identity of {@code merge}.
 *
 * @param count number of samples, never negative
 * @param sum   sum of the samples
 * @param min   smallest sample, {@code +Infinity} when empty
 * @param max   largest sample, {@code -Infinity} when empty
 */
public record Stats(long count, double sum, double min, double max) {

    /** The aggregate of no samples; {@code EMPTY.merge(x).equals(x)} for every {@code x}. */
    public static final Stats EMPTY = new Stats(0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);

    public Stats {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
        if (count > 0 && !(min <= max)) {
            throw new IllegalArgumentException("min " + min + " must not exceed max " + max);
        }
    }

    /** The aggregate of a single sample. */
    public static Stats of(double value) {
        return new Stats(1, value, value, value);
    }

    /** An aggregate from its four parts. */
    public static Stats of(long count, double sum, double min, double max) {
        return count == 0 ? EMPTY : new Stats(count, sum, min, max);
    }

    /** Combines two aggregates of the same window: counts and sums add, min of mins, max of maxes. */
    public Stats merge(Stats other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        return new Stats(count + other.count, sum + other.sum, Math.min(min, other.min), Math.max(max, other.max));
    }

    /** Arithmetic mean, or {@code NaN} when empty. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** True when no sample was aggregated. */
    public boolean isEmpty() {
        return count == 0;
    }
}
