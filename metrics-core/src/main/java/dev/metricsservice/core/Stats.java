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
 * <p>A distribution's aggregate also carries a {@link QuantileSketch} ({@link #hasSketch()}), merged
 * bucket by bucket, so that {@link #quantile} answers for the merged samples within the sketch's
 * relative accuracy. A row stored before sketches existed has none; merged with one that has,
 * the result keeps the sketch, and {@link #sketchCount()} says how many samples it covers.
 *
 * <p>Immutable and thread-safe: the sketch is never changed after construction (the constructor
 * takes ownership of the one it is given; {@link #sketch()} hands out copies). An empty value has
 * count 0, sum 0 and min/max of +/-infinity, so that it is the identity of {@code merge}.
 *
 * @param count           number of samples, never negative
 * @param sum             sum of the samples
 * @param min             smallest sample, {@code +Infinity} when empty
 * @param max             largest sample, {@code -Infinity} when empty
 * @param last            the last sample by timestamp, NaN when not kept
 * @param lastEpochMillis that sample's timestamp in epoch milliseconds, {@link #NO_LAST} when not
 *                        kept
 * @param sketch          the quantile sketch of the samples (distributions), or null when none is
 *                        kept; owned by this value from construction on
 * @param distinct        the distinct-value sketch of the samples (sets), or null when none is kept;
 *                        owned by this value from construction on
 */
public record Stats(long count, double sum, double min, double max, double last, long lastEpochMillis,
                    QuantileSketch sketch, DistinctSketch distinct) {

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
        if (sketch != null && sketch.count() > count) {
            throw new IllegalArgumentException("the sketch holds " + sketch.count() + " samples, more than the count "
                    + count);
        }
    }

    /** An aggregate with a quantile sketch (or none) and no distinct-value sketch. */
    public Stats(long count, double sum, double min, double max, double last, long lastEpochMillis,
                 QuantileSketch sketch) {
        this(count, sum, min, max, last, lastEpochMillis, sketch, null);
    }

    /** An aggregate without a sketch. */
    public Stats(long count, double sum, double min, double max, double last, long lastEpochMillis) {
        this(count, sum, min, max, last, lastEpochMillis, null, null);
    }

    /** An aggregate without a last value or a sketch. */
    public Stats(long count, double sum, double min, double max) {
        this(count, sum, min, max, Double.NaN, NO_LAST, null, null);
    }

    /** This aggregate with {@code s} as its sketch (taking ownership of it). */
    public Stats withSketch(QuantileSketch s) {
        return new Stats(count, sum, min, max, last, lastEpochMillis, s, distinct);
    }

    /** This aggregate with {@code d} as its distinct-value sketch (taking ownership of it). */
    public Stats withDistinct(DistinctSketch d) {
        return new Stats(count, sum, min, max, last, lastEpochMillis, sketch, d);
    }

    /** True when a distinct-value sketch is kept (sets). */
    public boolean hasDistinct() {
        return distinct != null;
    }

    /** A copy of the distinct-value sketch, or null when none is kept; see {@link #hasDistinct()}. */
    @Override
    public DistinctSketch distinct() {
        return distinct == null ? null : distinct.copy();
    }

    /**
     * The estimated number of distinct sample values ({@link DistinctSketch#estimate()}), or -1 when
     * no distinct-value sketch is kept.
     */
    public long distinctEstimate() {
        return distinct == null ? -1 : distinct.estimate();
    }

    /** The distinct-value sketch in its serialized form, or null when none is kept. */
    public byte[] distinctBytes() {
        return distinct == null ? null : distinct.toBytes();
    }

    /** True when a quantile sketch is kept (distributions). */
    public boolean hasSketch() {
        return sketch != null;
    }

    /** A copy of the quantile sketch, or null when none is kept; see {@link #hasSketch()}. */
    @Override
    public QuantileSketch sketch() {
        return sketch == null ? null : sketch.copy();
    }

    /** Samples the sketch covers: {@link #count()} unless rows without a sketch were merged in; 0 without one. */
    public long sketchCount() {
        return sketch == null ? 0 : sketch.count();
    }

    /** The sketch in its serialized form ({@link QuantileSketch#toBytes()}), or null when none is kept. */
    public byte[] sketchBytes() {
        return sketch == null ? null : sketch.toBytes();
    }

    /**
     * The value at quantile {@code q} (rank {@code floor(q (n - 1))} of the samples the sketch
     * covers), clamped to [min, max], which keeps the accuracy bound; 0 and 1 answer the exact min
     * and max when the sketch covers every sample. NaN when no sketch is kept or it is empty.
     *
     * @throws IllegalArgumentException when q is outside [0, 1]
     */
    public double quantile(double q) {
        if (sketch == null || sketch.count() == 0) {
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("quantile must be between 0 and 1, was " + q);
            }
            return Double.NaN;
        }
        double v = sketch.quantile(q);
        if (sketch.count() == count && (q == 0 || q == 1)) {
            return q == 0 ? min : max;
        }
        return Math.max(min, Math.min(max, v));
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
     * sums add, min of mins, max of maxes, the later last value, sketches bucket by bucket.
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
                theirs ? other.last : last, theirs ? other.lastEpochMillis : lastEpochMillis,
                mergeSketches(sketch, other.sketch), union(distinct, other.distinct));
    }

    /** A new sketch of both unions (either may be null). */
    private static DistinctSketch union(DistinctSketch a, DistinctSketch b) {
        if (a == null) {
            return b; // immutable by contract, so sharing is safe
        }
        if (b == null) {
            return a;
        }
        DistinctSketch merged = a.copy();
        merged.merge(b);
        return merged;
    }

    /** A new sketch holding both (either may be null); of two accuracies, the coarser takes the finer. */
    private static QuantileSketch mergeSketches(QuantileSketch a, QuantileSketch b) {
        if (a == null) {
            return b; // immutable by contract, so sharing is safe
        }
        if (b == null) {
            return a;
        }
        boolean aCoarser = a.relativeAccuracy() >= b.relativeAccuracy();
        QuantileSketch merged = (aCoarser ? a : b).copy();
        merged.merge(aCoarser ? b : a);
        return merged;
    }

    /**
     * What this aggregate holds beyond {@code prefix}, an earlier read of the same growing window:
     * count, sum and sketch by difference; min, max and last of the whole, which dominate the
     * prefix's, so that merging the result with the prefix gives this aggregate back. A distinct
     * sketch cannot be subtracted and need not be: the whole one is kept, which the union with the
     * prefix's leaves as it is.
     */
    Stats since(Stats prefix) {
        QuantileSketch rest = sketch == null || prefix.sketch == null ? sketch : sketch.minus(prefix.sketch);
        return new Stats(count - prefix.count, sum - prefix.sum, min, max, last, lastEpochMillis, rest, distinct);
    }

    /** The sketch itself, not a copy, for code in this package that does not change it. */
    QuantileSketch sketchView() {
        return sketch;
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
