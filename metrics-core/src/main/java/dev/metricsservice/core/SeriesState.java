package dev.metricsservice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the aggregator holds for one metric name.
 *
 * <p>Writers touch only {@link #slots}: a small ring of live {@link WindowCell}s indexed by
 * window index modulo the ring size. The collector-side bookkeeping ({@link #pending}) is guarded
 * by this object's monitor, which writers never take.
 */
final class SeriesState implements SeriesRecorder {

    static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(WindowCell[].class);
    private static final VarHandle HOT;

    static {
        try {
            HOT = MethodHandles.lookup().findVarHandle(SeriesState.class, "hot", WindowCell.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String name;
    final Aggregator owner;
    final WindowCell[] slots;
    final int slotMask;

    /**
     * The cell of the window the clock was last in: lets a clock-stamped record skip the ring
     * lookup, which would depend on the window index (one more dependent load before the CAS).
     * Written only when it changes (about once per window), so it stays shared-clean in every
     * writer's cache. Only a hint: users check its window index, and a stale cell is sealed.
     */
    @SuppressWarnings("unused") // accessed through HOT
    private WindowCell hot;

    /** Windows collected but not yet stored in final form; guarded by {@code this}. */
    final List<PendingWindow> pending = new ArrayList<>(4);

    SeriesState(String name, Aggregator owner, int slotCount) {
        this.name = name;
        this.owner = owner;
        this.slots = new WindowCell[slotCount];
        this.slotMask = slotCount - 1;
    }

    /**
     * The cached hot cell, maybe stale or null. Volatile (a plain load on x86) so that the
     * exactly-once argument in {@link Aggregator} stays one of sequentially consistent accesses:
     * ring CAS, then this field, then the watermark.
     */
    WindowCell hotCell() {
        return (WindowCell) HOT.getVolatile(this);
    }

    /** Caches {@code cell}; benign race: concurrent writers may cache different cells, any is valid. */
    void cacheHotCell(WindowCell cell) {
        if (HOT.getOpaque(this) != cell) {
            HOT.setVolatile(this, cell);
        }
    }

    /**
     * Drops {@code cell} from the cache if it is still there; the collector calls it after sealing.
     * A writer that read the cell from the ring just before it was removed may cache it again;
     * that only keeps one sealed cell alive until the series records in a newer window.
     */
    void forgetHotCell(WindowCell cell) {
        HOT.compareAndSet(this, cell, null);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RecordResult record(double value) {
        return owner.recordNow(this, value);
    }

    @Override
    public RecordResult record(double value, long epochMillis) {
        return owner.recordAt(this, value, epochMillis);
    }

    /** Collector bookkeeping for one window; guarded by the series monitor. */
    static final class PendingWindow {
        final long windowIndex;
        /** Samples from cells already sealed (final). */
        Stats sealed = Stats.EMPTY;
        /** Last consistent read of the live cells, for an open window. */
        Stats live = Stats.EMPTY;
        /** What the store has confirmed for this (series, window, writer). */
        Stats committed = Stats.EMPTY;
        boolean finalized;

        PendingWindow(long windowIndex) {
            this.windowIndex = windowIndex;
        }

        Stats value() {
            return sealed.merge(live);
        }
    }

    /** Starts bookkeeping for a window that has none yet (see {@link #findPending}). */
    PendingWindow addPending(long windowIndex) {
        PendingWindow p = new PendingWindow(windowIndex);
        pending.add(p);
        return p;
    }

    PendingWindow findPending(long windowIndex) {
        for (PendingWindow p : pending) {
            if (p.windowIndex == windowIndex) {
                return p;
            }
        }
        return null;
    }
}
