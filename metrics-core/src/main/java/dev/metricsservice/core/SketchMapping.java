package dev.metricsservice.core;

/**
 * Maps a positive magnitude to the index of its logarithmic bucket, and an index back to the value
 * the bucket answers with. Immutable and thread-safe.
 *
 * <h2>Why not {@code Math.log}</h2>
 * The record path computes an index per sample. An exact logarithm costs tens of nanoseconds; the
 * exponent of a double plus a quadratic in its mantissa costs a few. Write a positive double as
 * {@code 2^e (1 + s)} with {@code s} in [0, 1) and let
 * {@code f(x) = e + (4s - s^2) / 3}: continuous, strictly increasing, exact at powers of two, and
 * its slope against {@code log2 x}, {@code ln 2 (4 + 2s - 2s^2) / 3}, never falls below
 * {@code DMIN = 4 ln 2 / 3 ~ 0.924}. Bucket {@code i} holds the values with
 * {@code i - 1 < f(x) * multiplier <= i}; choosing {@code multiplier = 1 / (DMIN log2 gamma)}
 * makes every bucket span at most a factor {@code gamma = (1 + a) / (1 - a)}, so that its
 * answer, the harmonic mean of its bounds, is within relative accuracy {@code a} of anything in
 * it. The price is about 8 % more buckets than exact logarithms need.
 *
 * <p>Subnormal magnitudes (below about 2.2e-308) are scaled into the normal range first; their
 * buckets still hold, but their answers lose precision with the mantissa bits they lack.
 */
final class SketchMapping {

    /** The smallest slope of the index function against log2 x (see the class comment). */
    static final double DMIN = 4 * Math.log(2) / 3;
    /** Smallest relative accuracy accepted: keeps every index of a finite double inside an int. */
    static final double MIN_ACCURACY = 1e-6;

    private static final long MANTISSA_MASK = 0x000F_FFFF_FFFF_FFFFL;
    private static final long EXPONENT_OF_ONE = 0x3FF0_0000_0000_0000L;

    final double relativeAccuracy;
    final double gamma;
    /** Buckets per unit of f. */
    final double multiplier;

    SketchMapping(double relativeAccuracy) {
        if (!(relativeAccuracy >= MIN_ACCURACY && relativeAccuracy < 1)) {
            throw new IllegalArgumentException("relative accuracy must be at least " + MIN_ACCURACY
                    + " and below 1, was " + relativeAccuracy);
        }
        this.relativeAccuracy = relativeAccuracy;
        this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        this.multiplier = 1 / (DMIN * (Math.log(gamma) / Math.log(2)));
    }

    /** The bucket of a positive, finite magnitude. */
    int index(double magnitude) {
        return index(magnitude, multiplier);
    }

    /**
     * {@link #index(double)} with this mapping's {@link #multiplier} passed in: the record path
     * keeps the multiplier in the stripe it already holds, which saves two dependent loads.
     */
    static int index(double magnitude, double multiplier) {
        double f = (Double.doubleToRawLongBits(magnitude) >>> 52) == 0
                ? logLike(magnitude * 0x1p64) - 64 // subnormal: scaled into the normal range first
                : logLike(magnitude);
        return ceil(f * multiplier);
    }

    /**
     * {@code (int) Math.ceil(x)} for |x| < 2^31, without the rounding instruction: the cast
     * truncates towards zero, which is the ceiling for negatives and the floor for positives, so
     * a positive x with a fraction gets one more.
     */
    static int ceil(double x) {
        int t = (int) x;
        return x > t ? t + 1 : t;
    }

    /** f(x) = e + (4s - s^2) / 3 of a positive normal double x = 2^e (1 + s). */
    private static double logLike(double normal) {
        long bits = Double.doubleToRawLongBits(normal);
        double s = Double.longBitsToDouble((bits & MANTISSA_MASK) | EXPONENT_OF_ONE) - 1;
        return ((int) (bits >>> 52) - 1023) + s * (4 - s) * (1.0 / 3);
    }

    /** The inverse of the index function: the magnitude with {@code f(x) = f}. */
    private static double inverse(double f) {
        double e = Math.floor(f);
        double t = f - e;
        // s^2 - 4s + 3t = 0, the root in [0, 1]
        double s = 2 - Math.sqrt(4 - 3 * t);
        return Math.scalb(1 + s, (int) e);
    }

    /** The smallest magnitude that could be in bucket {@code index} (exclusive bound). */
    double lowerBound(int index) {
        return Math.max(Double.MIN_VALUE, inverse((index - 1) / multiplier));
    }

    /** The largest magnitude in bucket {@code index} (inclusive bound). */
    double upperBound(int index) {
        return Math.min(Double.MAX_VALUE, inverse(index / multiplier));
    }

    /** What bucket {@code index} answers with: within the relative accuracy of everything in it. */
    double value(int index) {
        double lo = lowerBound(index);
        double hi = upperBound(index);
        double ratio = hi / lo; // the harmonic mean 2 lo hi / (lo + hi), without overflowing near MAX_VALUE
        return lo * (2 * ratio / (1 + ratio));
    }
}
