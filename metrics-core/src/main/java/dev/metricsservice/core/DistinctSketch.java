package dev.metricsservice.core;

import java.util.Arrays;

/**
 * A mergeable estimate of how many distinct values were seen, in the manner of HyperLogLog: the
 * sketch a {@link MetricType#SET} window keeps. Every value is hashed to 64 bits; the first
 * {@value #PRECISION} bits pick one of {@value #REGISTERS} registers, which keeps the largest
 * "position of the first one bit" seen in the rest. Merging takes the larger register of the two,
 * so a merge is exactly the sketch of the union of both inputs, whatever the order, and merging a
 * sketch with itself (or with one that holds part of it) changes nothing.
 *
 * <pre>{@code
 * DistinctSketch users = new DistinctSketch();
 * for (double id : userIds) users.add(id);
 * users.merge(otherWritersSketch);          // the union; exact, idempotent
 * long about = users.estimate();            // standard error about 1.6 %
 * byte[] stored = users.toBytes();          // sparse when few registers are set
 * }</pre>
 *
 * <h2>Accuracy</h2>
 * The estimate follows Otmar Ertl's improved estimator for HyperLogLog registers ("New
 * cardinality estimation algorithms for HyperLogLog sketches", 2017), which needs no empirical
 * bias tables: it is nearly unbiased from one value up, with a standard error of about
 * {@code 1.04 / sqrt(4096)} = 1.6 % for large counts and much less for small ones (a few dozen
 * distinct values are usually counted exactly). Values are compared as doubles: {@code 0.0} and
 * {@code -0.0} are one value; any other two doubles that differ are two.
 *
 * <h2>Memory</h2>
 * {@value #REGISTERS} one-byte registers (4 KiB), allocated at the first value; serialized
 * sparsely (3 bytes per register set) while fewer than a third are set.
 *
 * <p>Not thread-safe: one thread adds, or the caller synchronizes.
 */
public final class DistinctSketch {

    /** Bits of the hash that choose the register. */
    public static final int PRECISION = 12;
    /** Number of registers: {@code 2^PRECISION}. */
    public static final int REGISTERS = 1 << PRECISION;
    /** The version byte of {@link #toBytes()}. */
    static final int FORMAT_VERSION = 1;
    private static final int MODE_SPARSE = 0;
    private static final int MODE_DENSE = 1;
    /** Hash bits left after the register index; a register holds 0..Q+1. */
    private static final int Q = 64 - PRECISION;

    /** Null until the first value: most windows of an idle set series never need 4 KiB. */
    private byte[] registers;

    /** An empty sketch. */
    public DistinctSketch() {
    }

    private DistinctSketch(byte[] registers) {
        this.registers = registers;
    }

    /** Adds one value (seen again, it changes nothing). */
    public void add(double value) {
        addHash(hash(value));
    }

    /**
     * The 64-bit hash {@link #add} uses, for callers that compute it before taking a lock. Doubles
     * are mixed with the finalizer of MurmurHash3 (a bijection on 64 bits), so distinct doubles
     * never collide before the register index is taken.
     */
    static long hash(double value) {
        long z = Double.doubleToLongBits(value == 0 ? 0.0 : value);
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * The sample value that stands for a member given as text (a StatsD set member such as a user
     * name): a whole number below 2^53 from a 64-bit FNV-1a hash of its bytes, so that two texts
     * collide with probability about 2^-53. Front ends use a member's number instead when the text
     * is one, so {@code "42"} and the JSON value {@code 42} are one member.
     */
    public static double textMember(byte[] utf8, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h = (h ^ (utf8[i] & 0xFF)) * 0x100000001b3L;
        }
        return (double) (h >>> 11);
    }

    /** Adds a value by its {@link #hash}. */
    void addHash(long hash) {
        byte[] r = registers;
        if (r == null) {
            r = registers = new byte[REGISTERS];
        }
        int index = (int) (hash >>> Q);
        // The 1 bit below the used ones caps the rank at Q + 1 when the rest of the hash is zero.
        int rank = Long.numberOfLeadingZeros((hash << PRECISION) | (1L << (PRECISION - 1))) + 1;
        if (rank > r[index]) {
            r[index] = (byte) rank;
        }
    }

    /** True when no value was added. */
    public boolean isEmpty() {
        return registers == null;
    }

