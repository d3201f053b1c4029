package dev.metricsservice.core;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A mergeable quantile sketch with a relative-error guarantee, in the manner of DDSketch: every
 * value falls into a bucket of logarithmic width, so that any quantile is answered with a value
 * within {@code relativeAccuracy} of the true value at the same rank, and two sketches of the same
 * accuracy merge into exactly the sketch one would have built from all their values.
 *
 * <pre>{@code
 * QuantileSketch s = new QuantileSketch(0.01, 4096);
 * for (double latency : latencies) s.add(latency);
 * double p99 = s.quantile(0.99);            // within 1 % of the exact p99
 * s.merge(otherWritersSketch);              // exact: bucket counts add
 * byte[] stored = s.toBytes();              // compact, versioned
 * QuantileSketch back = QuantileSketch.fromBytes(stored);
 * }</pre>
 *
 * <h2>Buckets</h2>
 * With {@code gamma = (1 + a) / (1 - a)} for accuracy {@code a}, a positive value {@code x} goes
 * to bucket {@code i = ceil(log(x) / log(gamma))}, which holds {@code (gamma^(i-1), gamma^i]}; the
 * bucket answers with {@code 2 gamma^i / (gamma + 1)}, no further than {@code a} (relatively) from
 * anything in it. Negative values go to a second set of buckets by their magnitude, zero to a
 * counter of its own. Every finite double has an index within about +-40,000 at 1 % accuracy.
 *
 * <h2>Rank convention</h2>
 * {@code quantile(q)} answers for the value of rank {@code floor(q * (n - 1))} (0-based) in the
 * sorted multiset of the {@code n} values added: {@code q = 0} is the minimum's bucket,
 * {@code q = 1} the maximum's.
 *
 * <h2>Bounded memory</h2>
 * At most {@code maxBuckets} buckets per sign are kept. Past that, the lowest-magnitude buckets of
 * that sign are folded into the lowest one kept: counts stay exact, but a quantile whose rank
 * falls into the folded buckets is answered with that bucket's value, which can exceed the true
 * value by more than the accuracy. With 1 % accuracy, 2,048 buckets span a factor of
 * {@code gamma^2048 ~ 6e17} between the smallest and the largest magnitude kept exactly.
 *
 * <p>Not thread-safe: one thread adds, or the caller synchronizes. Merging needs equal accuracy.
 */
public final class QuantileSketch {

    /** The version byte of {@link #toBytes()}. */
    static final int FORMAT_VERSION = 1;

    private final double relativeAccuracy;
    private final double gamma;
    private final double logGamma;
    private final int maxBuckets;
    private final Buckets positive;
    private final Buckets negative;
    private long zeroCount;

