package dev.metricsservice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * All samples of one series in one window, held until the collector finalizes the window.
 *
 * <p>A cell starts with a single {@link Stripe}. The first time a writer finds it BUSY (two
 * threads recording into the same series at once), the cell installs an array of stripes and
 * writers spread over them by thread id, as {@code LongAdder} does. The array only grows (up to
 * {@value #MAX_STRIPES}) and its stripes are never replaced, so a stripe once seen stays valid.
 *
 * <p>Sealing races with growth on one field: the sealer swaps the array for {@link #SEALED}
 * with a CAS, and a writer installs or grows the array with a CAS from the value it read. Exactly
 * one of them wins each round, so the sealer always seals every stripe any writer could reach.
 * A cell belongs to one window for life and is discarded after sealing, so there is no ABA.
 */
final class WindowCell {
    static final int MAX_STRIPES = 64;
    private static final Stripe[] SEALED = new Stripe[0];
    private static final int INITIAL_STRIPES =
            Math.max(2, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() - 1) << 1);

    private static final VarHandle STRIPES;

    static {
        try {
            STRIPES = MethodHandles.lookup().findVarHandle(WindowCell.class, "stripes", Stripe[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long windowIndex;
    /** An empty sketch each stripe copies (distributions), or null: no sketch is kept. */
    private final QuantileSketch sketchTemplate;
    /** True when stripes keep distinct-value sketches (sets). */
    private final boolean keepsDistinct;
    private final Stripe base;
    @SuppressWarnings("unused") // accessed through STRIPES
    private Stripe[] stripes;

    WindowCell(long windowIndex) {
        this(windowIndex, null);
    }

    /** A cell whose stripes keep sketches like {@code sketchTemplate} (none when null). */
    WindowCell(long windowIndex, QuantileSketch sketchTemplate) {
        this(windowIndex, sketchTemplate, false);
    }

    /** A cell whose stripes keep sketches like {@code sketchTemplate} and, when asked, distinct sketches. */
    WindowCell(long windowIndex, QuantileSketch sketchTemplate, boolean keepsDistinct) {
        this.windowIndex = windowIndex;
        this.sketchTemplate = sketchTemplate;
        this.keepsDistinct = keepsDistinct;
        this.base = new Stripe(sketchTemplate, keepsDistinct);
    }

    /**
     * Adds a sample; false when the cell is sealed (its window is final). {@code stampMillis} is
     * the sample's time when the series keeps its last value, otherwise {@link Stats#NO_LAST}.
     */
    boolean record(double value, long stampMillis) {
        long writer = Thread.currentThread().getId();
        Stripe[] ss = (Stripe[]) STRIPES.getAcquire(this);
        if (ss == null) {
            int r = base.tryAdd(value, stampMillis, writer);
            if (r == Stripe.OK) {
                return true;
            }
            if (r == Stripe.SEALED) {
                return false;
            }
            if (r == Stripe.OK_SHARED) {
                grow(null); // the sample is in; spread the writers for the next ones
                return true;
            }
            ss = grow(null);
        }
        return recordStriped(ss, value, stampMillis, writer);
    }

    private boolean recordStriped(Stripe[] ss, double value, long stampMillis, long writer) {
        // Thread ids are dense, so consecutive threads start on different stripes.
        int probe = (int) writer;
        while (true) {
            if (ss == SEALED) {
                return false;
            }
            int mask = ss.length - 1;
            for (int i = 0; i <= mask; i++) {
                int r = ss[(probe + i) & mask].tryAdd(value, stampMillis, writer);
                if (r == Stripe.OK) {
                    return true;
                }
                if (r == Stripe.SEALED) {
                    return false;
                }
                if (r == Stripe.OK_SHARED) {
                    // Two threads keep meeting on one stripe (their ids collide under the mask):
                    // more stripes separate them.
                    if (ss.length < MAX_STRIPES) {
                        grow(ss);
                    }
                    return true;
                }
            }
            // Every stripe was busy at the moment we looked: more writers than stripes.
            ss = grow(ss);
        }
    }

    /** Installs or doubles the stripe array; returns the array now current (maybe SEALED). */
    private Stripe[] grow(Stripe[] seen) {
        while (true) {
            Stripe[] current = (Stripe[]) STRIPES.getAcquire(this);
            if (current == SEALED) {
                return SEALED;
            }
            if (current != seen) {
                return current; // someone else grew it; use theirs
            }
            if (current != null && current.length >= MAX_STRIPES) {
                Thread.yield(); // all 64 stripes held by descheduled writers; let them finish
                return current;
            }
            int n = current == null ? INITIAL_STRIPES : current.length * 2;
            Stripe[] next = new Stripe[n];
            int copied = 0;
            if (current != null) {
                System.arraycopy(current, 0, next, 0, current.length);
                copied = current.length;
            }
            for (int i = copied; i < n; i++) {
                next[i] = new Stripe(sketchTemplate, keepsDistinct);
            }
            if (STRIPES.compareAndSet(this, current, next)) {
                return next;
            }
        }
    }

    /** Makes the cell final: afterwards no write can enter, and {@link #read()} is stable. */
    void seal() {
        base.seal();
        Stripe[] ss;
        do {
            ss = (Stripe[]) STRIPES.getAcquire(this);
            if (ss == SEALED) {
                return;
            }
        } while (!STRIPES.compareAndSet(this, ss, SEALED));
        sealedStripes = ss;
        if (ss != null) {
            for (Stripe s : ss) {
                s.seal();
            }
        }
    }

    /** Set once by {@link #seal()} so that reads after sealing still see the stripes. */
    private Stripe[] sealedStripes;

    /** The stripes beside the base, before or after sealing; null while there are none. */
    private Stripe[] stripesToRead() {
        Stripe[] ss = (Stripe[]) STRIPES.getAcquire(this);
        return ss == SEALED ? sealedStripes : ss;
    }

    /**
     * The cell's aggregate: consistent per stripe; final once sealed. A distribution's carries
     * the sketch of exactly the samples in its count.
     */
    Stats read() {
        if (keepsDistinct) {
            return readWithDistinct();
        }
        if (sketchTemplate == null) {
            Stats total = base.read();
            Stripe[] ss = stripesToRead();
            if (ss != null) {
                for (Stripe s : ss) {
                    total = total.merge(s.read());
                }
            }
            return total;
        }
        QuantileSketch sketch = sketchTemplate.emptyCopy();
        Stats total = base.read(sketch);
        Stripe[] ss = stripesToRead();
        if (ss != null) {
            for (Stripe s : ss) {
                total = total.merge(s.read(sketch));
            }
        }
        return total.isEmpty() ? total : total.withSketch(sketch);
    }

    private Stats readWithDistinct() {
        QuantileSketch sketch = sketchTemplate == null ? null : sketchTemplate.emptyCopy();
        DistinctSketch distinct = new DistinctSketch();
        Stats total = base.read(sketch, distinct);
        Stripe[] ss = stripesToRead();
        if (ss != null) {
            for (Stripe s : ss) {
                total = total.merge(s.read(sketch, distinct));
            }
        }
        if (total.isEmpty()) {
            return total;
        }
        return sketch == null ? total.withDistinct(distinct) : total.withSketch(sketch).withDistinct(distinct);
    }

    /** Number of samples so far (not necessarily consistent with sum). */
    long count() {
        long n = base.count();
        Stripe[] ss = stripesToRead();
        if (ss != null) {
            for (Stripe s : ss) {
                n += s.count();
            }
        }
        return n;
    }
}
