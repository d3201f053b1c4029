package dev.metricsservice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Left padding: keeps the hot fields off the cache line of whatever was allocated before. */
abstract class StripeLhsPad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

/**
 * The hot fields of a stripe. {@code ctl} packs a BUSY bit (a writer is inside its critical
 * section), a SEALED bit (the window is final) and the sample count (bits 2..63).
 */
abstract class StripeFields extends StripeLhsPad {
    long ctl;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    /** The last sample by timestamp, for gauges; untouched for other types. */
    double last = Double.NaN;
    long lastMillis = Stats.NO_LAST;
    /** A distribution's buckets, changed only inside the critical section; null for other types. */
    final QuantileSketch sketch;
    /**
     * The sketch's positive buckets (the object stays, its array may be replaced) and its index
     * multiplier, final so that the bucket index of the common sample, a positive one, is computed
     * before the claiming CAS: loads after a locked instruction wait for it, so index arithmetic
     * inside the critical section would add its whole latency to every sample.
     */
    final QuantileSketch.Buckets positive;
    final double multiplier;
    /** The distinct-value sketch (sets), or null; its hash, too, is computed before the CAS. */
    final DistinctSketch distinct;

    StripeFields(QuantileSketch sketch, DistinctSketch distinct) {
        this.sketch = sketch;
        this.distinct = distinct;
        this.positive = sketch == null ? null : sketch.positiveBuckets();
        this.multiplier = sketch == null ? 0 : sketch.multiplier();
    }
    /** Id of the thread that last held the stripe, and how often the holder changed. */
    long lastWriter = -1;
    int handoffs;
}

/**
 * One accumulator of count, sum, min and max (and a gauge's last value), updated by one writer at a time.
 *
 * <p>A writer claims the stripe with a single CAS that sets BUSY, updates the three doubles with
 * plain stores, and releases with one store-release that clears BUSY and adds one to the count.
 * That is one atomic instruction per sample instead of one per field. A writer that finds the
 * stripe BUSY never waits: it reports {@link #BUSY} and the caller tries another stripe.
 *
 * <p>Readers use the count as a sequence number: read ctl, read the doubles, read ctl again; equal
 * values without BUSY mean a consistent snapshot (every writer changes ctl twice). The collector
 * seals a stripe by CAS-ing SEALED into a non-BUSY ctl; no writer can enter afterwards, so the
 * values are final.
 *
 * <p>Padded to 128 bytes on each side (16 longs), as {@code @Contended} does, so that two
 * stripes, or a stripe and an unrelated object, never share a cache line or the adjacent line the
 * hardware prefetches with it. With 64 bytes, two threads on one shared series ran at about 6 ns
 * per sample in some JMH forks and about 22 ns in others, depending on where the stripe array
 * landed; with 128 bytes every fork measured was fast. Cost: about 320 bytes per stripe.
 *
 * <p>A distribution's stripe also owns a {@link QuantileSketch}, updated inside the same critical
 * section, so a sample is in the sketch exactly when it is in the count. Its buckets live in an
 * array that a write may replace (when a value extends the range), which a reader racing the
 * writer could not copy safely; so {@link #read(QuantileSketch)} takes the stripe the way a writer
 * does (a CAS on BUSY, released without a count). Writers never wait for it: one that finds the
 * stripe BUSY moves to another stripe, as it does when another writer holds it.
 */
final class Stripe extends StripeFields {
    static final int OK = 0;
    static final int BUSY = 1;
    static final int SEALED = 2;
    /** Added, and the stripe has now changed hands {@link #HANDOFFS_BEFORE_SPREADING} times. */
    static final int OK_SHARED = 3;

    /**
     * Two threads that take turns on one stripe pay a cache-line transfer per sample even when
     * neither ever finds it BUSY (the line moves between their critical sections, so no CAS
     * fails). Counting changes of holder inside the critical section detects that sharing for the
     * price of a load and a compare; after this many the caller spreads writers over more stripes.
     */
    static final int HANDOFFS_BEFORE_SPREADING = 8;

    static final long BUSY_BIT = 1L;
    static final long SEALED_BIT = 2L;
    static final long COUNT_ONE = 4L;

    private static final VarHandle CTL;