    /**
     * An empty sketch.
     *
     * @param relativeAccuracy between 0 and 1 exclusive, e.g. 0.01 for 1 %
     * @param maxBuckets       most buckets per sign, at least 16
     */
    public QuantileSketch(double relativeAccuracy, int maxBuckets) {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new IllegalArgumentException("relativeAccuracy must be between 0 and 1 (exclusive), was "
                    + relativeAccuracy);
        }
        if (maxBuckets < 16) {
            throw new IllegalArgumentException("maxBuckets must be at least 16, was " + maxBuckets);
        }
        this.relativeAccuracy = relativeAccuracy;
        this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        this.logGamma = Math.log(gamma);
        this.maxBuckets = maxBuckets;
        this.positive = new Buckets(maxBuckets);
        this.negative = new Buckets(maxBuckets);
    }

    /** The relative accuracy this sketch was built with. */
    public double relativeAccuracy() {
        return relativeAccuracy;
    }

    /** The bucket index of a positive magnitude. */
    int index(double magnitude) {
        return (int) Math.ceil(Math.log(magnitude) / logGamma);
    }

    /** The value a bucket answers with. */
    double value(int index) {
        return 2 * Math.pow(gamma, index) / (gamma + 1);
    }

    /**
     * Adds one value.
     *
     * @throws IllegalArgumentException for NaN or an infinity
     */
    public void add(double value) {
        add(value, 1);
    }

    /** Adds {@code count} copies of a value. */
    public void add(double value, long count) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a sketch takes finite values only, got " + value);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
        if (value > 0) {
            positive.add(index(value), count);
        } else if (value < 0) {
            negative.add(index(-value), count);
        } else {
            zeroCount += count;
        }
    }

    /** Number of values added (and merged). */
    public long count() {
        return zeroCount + positive.total + negative.total;
    }

    /** Number of buckets in use, both signs. */
    public int bucketCount() {
        return positive.used() + negative.used();
    }

    /**
     * Adds every value of {@code other} (bucket counts add), leaving {@code other} unchanged.
     *
     * @throws IllegalArgumentException when the accuracies differ
     */
    public void merge(QuantileSketch other) {
        if (Double.compare(other.relativeAccuracy, relativeAccuracy) != 0) {
            throw new IllegalArgumentException("cannot merge a sketch of accuracy " + other.relativeAccuracy
                    + " into one of " + relativeAccuracy);
        }
        positive.addAll(other.positive);
        negative.addAll(other.negative);
        zeroCount += other.zeroCount;
    }

    /** A copy that shares nothing with this sketch. */
    public QuantileSketch copy() {
        QuantileSketch c = new QuantileSketch(relativeAccuracy, maxBuckets);
        c.merge(this);
        return c;
    }

    /**
     * The value at quantile {@code q} (see the rank convention), NaN when empty.
     *
     * @throws IllegalArgumentException when q is outside [0, 1]
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be between 0 and 1, was " + q);
        }
        long n = count();
        if (n == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.floor(q * (n - 1));
        // Ascending values: negatives from the largest magnitude down, then zeros, then positives.
        if (rank < negative.total) {
            return -value(negative.indexAtRankFromTop(rank));
        }
        rank -= negative.total;
        if (rank < zeroCount) {
            return 0.0;
        }
        rank -= zeroCount;
        return value(positive.indexAtRank(rank));
    }

    /**
     * The sketch as bytes: a version byte, the accuracy (8 bytes), the bucket bound, the zero count,
     * then per sign the number of runs of buckets and for each run its first index (zig-zag varint,
     * as a delta from the previous run's end), its length and its counts (varints). A window's sketch
     * of typical latencies takes a few hundred bytes.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(FORMAT_VERSION);
        long bits = Double.doubleToLongBits(relativeAccuracy);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)));
        }
        varint(out, maxBuckets);
        varint(out, zeroCount);
        positive.writeTo(out);
        negative.writeTo(out);
        return out.toByteArray();
    }

    /**
     * A sketch from {@link #toBytes()}.
     *
     * @throws IllegalArgumentException for bytes of another format or version, or truncated ones
     */
    public static QuantileSketch fromBytes(byte[] bytes) {
        Reader in = new Reader(bytes);
        int version = in.u8();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("unknown sketch format version " + version + " (this build reads "
                    + FORMAT_VERSION + ")");
        }
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = bits << 8 | in.u8();
        }
        QuantileSketch s = new QuantileSketch(Double.longBitsToDouble(bits), (int) in.varint());
        s.zeroCount = in.varint();
        s.positive.readFrom(in);
        s.negative.readFrom(in);
        if (!in.done()) {
            throw new IllegalArgumentException("sketch bytes continue after the last bucket");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantileSketch s && Double.compare(s.relativeAccuracy, relativeAccuracy) == 0
                && s.zeroCount == zeroCount && s.positive.sameCounts(positive) && s.negative.sameCounts(negative);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count()) * 31 + Double.hashCode(relativeAccuracy);
    }

    // ------------------------------------------------------------------ buckets of one sign

    /** Counts by bucket index, a contiguous window of indexes that grows as needed. */
    private static final class Buckets {
        private final int maxBuckets;
        private long[] counts = new long[0];
        /** The index of counts[0]. */
        private int offset;
        private long total;

        Buckets(int maxBuckets) {
            this.maxBuckets = maxBuckets;
        }

        int used() {
            int n = 0;
            for (long c : counts) {
                if (c != 0) {
                    n++;
                }
            }
            return n;
        }

        void add(int index, long count) {
            if (count == 0) {
                return;
            }
            if (counts.length == 0) {
                counts = new long[8];
                offset = index - 4;
            }
            if (index < offset || index >= offset + counts.length) {
                ensure(index);
            }
            int at = Math.max(index, offset) - offset; // below a collapsed range: the lowest bucket kept
            counts[at] += count;
            total += count;
        }

        /** Grows the window to hold {@code index}, then collapses the lowest buckets past the bound. */
        private void ensure(int index) {
            int lo = Math.min(offset, index);
            int hi = Math.max(offset + counts.length - 1, index);
            long[] grown = new long[hi - lo + 1];
            System.arraycopy(counts, 0, grown, offset - lo, counts.length);
            counts = grown;
            offset = lo;
            if (counts.length > maxBuckets) {
                // Fold everything below the top maxBuckets indexes into the lowest kept one.
                int drop = counts.length - maxBuckets;
                long folded = 0;
                for (int i = 0; i < drop; i++) {
                    folded += counts[i];
                }
                counts = Arrays.copyOfRange(counts, drop, counts.length);
                counts[0] += folded;
                offset += drop;
            }
        }

        void addAll(Buckets other) {
            for (int i = 0; i < other.counts.length; i++) {
                if (other.counts[i] != 0) {
                    add(other.offset + i, other.counts[i]);
                }
            }
        }

        int indexAtRank(long rank) {
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (rank < seen) {
                    return offset + i;
                }
            }
            throw new IllegalStateException("rank " + rank + " beyond " + total);
        }

        int indexAtRankFromTop(long rank) {
            long seen = 0;
            for (int i = counts.length - 1; i >= 0; i--) {
                seen += counts[i];
                if (rank < seen) {
                    return offset + i;
                }
            }
            throw new IllegalStateException("rank " + rank + " beyond " + total);
        }

        boolean sameCounts(Buckets o) {
            if (total != o.total) {
                return false;
            }
            int lo = Math.min(offset, o.offset);
            int hi = Math.max(offset + counts.length, o.offset + o.counts.length);
            for (int i = lo; i < hi; i++) {
                if (at(i) != o.at(i)) {
                    return false;
                }
            }
            return true;
        }

        private long at(int index) {
            int i = index - offset;
            return i >= 0 && i < counts.length ? counts[i] : 0;
        }

        void writeTo(ByteArrayOutputStream out) {
            int runs = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0 && (i == 0 || counts[i - 1] == 0)) {
                    runs++;
                }
            }
            varint(out, runs);
            int previousEnd = 0;
            for (int i = 0; i < counts.length; ) {
                if (counts[i] == 0) {
                    i++;
                    continue;
                }
                int start = i;
                while (i < counts.length && counts[i] != 0) {
                    i++;
                }
                int index = offset + start;
                varint(out, zigzag(index - previousEnd));
                varint(out, i - start);
                for (int k = start; k < i; k++) {
                    varint(out, counts[k]);
                }
                previousEnd = offset + i;
            }
        }

        void readFrom(Reader in) {
            long runs = in.varint();
            int previousEnd = 0;
            for (long r = 0; r < runs; r++) {
                int index = previousEnd + (int) unzigzag(in.varint());
                long length = in.varint();
                if (length <= 0 || length > 1_000_000) {
                    throw new IllegalArgumentException("sketch bytes hold a run of " + length + " buckets");
                }
                for (int k = 0; k < length; k++) {
                    add(index + k, in.varint());
                }
                previousEnd = (int) (index + length);
            }
        }
    }

    // ------------------------------------------------------------------ encoding

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static final class Reader {
        private final byte[] b;
        private int at;

        Reader(byte[] b) {
            this.b = b;
        }

        int u8() {
            if (at >= b.length) {
                throw new IllegalArgumentException("sketch bytes end early");
            }
            return b[at++] & 0xFF;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("sketch bytes hold a varint longer than 10 bytes");
        }

        boolean done() {
            return at == b.length;
        }
    }
}