    private static boolean isEmpty(byte[] r) {
        for (byte b : r) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Takes the union: afterwards this sketch is the sketch of every value either saw. */
    public void merge(DistinctSketch other) {
        byte[] theirs = other.registers;
        if (theirs == null) {
            return;
        }
        if (registers == null) {
            registers = theirs.clone();
            return;
        }
        byte[] mine = registers;
        for (int i = 0; i < REGISTERS; i++) {
            if (theirs[i] > mine[i]) {
                mine[i] = theirs[i];
            }
        }
    }

    /** An independent copy. */
    public DistinctSketch copy() {
        return new DistinctSketch(registers == null ? null : registers.clone());
    }

    /** The estimated number of distinct values added, rounded; 0 for an empty sketch. */
    public long estimate() {
        if (registers == null) {
            return 0;
        }
        int[] histogram = new int[Q + 2];
        for (byte b : registers) {
            histogram[b]++;
        }
        double m = REGISTERS;
        // Ertl's estimator: fold the register histogram from the top down, with corrections for
        // registers still empty (sigma) and for those at the cap (tau).
        double z = m * tau(1 - histogram[Q + 1] / m);
        for (int k = Q; k >= 1; k--) {
            z = 0.5 * (z + histogram[k]);
        }
        z += m * sigma(histogram[0] / m);
        double alphaInfinity = 1 / (2 * Math.log(2));
        return Math.round(alphaInfinity * m * m / z);
    }

    private static double sigma(double x) {
        if (x == 1) {
            return Double.POSITIVE_INFINITY;
        }
        double y = 1;
        double z = x;
        double previous;
        do {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        } while (z != previous);
        return z;
    }

    private static double tau(double x) {
        if (x == 0 || x == 1) {
            return 0;
        }
        double y = 1;
        double z = 1 - x;
        double previous;
        do {
            x = Math.sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        } while (z != previous);
        return z / 3;
    }

    /**
     * The sketch as bytes: a version byte, the precision, a mode byte, then either (sparse) a
     * count and per set register its index (2 bytes, big-endian) and value, or (dense) every
     * register. At most {@code 3 + REGISTERS} bytes.
     */
    public byte[] toBytes() {
        byte[] r = registers == null ? new byte[REGISTERS] : registers;
        int set = 0;
        for (byte b : r) {
            if (b != 0) {
                set++;
            }
        }
        if (set * 3 < REGISTERS) {
            byte[] out = new byte[5 + 3 * set];
            out[0] = FORMAT_VERSION;
            out[1] = PRECISION;
            out[2] = MODE_SPARSE;
            out[3] = (byte) (set >>> 8);
            out[4] = (byte) set;
            int p = 5;
            for (int i = 0; i < REGISTERS; i++) {
                if (r[i] != 0) {
                    out[p++] = (byte) (i >>> 8);
                    out[p++] = (byte) i;
                    out[p++] = r[i];
                }
            }
            return out;
        }
        byte[] out = new byte[3 + REGISTERS];
        out[0] = FORMAT_VERSION;
        out[1] = PRECISION;
        out[2] = MODE_DENSE;
        System.arraycopy(r, 0, out, 3, REGISTERS);
        return out;
    }

    /**
     * A sketch from {@link #toBytes()}.
     *
     * @throws IllegalArgumentException for bytes of another format, version or precision, or damaged ones
     */
    public static DistinctSketch fromBytes(byte[] bytes) {
        if (bytes.length < 3) {
            throw new IllegalArgumentException("distinct sketch bytes too short: " + bytes.length);
        }
        if (bytes[0] != FORMAT_VERSION) {
            throw new IllegalArgumentException("unknown distinct sketch format version " + bytes[0]
                    + " (this build reads " + FORMAT_VERSION + ")");
        }
        if (bytes[1] != PRECISION) {
            throw new IllegalArgumentException("distinct sketch of precision " + bytes[1] + " (this build reads "
                    + PRECISION + ")");
        }
        byte[] r = new byte[REGISTERS];
        if (bytes[2] == MODE_DENSE) {
            if (bytes.length != 3 + REGISTERS) {
                throw new IllegalArgumentException("dense distinct sketch of " + bytes.length + " bytes, not "
                        + (3 + REGISTERS));
            }
            System.arraycopy(bytes, 3, r, 0, REGISTERS);
        } else if (bytes[2] == MODE_SPARSE) {
            int set = bytes.length < 5 ? -1 : (bytes[3] & 0xFF) << 8 | (bytes[4] & 0xFF);
            if (set < 0 || bytes.length != 5 + 3 * set) {
                throw new IllegalArgumentException("sparse distinct sketch of " + bytes.length
                        + " bytes does not match its register count");
            }
            for (int p = 5; p < bytes.length; p += 3) {
                int index = (bytes[p] & 0xFF) << 8 | (bytes[p + 1] & 0xFF);
                if (index >= REGISTERS) {
                    throw new IllegalArgumentException("distinct sketch register " + index + " out of range");
                }
                r[index] = bytes[p + 2];
            }
        } else {
            throw new IllegalArgumentException("unknown distinct sketch mode " + bytes[2]);
        }
        for (byte b : r) {
            if (b < 0 || b > Q + 1) {
                throw new IllegalArgumentException("distinct sketch register value " + b + " out of range");
            }
        }
        return new DistinctSketch(isEmpty(r) ? null : r);
    }

    // Registers exist only once a value was added (or read back non-empty), so null means empty
    // and two sketches are equal exactly when their register arrays are.
    @Override
    public boolean equals(Object o) {
        return o instanceof DistinctSketch d && Arrays.equals(registers, d.registers);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(registers);
    }

    @Override
    public String toString() {
        return "DistinctSketch[estimate=" + estimate() + "]";
    }
}