    static {
        try {
            CTL = MethodHandles.lookup().findVarHandle(StripeFields.class, "ctl", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long p10, p11, p12, p13, p14, p15, p16, p17;
    long p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;

    Stripe() {
        super(null, null);
    }

    /** A stripe that keeps a sketch like {@code template} (of no values); none when null. */
    Stripe(QuantileSketch template) {
        this(template, false);
    }

    /** A stripe that keeps a quantile sketch like {@code template} (or none), and a distinct sketch when asked. */
    Stripe(QuantileSketch template, boolean keepsDistinct) {
        super(template == null ? null : template.emptyCopy(), keepsDistinct ? new DistinctSketch() : null);
    }

    /** Adds one sample if the stripe is free; never waits. {@code writer} identifies the calling thread. */
    int tryAdd(double value, long stampMillis, long writer) {
        QuantileSketch.Buckets pos = positive;
        int bucket = pos != null && value > 0 ? SketchMapping.index(value, multiplier) : 0;
        DistinctSketch d = distinct;
        long hash = d != null ? DistinctSketch.hash(value) : 0;
        long c = (long) CTL.getOpaque(this);
        if ((c & (BUSY_BIT | SEALED_BIT)) != 0) {
            return (c & SEALED_BIT) != 0 ? SEALED : BUSY;
        }
        if (!CTL.compareAndSet(this, c, c | BUSY_BIT)) {
            // Lost to another writer or to the sealer; the caller re-reads or moves on.
            return ((long) CTL.getOpaque(this) & SEALED_BIT) != 0 ? SEALED : BUSY;
        }
        // Exclusive until the release below: plain stores are enough, the release publishes them.
        sum += value;
        if (value < min) {
            min = value;
        }
        if (value > max) {
            max = value;
        }
        if (stampMillis != Stats.NO_LAST && Stats.isLater(value, stampMillis, last, lastMillis)) {
            last = value;
            lastMillis = stampMillis;
        }
        if (pos != null) {
            if (value > 0) {
                pos.addOne(bucket);
            } else {
                sketch.accept(value);
            }
        }
        if (d != null) {
            d.addHash(hash);
        }
        int result = OK;
        if (writer != lastWriter) {
            lastWriter = writer;
            if (++handoffs == HANDOFFS_BEFORE_SPREADING) {
                result = OK_SHARED;
            }
        }
        CTL.setRelease(this, c + COUNT_ONE);
        return result;
    }

    /** Seals the stripe, waiting out a writer that is inside its few-instruction critical section. */
    void seal() {
        int spins = 0;
        while (true) {
            long c = (long) CTL.getAcquire(this);
            if ((c & SEALED_BIT) != 0) {
                return;
            }
            if ((c & BUSY_BIT) == 0 && CTL.compareAndSet(this, c, c | SEALED_BIT)) {
                return;
            }
            spins = backOff(spins);
        }
    }

    long count() {
        return ((long) CTL.getAcquire(this)) >>> 2;
    }

    /** A consistent snapshot: all effects of some set of completed writes, no partial one. */
    Stats read() {
        int spins = 0;
        while (true) {
            long c1 = (long) CTL.getAcquire(this);
            if ((c1 & BUSY_BIT) != 0) {
                spins = backOff(spins);
                continue;
            }
            double s = sum;
            double lo = min;
            double hi = max;
            double lv = last;
            long lt = lastMillis;
            // Keeps the three loads above from moving below the validating load.
            VarHandle.loadLoadFence();
            long c2 = (long) CTL.getAcquire(this);
            if (c1 == c2) {
                long n = c1 >>> 2;
                return n == 0 ? Stats.EMPTY : new Stats(n, s, lo, hi, lv, lt);
            }
            spins = backOff(spins);
        }
    }

    /**
     * A snapshot that includes the sketch: the stripe's sketch is merged into {@code into} and the
     * returned aggregate carries none. Holds the stripe (as a writer would) while it copies, unless
     * it is sealed, when nothing can change any more.
     */
    Stats read(QuantileSketch into) {
        return read(into, null);
    }

    /**
     * As {@link #read(QuantileSketch)}, also merging the stripe's distinct sketch into
     * {@code distinctInto} (when both exist).
     */
    Stats read(QuantileSketch into, DistinctSketch distinctInto) {
        if (sketch == null && distinct == null) {
            return read();
        }
        int spins = 0;
        while (true) {
            long c = (long) CTL.getAcquire(this);
            if ((c & SEALED_BIT) != 0) {
                return snapshot(c, into, distinctInto);
            }
            if ((c & BUSY_BIT) == 0 && CTL.compareAndSet(this, c, c | BUSY_BIT)) {
                try {
                    return snapshot(c, into, distinctInto);
                } finally {
                    CTL.setRelease(this, c); // count unchanged: nothing was added
                }
            }
            spins = backOff(spins);
        }
    }

    private Stats snapshot(long c, QuantileSketch into, DistinctSketch distinctInto) {
        long n = c >>> 2;
        if (n == 0) {
            return Stats.EMPTY;
        }
        if (sketch != null && into != null) {
            into.merge(sketch); // reads the buckets only: the record path leaves the sketch's totals stale
        }
        if (distinct != null && distinctInto != null) {
            distinctInto.merge(distinct);
        }
        return new Stats(n, sum, min, max, last, lastMillis);
    }

    private static int backOff(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return spins + 1;
    }
}
