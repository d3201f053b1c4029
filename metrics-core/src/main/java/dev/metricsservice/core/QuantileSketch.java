package dev.metricsservice.core;

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
 * With {@code gamma = (1 + a) / (1 - a)} for accuracy {@code a}, every bucket holds magnitudes
 * within a factor {@code gamma} of each other and answers with a value within {@code a}
 * (relatively) of anything in it. The index is computed from the double's exponent and a quadratic
 * in its mantissa rather than from {@code Math.log} (see {@code SketchMapping}): a few nanoseconds
 * per value, for about 8 % more buckets. Negative values go to a second set of buckets by their
 * magnitude, zero (and -0.0) to a counter of its own. Every finite double has an index within
 * about +-40,000 at 1 % accuracy; a series of latencies between 1 ms and 10 s uses about 500.
 *
 * <h2>Rank convention</h2>
 * {@code quantile(q)} answers for the value of rank {@code floor(q * (n - 1))} (0-based) in the
 * sorted multiset of the {@code n} values added: {@code q = 0} is the minimum's bucket,
 * {@code q = 1} the maximum's.
 *
 * <h2>Bounded memory</h2>
 * At most {@code maxBuckets} bucket indexes per sign are kept: the highest index seen and the
 * {@code maxBuckets - 1} below it. A value whose bucket lies lower is counted in the lowest bucket
 * kept. Counts stay exact, and so does every quantile whose rank falls at or above the lowest
 * kept bucket; a quantile whose rank falls into the folded ones is answered with the lowest kept
 * bucket's value, an overestimate of the true value. The buckets kept depend only on the values,
 * not on their order, so merging stays exact even after folding. With 1 % accuracy, 2,048 buckets
 * span a factor of about {@code 1e16} between the smallest and the largest magnitude kept exactly.
 *
 * <h2>Merging</h2>
 * Two sketches of the same accuracy merge exactly: bucket counts add. A sketch of another accuracy
 * is merged by adding each of its buckets' answers to this sketch's buckets, so the result's
 * error can reach the sum of both accuracies ({@link Stats#merge} merges the finer sketch into a
 * copy of the coarser one).
 *
 * <p>Not thread-safe: one thread adds, or the caller synchronizes.
 */
public final class QuantileSketch {

    /** The version byte of {@link #toBytes()}. */
    static final int FORMAT_VERSION = 1;
    /** Most buckets per sign a sketch may keep: bounds the serialized size (see {@link #maxSerializedBytes}). */
    public static final int MAX_BUCKETS_LIMIT = 8192;

    private final SketchMapping mapping;
    private final int maxBuckets;
    private final Buckets positive;
    private final Buckets negative;
    private long zeroCount;

    /**
     * An empty sketch.
     *
     * @param relativeAccuracy at least 1e-6 and below 1, e.g. 0.01 for 1 %
     * @param maxBuckets       most buckets per sign, 16 to {@value #MAX_BUCKETS_LIMIT}
     */
    public QuantileSketch(double relativeAccuracy, int maxBuckets) {
        this(new SketchMapping(relativeAccuracy), maxBuckets);
    }

    QuantileSketch(SketchMapping mapping, int maxBuckets) {
        if (maxBuckets < 16 || maxBuckets > MAX_BUCKETS_LIMIT) {
            throw new IllegalArgumentException("maxBuckets must be between 16 and " + MAX_BUCKETS_LIMIT + ", was "
                    + maxBuckets);
        }
        this.mapping = mapping;
        this.maxBuckets = maxBuckets;
        this.positive = new Buckets(maxBuckets);
        this.negative = new Buckets(maxBuckets);
    }

    private QuantileSketch(QuantileSketch from) {
        this.mapping = from.mapping;
        this.maxBuckets = from.maxBuckets;
        this.positive = new Buckets(from.positive);
        this.negative = new Buckets(from.negative);
        this.zeroCount = from.zeroCount;
    }

    /** The relative accuracy this sketch was built with. */
    public double relativeAccuracy() {
        return mapping.relativeAccuracy;
    }

    /** The most buckets per sign this sketch keeps. */
    public int maxBuckets() {
        return maxBuckets;
    }

    /**
     * The largest {@link #toBytes()} of any sketch with {@code maxBuckets}: per sign, every bucket's
     * count (at most 10 bytes) plus, for at most every other bucket, a run header (at most 8 bytes),
     * and 24 bytes of header. 57,368 bytes for 2,048 buckets.
     */
    public static int maxSerializedBytes(int maxBuckets) {
        return 2 * (maxBuckets * 10 + (maxBuckets + 1) / 2 * 8 + 5) + 24;
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
        if (count == 0) {
            return;
        }
        if (value > 0) {
            positive.add(mapping.index(value), count);
        } else if (value < 0) {
            negative.add(mapping.index(-value), count);
        } else {
            zeroCount += count;
        }
    }

    /** The buckets of positive values, for a stripe to update directly (see {@link Stripe}). */
    Buckets positiveBuckets() {
        return positive;
    }

    /** The mapping's multiplier, for {@link SketchMapping#index(double, double)}. */
    double multiplier() {
        return mapping.multiplier;
    }

    /**
     * The record path: one finite value, already checked. It does not keep the totals of the
     * buckets, so a sketch fed this way is only ever merged from ({@link #merge} reads the bucket
     * counts alone), never asked for its count or a quantile.
     */
    void accept(double value) {
        if (value > 0) {
            positive.addOne(mapping.index(value));
        } else if (value < 0) {
            negative.addOne(mapping.index(-value));
        } else {
            zeroCount++;
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
     * Adds every value of {@code other}, leaving {@code other} unchanged. Exact for equal
     * accuracies; otherwise see the class comment.
     */
    public void merge(QuantileSketch other) {
        zeroCount += other.zeroCount;
        if (Double.compare(other.mapping.relativeAccuracy, mapping.relativeAccuracy) == 0) {
            positive.addAll(other.positive);
            negative.addAll(other.negative);
            return;
        }
        java.util.function.IntUnaryOperator rebucket = i -> mapping.index(other.mapping.value(i));
        positive.addEach(other.positive, rebucket);
        negative.addEach(other.negative, rebucket);
    }

    /**
     * This sketch less the values of {@code prefix}, a sketch of the same accuracy taken earlier
     * from the same stream (every value of it is in this one): what was added since.
     *
     * @throws IllegalArgumentException when {@code prefix} holds something this sketch does not
     */
    public QuantileSketch minus(QuantileSketch prefix) {
        QuantileSketch d = copy();
        if (prefix.zeroCount > d.zeroCount) {
            throw new IllegalArgumentException("the prefix holds more zeros than the sketch");
        }
        d.zeroCount -= prefix.zeroCount;
        d.positive.subtract(prefix.positive);
        d.negative.subtract(prefix.negative);
        return d;
    }

    /** An empty sketch of the same accuracy and bucket bound. */
    QuantileSketch emptyCopy() {
        return new QuantileSketch(mapping, maxBuckets);
    }

    /** A copy that shares nothing with this sketch. */
    public QuantileSketch copy() {
        return new QuantileSketch(this);
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
            return -mapping.value(negative.indexAtRankFromTop(rank));
        }
        rank -= negative.total;
        if (rank < zeroCount) {
            return 0.0;
        }
        rank -= zeroCount;
        return mapping.value(positive.indexAtRank(rank));
    }

    /**
     * The sketch as bytes: a version byte, the accuracy (8 bytes), the bucket bound, the zero count,
     * then per sign the number of runs of buckets and for each run its first index (zig-zag varint,
     * as a delta from the previous run's end), its length and its counts (varints). A window's sketch
     * of typical latencies takes a few hundred bytes; no sketch takes more than
     * {@link #maxSerializedBytes}.
     */
    public byte[] toBytes() {
        Writer out = new Writer(24 + 11 * (positive.hi - positive.lo + 1 + negative.hi - negative.lo + 1));
        out.write(FORMAT_VERSION);
        long bits = Double.doubleToLongBits(mapping.relativeAccuracy);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)));
        }
        varint(out, maxBuckets);
        varint(out, zeroCount);
        positive.writeTo(out);
        negative.writeTo(out);
        return out.bytes();
    }

    /**
     * A sketch from {@link #toBytes()}.
     *
     * @throws IllegalArgumentException for bytes of another format or version, or damaged ones
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
        long bound = in.varint();
        if (bound < 16 || bound > MAX_BUCKETS_LIMIT) {
            throw new IllegalArgumentException("sketch bytes name a bucket bound of " + bound);
        }
        QuantileSketch s = new QuantileSketch(Double.longBitsToDouble(bits), (int) bound);
        s.zeroCount = in.nonNegative();
        s.positive.readFrom(in);
        s.negative.readFrom(in);
        if (!in.done()) {
            throw new IllegalArgumentException("sketch bytes continue after the last bucket");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantileSketch s
                && Double.compare(s.mapping.relativeAccuracy, mapping.relativeAccuracy) == 0
                && s.zeroCount == zeroCount && s.positive.sameCounts(positive) && s.negative.sameCounts(negative);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count()) * 31 + Double.hashCode(mapping.relativeAccuracy);
    }

    @Override
    public String toString() {
        return "QuantileSketch[accuracy=" + mapping.relativeAccuracy + ", count=" + count() + ", buckets="
                + bucketCount() + "]";
    }

    // ------------------------------------------------------------------ buckets of one sign

    /**
     * Counts by bucket index for the indexes {@code lo..hi} in use, held in an array that covers at
     * least that range and grows by doubling (so a stream of values allocates a few times per
     * sketch, not per value). The range never spans more than {@code maxBuckets}: a higher index
     * folds the lowest ones into {@code hi - maxBuckets + 1}, and a value below that goes there.
     */
    static final class Buckets {
        private static final int INITIAL_CAPACITY = 32;

        private final int maxBuckets;
        private long[] counts;
        /** The index of counts[0]. */
        private int offset;
        /** Lowest and highest index holding a count; lo > hi while empty. */
        private int lo = Integer.MAX_VALUE;
        private int hi = Integer.MIN_VALUE;
        private long total;

        Buckets(int maxBuckets) {
            this.maxBuckets = maxBuckets;
            this.counts = EMPTY;
        }

        Buckets(Buckets from) {
            this.maxBuckets = from.maxBuckets;
            this.counts = from.isEmpty() ? EMPTY : from.counts.clone();
            this.offset = from.offset;
            this.lo = from.lo;
            this.hi = from.hi;
            this.total = from.total;
        }

        private static final long[] EMPTY = new long[0];

        int used() {
            int n = 0;
            for (int i = lo; i <= hi; i++) {
                if (at(i) != 0) {
                    n++;
                }
            }
            return n;
        }

        /**
         * The record path: inside the range in use, one increment and nothing else, not even the
         * total (see {@link QuantileSketch#accept}).
         */
        void addOne(int index) {
            if (index >= lo && index <= hi) {
                counts[index - offset]++;
            } else {
                add(index, 1);
            }
        }

        boolean isEmpty() {
            return hi < lo;
        }

        void add(int index, long count) {
            long folded = 0;
            if (isEmpty()) {
                if (counts.length == 0) {
                    counts = new long[INITIAL_CAPACITY];
                }
                offset = index - counts.length / 2;
                lo = index;
                hi = index;
            } else if (index > hi) {
                int keptLo = index - maxBuckets + 1;
                if (keptLo > lo) {
                    // The range would span too many buckets: fold the lowest into the lowest kept.
                    for (int i = lo, end = Math.min(hi, keptLo - 1); i <= end; i++) {
                        folded += counts[i - offset];
                        counts[i - offset] = 0;
                    }
                    lo = keptLo;
                }
                hi = index;
            } else if (index < lo) {
                if (hi - index + 1 > maxBuckets) {
                    index = hi - maxBuckets + 1; // below the range kept: counted in its lowest bucket
                }
                lo = Math.min(lo, index);
            }
            if (lo < offset || hi >= offset + counts.length) {
                reposition();
            }
            counts[lo - offset] += folded;
            counts[index - offset] += count;
            total += count;
        }

        /**
         * Makes the array cover lo..hi. Counts outside the old array's indexes are zero, so only the
         * overlap moves: in place when the array is big enough, into one twice the size otherwise.
         */
        private void reposition() {
            int span = hi - lo + 1;
            int capacity = counts.length;
            while (capacity < span) {
                capacity = Math.max(INITIAL_CAPACITY, capacity * 2);
            }
            capacity = Math.min(capacity, Math.max(span, maxBuckets + 1));
            // Leave the slack on the side the range just grew towards.
            int newOffset = lo < offset ? hi - capacity + 1 : lo;
            if (capacity == counts.length) {
                int shift = newOffset - offset;
                int n = counts.length;
                if (Math.abs(shift) >= n) {
                    java.util.Arrays.fill(counts, 0);
                } else if (shift > 0) {
                    System.arraycopy(counts, shift, counts, 0, n - shift);
                    java.util.Arrays.fill(counts, n - shift, n, 0);
                } else if (shift < 0) {
                    System.arraycopy(counts, 0, counts, -shift, n + shift);
                    java.util.Arrays.fill(counts, 0, -shift, 0);
                }
            } else {
                long[] next = new long[capacity];
                copyRange(counts, offset, next, newOffset);
                counts = next;
            }
            offset = newOffset;
        }

        /** Copies the counts of the indexes both arrays cover. */
        private static void copyRange(long[] from, int fromOffset, long[] to, int toOffset) {
            int start = Math.max(fromOffset, toOffset);
            int end = Math.min(fromOffset + from.length, toOffset + to.length);
            if (start < end) {
                System.arraycopy(from, start - fromOffset, to, start - toOffset, end - start);
            }
        }

        void addAll(Buckets other) {
            if (other.isEmpty()) {
                return;
            }
            int newLo = isEmpty() ? other.lo : Math.min(lo, other.lo);
            int newHi = isEmpty() ? other.hi : Math.max(hi, other.hi);
            if (newHi - newLo + 1 > maxBuckets) {
                // The union folds: bucket by bucket, so that the fold rule applies as for single values.
                addEach(other, i -> i);
                return;
            }
            // The common case: widen the range once, then add the arrays element by element. The
            // other's total may be stale (a stripe's sketch), so the counts are summed here.
            if (isEmpty() && counts.length == 0) {
                counts = new long[Math.max(INITIAL_CAPACITY, newHi - newLo + 1)];
                offset = newLo;
            }
            lo = newLo;
            hi = newHi;
            if (lo < offset || hi >= offset + counts.length) {
                reposition();
            }
            long added = 0;
            int from = other.lo - other.offset;
            int to = other.lo - offset;
            for (int k = 0, n = other.hi - other.lo + 1; k < n; k++) {
                long c = other.counts[from + k];
                counts[to + k] += c;
                added += c;
            }
            total += added;
        }

        /** Adds each non-empty bucket of {@code other} at index {@code remap(its index)}. */
        void addEach(Buckets other, java.util.function.IntUnaryOperator remap) {
            for (int i = other.lo; i <= other.hi; i++) {
                long c = other.at(i);
                if (c != 0) {
                    add(remap.applyAsInt(i), c);
                }
            }
        }

        /** Removes the counts of {@code prefix} (see {@link QuantileSketch#minus}). */
        void subtract(Buckets prefix) {
            for (int i = prefix.lo; i <= prefix.hi; i++) {
                long c = prefix.at(i);
                if (c == 0) {
                    continue;
                }
                // The prefix may not have folded what this range has since folded.
                int index = !isEmpty() && i < lo ? lo : i;
                long have = at(index);
                if (have < c) {
                    throw new IllegalArgumentException("the prefix holds more in bucket " + index + " than the sketch");
                }
                counts[index - offset] -= c;
                total -= c;
            }
            trim();
        }

        /** Narrows lo..hi to the buckets still holding counts. */
        private void trim() {
            if (total == 0) {
                lo = Integer.MAX_VALUE;
                hi = Integer.MIN_VALUE;
                java.util.Arrays.fill(counts, 0);
                return;
            }
            while (at(lo) == 0) {
                lo++;
            }
            while (at(hi) == 0) {
                hi--;
            }
        }

        int indexAtRank(long rank) {
            long seen = 0;
            for (int i = lo; i <= hi; i++) {
                seen += counts[i - offset];
                if (rank < seen) {
                    return i;
                }
            }
            throw new IllegalStateException("rank " + rank + " beyond " + total);
        }

        int indexAtRankFromTop(long rank) {
            long seen = 0;
            for (int i = hi; i >= lo; i--) {
                seen += counts[i - offset];
                if (rank < seen) {
                    return i;
                }
            }
            throw new IllegalStateException("rank " + rank + " beyond " + total);
        }

        boolean sameCounts(Buckets o) {
            if (total != o.total) {
                return false;
            }
            if (total == 0) {
                return true;
            }
            if (lo != o.lo || hi != o.hi) {
                return false;
            }
            for (int i = lo; i <= hi; i++) {
                if (at(i) != o.at(i)) {
                    return false;
                }
            }
            return true;
        }

        long at(int index) {
            int i = index - offset;
            return i >= 0 && i < counts.length ? counts[i] : 0;
        }

        void writeTo(Writer out) {
            int runs = 0;
            for (int i = lo; i <= hi; i++) {
                if (at(i) != 0 && (i == lo || at(i - 1) == 0)) {
                    runs++;
                }
            }
            varint(out, runs);
            long previousEnd = 0;
            for (int i = lo; i <= hi; ) {
                if (at(i) == 0) {
                    i++;
                    continue;
                }
                int start = i;
                while (i <= hi && at(i) != 0) {
                    i++;
                }
                varint(out, zigzag(start - previousEnd));
                varint(out, i - start);
                for (int k = start; k < i; k++) {
                    varint(out, at(k));
                }
                previousEnd = i;
            }
        }

        void readFrom(Reader in) {
            long runs = in.varint();
            if (runs < 0 || runs > maxBuckets) {
                throw new IllegalArgumentException("sketch bytes hold " + runs + " runs of buckets");
            }
            long previousEnd = 0;
            for (long r = 0; r < runs; r++) {
                long index = previousEnd + unzigzag(in.varint());
                long length = in.varint();
                if (length <= 0 || length > maxBuckets || index < Integer.MIN_VALUE / 2 || index > Integer.MAX_VALUE / 2) {
                    throw new IllegalArgumentException("sketch bytes hold a run of " + length + " buckets at " + index);
                }
                for (int k = 0; k < length; k++) {
                    long c = in.nonNegative();
                    if (c == 0) {
                        throw new IllegalArgumentException("sketch bytes hold an empty bucket inside a run");
                    }
                    add((int) index + k, c);
                }
                previousEnd = index + length;
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

    private static void varint(Writer out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** A byte array that grows; unsynchronized, unlike {@code ByteArrayOutputStream}. */
    private static final class Writer {
        private byte[] b;
        private int n;

        Writer(int capacity) {
            b = new byte[Math.max(16, capacity)];
        }

        void write(int v) {
            if (n == b.length) {
                b = Arrays.copyOf(b, n * 2);
            }
            b[n++] = (byte) v;
        }

        byte[] bytes() {
            return Arrays.copyOf(b, n);
        }
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

        long nonNegative() {
            long v = varint();
            if (v < 0) {
                throw new IllegalArgumentException("sketch bytes hold a negative count");
            }
            return v;
        }

        boolean done() {
            return at == b.length;
        }
    }
}
