package dev.metricsservice.core;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.WindowMerger;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the aggregator holds for one series, and all the work on it: the ring of live window
 * cells writers record into, the amendment cells of windows already final, and the collector's
 * bookkeeping ({@link PendingWindows}).
 *
 * <p>Writers touch only the ring, the hot-cell cache and the amendment map, without locks. The
 * collector, commits and queries take this object's monitor, which writers never take.
 */
final class SeriesState extends SeriesHotFields implements SeriesRecorder {

    static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(WindowCell[].class);
    private static final VarHandle HOT;
    private static final VarHandle AMENDMENTS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HOT = lookup.findVarHandle(SeriesHotFields.class, "hot", WindowCell.class);
            AMENDMENTS = lookup.findVarHandle(SeriesState.class, "amendments", ConcurrentHashMap.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SeriesKey key;
    final MetricType type;
    /** The empty sketch every cell of a distribution copies; null for other types. */
    private final QuantileSketch sketchTemplate;

    /** Cells of final windows taking late samples, by window index; created on the first one. */
    @SuppressWarnings("unused") // accessed through AMENDMENTS
    private ConcurrentHashMap<Long, WindowCell> amendments;

    /** Guarded by {@code this}. */
    private final PendingWindows pending;
    /** When the collector last saw this series hold anything; guarded by {@code this}. */
    private long lastActiveMillis;
    /** The series that replaced this one after it was retired; a forwarding hint for handles. */
    volatile SeriesState successor;

    SeriesState(SeriesKey key, MetricType type, Aggregator owner, int slotCount, long createdMillis) {
        super(owner, slotCount, type.tracksLast());
        this.key = key;
        this.type = type;
        this.sketchTemplate = type == MetricType.DISTRIBUTION ? owner.sketchTemplate : null;
        this.pending = new PendingWindows(owner.pendingWindows);
        this.lastActiveMillis = createdMillis;
    }

    @Override
    public SeriesKey key() {
        return key;
    }

    @Override
    public RecordResult record(double value) {
        return owner.recordNow(this, value);
    }

    @Override
    public MetricType type() {
        return type;
    }

    /**
     * Records a judged, clock-stamped sample into window {@code w}, the clock's current one.
     * {@code stampMillis} is the sample's time for a series that {@link #tracksLast}, otherwise
     * {@link Stats#NO_LAST}; the same holds for every method below that takes it.
     */
    RecordResult recordNow(long w, double value, long stampMillis) {
        WindowCell cell = hotCell();
        if (cell != null && cell.windowIndex == w) {
            return enterHot(cell, w, value, stampMillis);
        }
        return recordIn(w, value, stampMillis, true);
    }

    @Override
    public RecordResult record(double value, long epochMillis) {
        return owner.recordAt(this, value, epochMillis);
    }

    /** Records a sample whose value and time were already judged; {@code w} is its window index. */
    RecordResult recordAdmitted(long w, double value, long stampMillis) {
        WindowCell cell = hotCell();
        if (cell != null && cell.windowIndex == w) {
            return enterHot(cell, w, value, stampMillis);
        }
        // Client timestamps may scatter over several windows: only the clock's window is cached.
        return recordIn(w, value, stampMillis, false);
    }

    private RecordResult recordIn(long w, double value, long stampMillis, boolean cache) {
        int slot = (int) w & slotMask;
        while (true) {
            WindowCell cell = (WindowCell) SLOTS.getVolatile(slots, slot);
            if (cell != null && cell.windowIndex == w) {
                return enter(cell, w, value, stampMillis, cache);
            }
            if (!admits()) {
                // Retired (a handle outlived its series): whatever the ring still holds is not ours.
                return owner.recordInSuccessor(this, w, value, stampMillis);
            }
            if (owner.isFinal(w)) {
                return recordLate(w, value, stampMillis);
            }
            if (cell != null) {
                // The slot still holds a window the collector has not finalized: the collector is
                // more than a ring's worth of windows behind. Refuse rather than grow.
                return owner.reject(RecordResult.OVERLOADED);
            }
            WindowCell created = new WindowCell(w, sketchTemplate, type == MetricType.SET);
            if (SLOTS.compareAndSet(slots, slot, null, created)) {
                return enter(created, w, value, stampMillis, cache);
            }
        }
    }

    /**
     * Enters a cell found in (or published to) the ring: first the retirement check, then the
     * watermark check (see {@link SeriesRetirement} and {@link WatermarkPhaser} for why each comes
     * after the cell was found). A final window takes the sample as an amendment. The cell becomes
     * the hot cell only after the retirement check passed, which is what lets {@link #enterHot}
     * skip that check.
     */
    private RecordResult enter(WindowCell cell, long w, double value, long stampMillis, boolean cache) {
        if (!admits()) {
            return owner.recordInSuccessor(this, w, value, stampMillis);
        }
        if (cache) {
            cacheHotCell(cell);
        }
        return owner.enter(cell, w, value, stampMillis) ? RecordResult.ACCEPTED : recordLate(w, value, stampMillis);
    }

    /**
     * Enters the hot cell. No retirement check: a cell is cached only after one passed, so in a
     * series that was then retired every cached cell is sealed (see {@link SeriesRetirement}),
     * its stripes refuse, and the sample goes the checked way through {@link #recordLate}.
     */
    private RecordResult enterHot(WindowCell cell, long w, double value, long stampMillis) {
        return owner.enter(cell, w, value, stampMillis) ? RecordResult.ACCEPTED : recordLate(w, value, stampMillis);
    }

    /**
     * Records into an amendment of the final window {@code w}. The collector removes an amendment
     * cell from the map before sealing it, so a writer that finds its cell sealed finds a newer
     * one (or none) on the next lookup.
     */
    private RecordResult recordLate(long w, double value, long stampMillis) {
        ConcurrentHashMap<Long, WindowCell> map = amendmentMap();
        Long window = w;
        while (true) {
            WindowCell cell = map.get(window);
            if (cell == null) {
                WindowCell created = new WindowCell(w, sketchTemplate, type == MetricType.SET);
                if (map.putIfAbsent(window, created) != null) {
                    continue;
                }
                cell = created;
            }
            if (!admits()) {
                return owner.recordInSuccessor(this, w, value, stampMillis);
            }
            if (cell.record(value, stampMillis)) {
                return RecordResult.ACCEPTED;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<Long, WindowCell> amendmentMap() {
        ConcurrentHashMap<Long, WindowCell> map = (ConcurrentHashMap<Long, WindowCell>) AMENDMENTS.getAcquire(this);
        if (map == null) {
            ConcurrentHashMap<Long, WindowCell> created = new ConcurrentHashMap<>(4);
            map = (ConcurrentHashMap<Long, WindowCell>) AMENDMENTS.compareAndExchange(this, null, created);
            if (map == null) {
                map = created;
            }
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<Long, WindowCell> amendmentsOrNull() {
        return (ConcurrentHashMap<Long, WindowCell>) AMENDMENTS.getAcquire(this);
    }

    /**
     * The cached hot cell, maybe stale or null. Volatile (a plain load on x86) so that the
     * exactly-once argument in {@link WatermarkPhaser} stays one of sequentially consistent
     * accesses: ring CAS, then this field, then the watermark.
     */
    private WindowCell hotCell() {
        return (WindowCell) HOT.getVolatile(this);
    }

    /** Caches {@code cell}; benign race: concurrent writers may cache different cells, any is valid. */
    private void cacheHotCell(WindowCell cell) {
        if (HOT.getOpaque(this) != cell) {
            HOT.setVolatile(this, cell);
        }
    }

    // ------------------------------------------------------------------ collector side

    /**
     * Seals the cells of final windows and amendments, reads the open ones, and offers everything
     * the store does not hold yet into {@code run}.
     */
    synchronized void collectInto(CollectRun run) {
        boolean active = false;
        for (int i = 0; i < slots.length; i++) {
            WindowCell cell = (WindowCell) SLOTS.getVolatile(slots, i);
            if (cell == null) {
                continue;
            }
            active = true;
            if (cell.windowIndex < run.watermark) {
                Stats last = owner.finalRead(cell);
                // So an idle series does not keep its last cell alive. A writer that read the cell
                // just before may cache it again; it is sealed, so that only delays its collection.
                HOT.compareAndSet(this, cell, null);
                SLOTS.compareAndSet(slots, i, cell, null);
                run.sealedSamples += last.count();
                pending.windowSealed(cell.windowIndex, last);
            } else {
                pending.windowLive(cell.windowIndex, cell.read());
                run.lowestOpenWindow = Math.min(run.lowestOpenWindow, cell.windowIndex);
            }
        }
        ConcurrentHashMap<Long, WindowCell> map = amendmentsOrNull();
        if (map != null) {
            for (Map.Entry<Long, WindowCell> e : map.entrySet()) {
                WindowCell cell = e.getValue();
                if (map.remove(e.getKey(), cell)) { // removed before sealing: see recordLate
                    active = true;
                    cell.seal();
                    Stats last = cell.read();
                    run.sealedSamples += last.count();
                    pending.amendmentSealed(cell.windowIndex, run.amendment, last);
                }
            }
        }
        pending.offerInto(run, this);
        pending.noteHeld(run);
        if (active || !pending.isEmpty()) {
            lastActiveMillis = run.nowMillis;
        }
    }

    /** The store confirmed {@code value} for {@code entry}. */
    synchronized void commit(PendingWindows.Entry entry, Stats value) {
        pending.commit(entry, value);
    }

    /**
     * True when this series has held nothing for {@code ttlMillis} (no cell, nothing pending) and
     * is now retired: no sample will be recorded into it again (see {@link SeriesRetirement}).
     */
    synchronized boolean retireIfIdle(long nowMillis, long ttlMillis) {
        if (!pending.isEmpty() || nowMillis - lastActiveMillis < ttlMillis) {
            return false;
        }
        return tryRetire();
    }

    @Override
    boolean holdsCells() {
        for (int i = 0; i < slots.length; i++) {
            if (SLOTS.getVolatile(slots, i) != null) {
                return true;
            }
        }
        ConcurrentHashMap<Long, WindowCell> map = amendmentsOrNull();
        return map != null && !map.isEmpty();
    }

    /** Samples in cells not yet sealed (live windows and open amendments). */
    synchronized long liveSamples() {
        long n = 0;
        for (int i = 0; i < slots.length; i++) {
            WindowCell cell = (WindowCell) SLOTS.getVolatile(slots, i);
            if (cell != null) {
                n += cell.count();
            }
        }
        ConcurrentHashMap<Long, WindowCell> map = amendmentsOrNull();
        if (map != null) {
            for (WindowCell cell : map.values()) {
                n += cell.count();
            }
        }
        return n;
    }

    /** Adds to {@code merger} what this series holds that the store does not have yet (the caller checked the series matches). */
    synchronized void unflushedInto(MetricQuery query, long windowSeconds, WindowMerger merger) {
        Map<Long, Stats> live = new HashMap<>();
        for (int i = 0; i < slots.length; i++) {
            WindowCell cell = (WindowCell) SLOTS.getVolatile(slots, i);
            if (cell != null && query.covers(cell.windowIndex * windowSeconds)) {
                live.merge(cell.windowIndex, cell.read(), Stats::merge);
            }
        }
        pending.unflushedInto(query, windowSeconds, live, merger, key, type);
        for (Map.Entry<Long, Stats> e : live.entrySet()) {
            merger.add(key, type, e.getKey() * windowSeconds, e.getValue());
        }
        ConcurrentHashMap<Long, WindowCell> map = amendmentsOrNull();
        if (map != null) {
            for (WindowCell cell : map.values()) {
                if (query.covers(cell.windowIndex * windowSeconds)) {
                    merger.add(key, type, cell.windowIndex * windowSeconds, cell.read());
                }
            }
        }
    }
}
