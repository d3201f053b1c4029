package dev.metricsservice.core;

/**
 * Count, sum, minimum and maximum of a set of samples (and, for gauges, the last sample): the
 * value of one time window.
 *
 * <pre>{@code
 * Stats a = Stats.of(42.5);
 * Stats b = Stats.of(3, 30.0, 5.0, 15.0);
 * Stats both = a.merge(b);          // count 4, sum 72.5, min 5.0, max 42.5
 * double mean = both.mean();        // 18.125
 * Stats g = Stats.ofLast(7.0, 1_764_000_000_123L).merge(Stats.ofLast(9.0, 1_764_000_000_456L));
 * double level = g.last();          // 9.0: the later sample
 * }</pre>
 *
 * <p>{@link #merge} is the one place where two aggregates of the same window are combined: by the
 * stores across writers, by the query path across memory and storage, and by the tests. A field
 * added here (a quantile sketch, say) is therefore merged everywhere at once.
 *
 * <p>The last value is kept only by gauges ({@link MetricType#GAUGE}); other aggregates have none
 * ({@link #hasLast()} is false, {@link #last()} is NaN). Merging keeps the sample with the later
 * timestamp, and of two with the same timestamp the larger value ({@link Double#compare}), so
 * that the result does not depend on the order of merges.
 *
 * <p>Immutable and thread-safe. An empty value has count 0, sum 0 and min/max of +/-infinity, so
 * that it is the identity of {@code merge}.
 *
 * @param count           number of samples, never negative
 * @param sum             sum of the samples
 * @param min             smallest sample, {@code +Infinity} when empty
 * @param max             largest sample, {@code -Infinity} when empty
 * @param last            the last sample by timestamp, NaN when not kept
 * @param lastEpochMillis that sample's timestamp in epoch milliseconds, {@link #NO_LAST} when not
 *                        kept
 */
public record Stats(long count, double sum, double min, double max, double last, long lastEpochMillis) {

    /** The {@link #lastEpochMillis()} of an aggregate that keeps no last value. */
    public static final long NO_LAST = Long.MIN_VALUE;

    /** The aggregate of no samples; {@code EMPTY.merge(x).equals(x)} for every {@code x}. */
    public static final Stats EMPTY = new Stats(0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);

    public Stats {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
        if (count > 0 && !(min <= max)) {
            throw new IllegalArgumentException("min " + min + " must not exceed max " + max);
        }
        if (lastEpochMillis == NO_LAST) {
            last = Double.NaN;
        }
    }

    /** An aggregate without a last value. */
    public Stats(long count, double sum, double min, double max) {
        this(count, sum, min, max, Double.NaN, NO_LAST);
    }

    /** The aggregate of a single sample. */
    public static Stats of(double value) {
        return new Stats(1, value, value, value);
    }

    /** The aggregate of a single gauge sample taken at {@code epochMillis}. */
    public static Stats ofLast(double value, long epochMillis) {
        return new Stats(1, value, value, value, value, epochMillis);
    }

    /** An aggregate from its four parts. */
    public static Stats of(long count, double sum, double min, double max) {
        return count == 0 ? EMPTY : new Stats(count, sum, min, max);
    }

    /** True when a last value is kept (gauges). */
    public boolean hasLast() {
        return lastEpochMillis != NO_LAST;
    }

    /**
     * Combines two aggregates of the same window (or of windows merged into one step): counts and
     * sums add, min of mins, max of maxes, the later last value.
     */
    public Stats merge(Stats other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        boolean theirs = isLater(other.last, other.lastEpochMillis, last, lastEpochMillis);
        return new Stats(count + other.count, sum + other.sum, Math.min(min, other.min), Math.max(max, other.max),
                theirs ? other.last : last, theirs ? other.lastEpochMillis : lastEpochMillis);
    }

    /** True when {@code (value, epochMillis)} would replace this aggregate's last value. */
    static boolean isLater(double value, long epochMillis, double last, long lastEpochMillis) {
        return epochMillis > lastEpochMillis || (epochMillis == lastEpochMillis && Double.compare(value, last) > 0);
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
