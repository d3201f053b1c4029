package dev.metricsservice.core;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.WindowMerger;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Aggregates {@code (name, value)} samples into epoch-aligned time windows, keeping count, sum,
 * min and max per (name, window), and hands them to a store exactly once.
 *
 * <pre>{@code
 * Aggregator aggregator = Aggregator.builder()
 *         .windowWidth(Duration.ofSeconds(10))
 *         .maxSeries(100_000)
 *         .build();
 *
 * aggregator.record("cpu", 42.5);                       // stamped with the aggregator's clock
 * aggregator.record("cpu", 40.0, clientEpochMillis);    // stamped by the client
 * SeriesRecorder cpu = aggregator.series("cpu");         // no name lookup on each record
 * cpu.record(41.0);
 *
 * // the flush worker, every interval:
 * CollectedBatch batch = aggregator.collect();
 * store.write(batch.aggregates()).thenRun(batch::commit);
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Thread-safe, lock-free writers.</b> Any number of threads may record concurrently with
 *       each other and with {@link #collect()}. Recording never takes a lock, never waits for the
 *       collector, and never reads the system clock (see {@link MetricClock}). Once a series and
 *       its current window exist, recording allocates nothing.</li>
 *   <li><b>Exactly once.</b> Every sample for which {@code record} returned
 *       {@link RecordResult#ACCEPTED} is part of exactly one window's final aggregate, which every
 *       later {@code collect()} offers until a {@link CollectedBatch#commit()} confirms it was
 *       stored. A failed store write loses nothing: the data is offered again, merged with
 *       anything newer.</li>
 *   <li><b>Never throws on bad input.</b> Invalid names, non-finite values, samples outside the
 *       accepted time range, too many series, and too much pending data each yield a
 *       {@link RecordResult} and are counted in {@link #stats()}.</li>
 *   <li><b>Bounded.</b> At most {@code maxSeries} series; once more than
 *       {@code maxPendingWindows} window aggregates wait for the store, new samples are refused
 *       with {@link RecordResult#OVERLOADED} until the store catches up.</li>
 * </ul>
 *
 * <h2>Windows and time</h2>
 * Window {@code i} covers {@code [i*w, (i+1)*w)} epoch milliseconds for width {@code w}. A window
 * is finalized by the first collect at least {@code allowedLateness} after its end; samples for a
 * finalized window are refused as {@link RecordResult#TOO_LATE}. Client timestamps more than
 * {@code maxFutureSkew} ahead of the clock are refused as {@link RecordResult#TOO_EARLY}.
 *
 * <h2>Design (for maintainers)</h2>
 * Each series keeps a small ring of live {@link WindowCell}s, one per window. A cell is a set of
 * padded {@link Stripe}s, each claimed by one writer at a time with a single CAS and released with
 * a store-release, so a sample costs one atomic instruction. The collector finalizes a window by
 * publishing a new watermark and then sealing its cells; a writer checks the watermark after
 * finding its cell and before entering it, and sealing waits out any writer already inside. That
 * handshake plays the part of HdrHistogram's writer/reader phaser: no sample is recorded into a
 * window after its final value was read, and none is read twice, because a cell is read in final
 * form exactly once and then discarded. Open windows are read consistently (stripes act as
 * seqlocks) without stopping writers and written as cumulative partials.
 */
public final class Aggregator {

    private static final VarHandle FINALIZED_BELOW;

    static {
        try {
            FINALIZED_BELOW = MethodHandles.lookup().findVarHandle(Aggregator.class, "finalizedBelow", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MetricClock clock;
    private final long windowMillis;
    private final long windowSeconds;
    private final String writerId;
    private final int maxSeries;
    private final int maxNameBytes;
    private final long maxPendingWindows;
    private final long allowedLatenessMillis;
    private final long maxFutureSkewMillis;
    private final int slotsPerSeries;

    private final ConcurrentHashMap<String, SeriesState> series = new ConcurrentHashMap<>();
    private final AtomicInteger seriesCount = new AtomicInteger();
    private final LongAdder[] rejections = new LongAdder[RecordResult.values().length];

    /** Windows with a smaller index are final; written by the collector, read by writers. */
    @SuppressWarnings("unused") // accessed through FINALIZED_BELOW
    private long finalizedBelow;
    private volatile boolean overloaded;
    /**
     * Index of the window the clock was last seen in. Only a cache: every reader checks it against
     * the time it read and computes the index itself when it does not match, so a stale value
     * costs a division, never a wrong window. A single long (not an object holding index and
     * start) keeps the record path one dependent load shorter.
     */
    private volatile long currentWindowIndex;

    private final ReentrantLock collectLock = new ReentrantLock();
    private final AtomicLong pendingWindows = new AtomicLong();
    private final AtomicLong acceptedInSealedWindows = new AtomicLong();
    private final AtomicLong collects = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();

    private Aggregator(Builder b) {
        this.clock = b.clock;
        this.windowMillis = b.windowWidth.toMillis();
        this.windowSeconds = b.windowWidth.toSeconds();
        this.writerId = b.writerId != null ? b.writerId : randomWriterId();
        this.maxSeries = b.maxSeries;
        this.maxNameBytes = b.maxNameBytes;
        this.maxPendingWindows = b.maxPendingWindows;
        this.allowedLatenessMillis = b.allowedLateness.toMillis();
        this.maxFutureSkewMillis = b.maxFutureSkew.toMillis();
        // Live windows span from the watermark (lateness behind the last collect) to the furthest
        // accepted future window; 8 windows of slack cover a collector running a few windows late.
        long span = ceilDiv(allowedLatenessMillis, windowMillis) + ceilDiv(maxFutureSkewMillis, windowMillis) + 8;
        this.slotsPerSeries = (int) Math.min(1024, Long.highestOneBit(span - 1) << 1);
        for (int i = 0; i < rejections.length; i++) {
            rejections[i] = new LongAdder();
        }
        long now = clock.millis();
        this.currentWindowIndex = Math.floorDiv(now, windowMillis);
        FINALIZED_BELOW.setRelease(this, Math.floorDiv(now - allowedLatenessMillis, windowMillis));
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ recording

    /**
     * Records a sample stamped with the aggregator's clock.
     *
     * @return {@link RecordResult#ACCEPTED}, or why the sample was refused
     */
    public RecordResult record(String name, double value) {
        SeriesState s = name == null ? null : series.get(name);
        return s != null ? recordNow(s, value) : recordInNewSeries(name, value, false, 0);
    }

    /**
     * Records a sample with a client timestamp.
     *
     * @param epochMillis when the sample was taken, in epoch milliseconds
     * @return {@link RecordResult#ACCEPTED}, or why the sample was refused
     */
    public RecordResult record(String name, double value, long epochMillis) {
        SeriesState s = name == null ? null : series.get(name);
        return s != null ? recordAt(s, value, epochMillis) : recordInNewSeries(name, value, true, epochMillis);
    }

    /** Slow path of both {@code record} overloads: the name has no series yet (or is null). */
    private RecordResult recordInNewSeries(String name, double value, boolean clientStamped, long epochMillis) {
        if (name == null) {
            return reject(RecordResult.INVALID_NAME);
        }
        // Refuse a bad value before creating a series that would hold nothing.
        RecordResult refused = refuseEarly(value);
        if (refused != null) {
            return refused;
        }
        SeriesState s = createSeries(name);
        if (s == null) {
            return lastCreateFailure(name);
        }
        return clientStamped ? recordAt(s, value, epochMillis) : recordNow(s, value);
    }

    /**
     * A handle that records into one series without looking up its name. The series is created
     * if needed.
     *
     * @throws IllegalArgumentException if the name breaks the {@link MetricNames} rule
     * @throws IllegalStateException if creating the series would exceed {@code maxSeries}
     */
    public SeriesRecorder series(String name) {
        SeriesState s = name == null ? null : series.get(name);
        if (s != null) {
            return s;
        }
        String problem = MetricNames.problem(name, maxNameBytes);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        s = createSeries(name);
        if (s == null) {
            throw new IllegalStateException("cannot create series '" + name + "': the limit of "
                    + maxSeries + " distinct series is reached");
        }
        return s;
    }

    /**
     * Says whether {@link #record(String, double, long)} would accept this sample now, without
     * recording or counting anything. Front ends use it to validate a whole batch before
     * recording any of it (all or none).
     *
     * <p>The answer can go stale: between this call and {@code record} another thread may take the
     * last free series, the collector may finalize the sample's window, or the store may fall
     * behind. Those refusals ({@code SERIES_LIMIT}, {@code TOO_LATE}, {@code OVERLOADED}) can
     * still come from {@code record}; rule violations ({@code INVALID_NAME},
     * {@code NON_FINITE_VALUE}, {@code TOO_EARLY}) cannot.
     */
    public RecordResult check(String name, double value, long epochMillis) {
        if (name == null || (!series.containsKey(name) && MetricNames.problem(name, maxNameBytes) != null)) {
            return RecordResult.INVALID_NAME;
        }
        if (!Double.isFinite(value)) {
            return RecordResult.NON_FINITE_VALUE;
        }
        long now = clock.millis();
        if (epochMillis > now && epochMillis - now > maxFutureSkewMillis) {
            return RecordResult.TOO_EARLY;
        }
        if (Math.floorDiv(epochMillis, windowMillis) < (long) FINALIZED_BELOW.getVolatile(this)) {
            return RecordResult.TOO_LATE;
        }
        if (!series.containsKey(name) && seriesCount.get() >= maxSeries) {
            return RecordResult.SERIES_LIMIT;
        }
        return overloaded ? RecordResult.OVERLOADED : RecordResult.ACCEPTED;
    }

    /** {@link #check(String, double, long)} for a sample stamped with the aggregator's clock. */
    public RecordResult check(String name, double value) {
        return check(name, value, clock.millis());
    }

    RecordResult recordNow(SeriesState s, double value) {
        if (!Double.isFinite(value)) {
            return reject(RecordResult.NON_FINITE_VALUE);
        }
        if (overloaded) {
            return reject(RecordResult.OVERLOADED);
        }
        long now = clock.millis();
        long current = currentWindowIndex;
        long offset = now - current * windowMillis;
        long windowIndex = (offset >= 0 && offset < windowMillis) ? current : advanceCurrent(now);
        WindowCell hot = s.hotCell();
        if (hot != null && hot.windowIndex == windowIndex) {
            return recordInCell(hot, windowIndex, value);
        }
        return recordInWindow(s, windowIndex, value, true);
    }

    RecordResult recordAt(SeriesState s, double value, long epochMillis) {
        if (!Double.isFinite(value)) {
            return reject(RecordResult.NON_FINITE_VALUE);
        }
        if (overloaded) {
            return reject(RecordResult.OVERLOADED);
        }
        long now = clock.millis();
        if (epochMillis > now && epochMillis - now > maxFutureSkewMillis) {
            return reject(RecordResult.TOO_EARLY);
        }
        long current = currentWindowIndex;
        long offset = epochMillis - current * windowMillis;
        long windowIndex = (offset >= 0 && offset < windowMillis) ? current : Math.floorDiv(epochMillis, windowMillis);
        WindowCell hot = s.hotCell();
        if (hot != null && hot.windowIndex == windowIndex) {
            return recordInCell(hot, windowIndex, value);
        }
        // Client timestamps may scatter over several windows: only the clock's window is cached.
        return recordInWindow(s, windowIndex, value, false);
    }

    /**
     * Records into a cell found for {@code windowIndex}, through the ring or the series' hot-cell
     * cache. Both lead to the same object: a cell leaves the ring only after the collector sealed
     * it, so a cached cell is either still in the ring or sealed (and refuses the sample).
     */
    private RecordResult recordInCell(WindowCell cell, long windowIndex, double value) {
        // The watermark is read after the cell was found: see the class comment for why this
        // order, together with the collector's (watermark first, then cells), is exactly-once.
        if (windowIndex < (long) FINALIZED_BELOW.getVolatile(this)) {
            return reject(RecordResult.TOO_LATE);
        }
        return cell.record(value) ? RecordResult.ACCEPTED : reject(RecordResult.TOO_LATE);
    }

    private RecordResult recordInWindow(SeriesState s, long windowIndex, double value, boolean cache) {
        WindowCell cell = (WindowCell) SeriesState.SLOTS.getVolatile(s.slots, (int) windowIndex & s.slotMask);
        if (cell == null || cell.windowIndex != windowIndex) {
            return recordInNewCell(s, windowIndex, value, cache);
        }
        if (cache) {
            s.cacheHotCell(cell);
        }
        return recordInCell(cell, windowIndex, value);
    }

    private RecordResult recordInNewCell(SeriesState s, long windowIndex, double value, boolean cache) {
        int slot = (int) windowIndex & s.slotMask;
        while (true) {
            if (windowIndex < (long) FINALIZED_BELOW.getVolatile(this)) {
                return reject(RecordResult.TOO_LATE);
            }
            WindowCell cell = (WindowCell) SeriesState.SLOTS.getVolatile(s.slots, slot);
            if (cell != null) {
                if (cell.windowIndex == windowIndex) {
                    return recordInWindow(s, windowIndex, value, cache);
                }
                // The slot still holds a window the collector has not finalized: the collector is
                // more than a ring's worth of windows behind. Refuse rather than grow.
                return reject(RecordResult.OVERLOADED);
            }
            WindowCell created = new WindowCell(windowIndex);
            if (SeriesState.SLOTS.compareAndSet(s.slots, slot, null, created)) {
                // Re-check after publishing the cell (CAS is a full fence): either the collector
                // sees this cell in its scan, or we see its new watermark here.
                if (windowIndex < (long) FINALIZED_BELOW.getVolatile(this)) {
                    return reject(RecordResult.TOO_LATE);
                }
                if (cache) {
                    s.cacheHotCell(created);
                }
                return created.record(value) ? RecordResult.ACCEPTED : reject(RecordResult.TOO_LATE);
            }
        }
    }

    private long advanceCurrent(long now) {
        long index = Math.floorDiv(now, windowMillis);
        // Benign race: two writers may both move the cache on, and one holding an older reading
        // may move it back by a window; the cache is validated on every use, so that only costs
        // the next writer this division.
        if (index > currentWindowIndex) {
            currentWindowIndex = index;
        }
        return index;
    }

    private RecordResult refuseEarly(double value) {
        if (!Double.isFinite(value)) {
            return reject(RecordResult.NON_FINITE_VALUE);
        }
        if (overloaded) {
            return reject(RecordResult.OVERLOADED);
        }
        return null;
    }

    private SeriesState createSeries(String name) {
        if (MetricNames.problem(name, maxNameBytes) != null) {
            return null;
        }
        SeriesState existing = series.get(name);
        if (existing != null) {
            return existing;
        }
        if (seriesCount.incrementAndGet() > maxSeries) {
            seriesCount.decrementAndGet();
            return null;
        }
        SeriesState created = new SeriesState(name, this, slotsPerSeries);
        SeriesState raced = series.putIfAbsent(name, created);
        if (raced != null) {
            seriesCount.decrementAndGet();
            return raced;
        }
        return created;
    }

    private RecordResult lastCreateFailure(String name) {
        return reject(MetricNames.problem(name, maxNameBytes) != null
                ? RecordResult.INVALID_NAME : RecordResult.SERIES_LIMIT);
    }

    private RecordResult reject(RecordResult reason) {
        rejections[reason.ordinal()].increment();
        return reason;
    }

    // ------------------------------------------------------------------ collecting

    /** One aggregate offered in a batch, with what it must be compared against at commit. */
    record Offer(SeriesState series, SeriesState.PendingWindow window, Stats value) {
    }

    /**
     * Takes everything not yet confirmed as stored: the final value of every window that closed
     * (by the clock, allowing for lateness) and a cumulative partial of every open window that
     * changed since it was last stored. Writers keep recording throughout.
     *
     * <p>Nothing is forgotten until {@link CollectedBatch#commit()}; see there for the protocol.
     */
    public CollectedBatch collect() {
        collectLock.lock();
        try {
            long now = clock.millis();
            long watermark = Math.max((long) FINALIZED_BELOW.getVolatile(this),
                    Math.floorDiv(now - allowedLatenessMillis, windowMillis));
            FINALIZED_BELOW.setVolatile(this, watermark);

            List<WindowAggregate> aggregates = new ArrayList<>();
            List<Offer> offers = new ArrayList<>();
            int finals = 0;
            for (SeriesState s : series.values()) {
                finals += collectSeries(s, watermark, aggregates, offers);
            }
            collects.incrementAndGet();
            updateOverloaded();
            return new CollectedBatch(this, aggregates, offers, finals, now);
        } finally {
            collectLock.unlock();
        }
    }

    private int collectSeries(SeriesState s, long watermark, List<WindowAggregate> aggregates, List<Offer> offers) {
        int finals = 0;
        synchronized (s) {
            for (int i = 0; i < s.slots.length; i++) {
                WindowCell cell = (WindowCell) SeriesState.SLOTS.getVolatile(s.slots, i);
                if (cell == null) {
                    continue;
                }
                if (cell.windowIndex < watermark) {
                    cell.seal();
                    s.forgetHotCell(cell); // so an idle series does not keep its last cell alive
                    Stats last = cell.read();
                    SeriesState.SLOTS.compareAndSet(s.slots, i, cell, null);
                    if (last.isEmpty()) {
                        SeriesState.PendingWindow p = s.findPending(cell.windowIndex);
                        if (p != null) {
                            p.finalized = true;
                            p.live = Stats.EMPTY;
                        }
                        continue;
                    }
                    acceptedInSealedWindows.addAndGet(last.count());
                    SeriesState.PendingWindow p = pendingFor(s, cell.windowIndex);
                    p.sealed = p.sealed.merge(last);
                    p.live = Stats.EMPTY;
                    p.finalized = true;
                } else {
                    Stats now = cell.read();
                    if (!now.isEmpty()) {
                        pendingFor(s, cell.windowIndex).live = now;
                    }
                }
            }
            for (var it = s.pending.iterator(); it.hasNext(); ) {
                SeriesState.PendingWindow p = it.next();
                if (!p.finalized && p.windowIndex < watermark) {
                    p.finalized = true; // its cell was already gone (empty); nothing more can arrive
                }
                Stats value = p.value();
                if (value.count() == p.committed.count()) {
                    if (p.finalized) {
                        it.remove(); // the store already holds exactly this final value
                        pendingWindows.decrementAndGet();
                    }
                    continue;
                }
                aggregates.add(new WindowAggregate(s.name, p.windowIndex * windowSeconds, writerId, value));
                offers.add(new Offer(s, p, value));
                if (p.finalized) {
                    finals++;
                }
            }
        }
        return finals;
    }

    private SeriesState.PendingWindow pendingFor(SeriesState s, long windowIndex) {
        SeriesState.PendingWindow p = s.findPending(windowIndex);
        if (p == null) {
            p = s.addPending(windowIndex);
            pendingWindows.incrementAndGet();
        }
        return p;
    }

    void commit(List<Offer> offers) {
        for (Offer o : offers) {
            SeriesState s = o.series();
            synchronized (s) {
                SeriesState.PendingWindow p = o.window();
                if (o.value().count() > p.committed.count()) {
                    p.committed = o.value();
                }
                if (p.finalized && p.committed.count() == p.value().count() && s.pending.remove(p)) {
                    pendingWindows.decrementAndGet();
                }
            }
        }
        commits.incrementAndGet();
        updateOverloaded();
    }

    private void updateOverloaded() {
        boolean over = pendingWindows.get() >= maxPendingWindows;
        if (over != overloaded) {
            overloaded = over;
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * What this aggregator holds for a metric that the store does not have yet, per window, so
     * that {@code store rows ⊕ unflushed rows} (merged with {@link WindowMerger}) is the complete
     * picture including samples recorded a moment ago.
     *
     * <p>For a window of which an earlier partial was already stored, the row carries the count
     * and sum recorded since then, and the window's cumulative min and max (which dominate the
     * stored ones), so merging with the store's row gives exact totals.
     *
     * <pre>{@code
     * List<WindowStats> rows = new WindowMerger()
     *         .addAll(store.query(q).join())
     *         .addAll(aggregator.unflushed(q))
     *         .result(q);
     * }</pre>
     */
    public List<dev.metricsservice.core.WindowStats> unflushed(MetricQuery query) {
        SeriesState s = series.get(query.name());
        if (s == null) {
            return List.of();
        }
        WindowMerger merger = new WindowMerger();
        synchronized (s) {
            Map<Long, Stats> live = new java.util.HashMap<>();
            for (int i = 0; i < s.slots.length; i++) {
                WindowCell cell = (WindowCell) SeriesState.SLOTS.getVolatile(s.slots, i);
                if (cell != null && query.covers(cell.windowIndex * windowSeconds)) {
                    live.merge(cell.windowIndex, cell.read(), Stats::merge);
                }
            }
            for (SeriesState.PendingWindow p : s.pending) {
                if (!query.covers(p.windowIndex * windowSeconds)) {
                    continue;
                }
                Stats total = p.sealed.merge(live.getOrDefault(p.windowIndex, Stats.EMPTY));
                live.remove(p.windowIndex);
                if (total.count() > p.committed.count()) {
                    merger.add(p.windowIndex * windowSeconds, new Stats(total.count() - p.committed.count(),
                            total.sum() - p.committed.sum(), total.min(), total.max()));
                }
            }
            for (var e : live.entrySet()) {
                merger.add(e.getKey() * windowSeconds, e.getValue());
            }
        }
        return merger.result(query);
    }

    /** The aggregator's own counters; takes the collector's lock briefly. */
    public AggregatorStats stats() {
        collectLock.lock();
        try {
            long accepted = acceptedInSealedWindows.get();
            for (SeriesState s : series.values()) {
                synchronized (s) {
                    for (int i = 0; i < s.slots.length; i++) {
                        WindowCell cell = (WindowCell) SeriesState.SLOTS.getVolatile(s.slots, i);
                        if (cell != null) {
                            accepted += cell.count();
                        }
                    }
                }
            }
            Map<RecordResult, Long> rejected = new EnumMap<>(RecordResult.class);
            for (RecordResult r : RecordResult.values()) {
                if (r != RecordResult.ACCEPTED) {
                    rejected.put(r, rejections[r.ordinal()].sum());
                }
            }
            return new AggregatorStats(writerId, accepted, rejected, seriesCount.get(), pendingWindows.get(),
                    collects.get(), commits.get(), overloaded);
        } finally {
            collectLock.unlock();
        }
    }

    // ------------------------------------------------------------------ configuration

    /** The id stored with every aggregate this instance writes. */
    public String writerId() {
        return writerId;
    }

    /** The window width. */
    public Duration windowWidth() {
        return Duration.ofMillis(windowMillis);
    }

    /** The clock this aggregator stamps samples with. */
    public MetricClock clock() {
        return clock;
    }

    /** The start, in epoch seconds, of the window containing {@code epochMillis}. */
    public long windowStartEpochSecond(long epochMillis) {
        return Math.floorDiv(epochMillis, windowMillis) * windowSeconds;
    }

    /** How long after a window ends its samples are still accepted. */
    public Duration allowedLateness() {
        return Duration.ofMillis(allowedLatenessMillis);
    }

    /** How far ahead of the clock a client timestamp may be. */
    public Duration maxFutureSkew() {
        return Duration.ofMillis(maxFutureSkewMillis);
    }

    /** The most distinct series this aggregator holds. */
    public int maxSeries() {
        return maxSeries;
    }

    /** The longest accepted metric name, in UTF-8 bytes. */
    public int maxNameBytes() {
        return maxNameBytes;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static String randomWriterId() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Configures an {@link Aggregator}. Not thread-safe; build once.
     *
     * <pre>{@code
     * Aggregator a = Aggregator.builder()
     *         .windowWidth(Duration.ofSeconds(10))      // default 10 s; whole seconds
     *         .allowedLateness(Duration.ofSeconds(5))   // default 5 s
     *         .maxFutureSkew(Duration.ofSeconds(60))    // default 60 s
     *         .maxSeries(100_000)                       // default 100,000
     *         .maxPendingWindows(1_000_000)             // default 1,000,000
     *         .maxNameBytes(200)                        // default 200
     *         .writerId("instance-a")                   // default: 12 random hex digits
     *         .clock(MetricClock.system())              // default
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private Duration windowWidth = Duration.ofSeconds(10);
        private Duration allowedLateness = Duration.ofSeconds(5);
        private Duration maxFutureSkew = Duration.ofSeconds(60);
        private int maxSeries = 100_000;
        private long maxPendingWindows = 1_000_000;
        private int maxNameBytes = MetricNames.DEFAULT_MAX_NAME_BYTES;
        private String writerId;
        private MetricClock clock;

        private Builder() {
        }

        /** Width of a window: a whole number of seconds, 1 s to 1 day. Default 10 s. */
        public Builder windowWidth(Duration width) {
            Objects.requireNonNull(width, "windowWidth");
            if (width.isNegative() || width.isZero() || width.toMillis() % 1000 != 0 || width.toDays() > 1
                    || width.getNano() % 1_000_000 != 0) {
                throw new IllegalArgumentException(
                        "windowWidth must be a whole number of seconds between 1 s and 1 day, was " + width);
            }
            if (width.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("windowWidth must be at most 1 day, was " + width);
            }
            this.windowWidth = width;
            return this;
        }

        /** How long after a window ends samples for it are still accepted. Default 5 s. */
        public Builder allowedLateness(Duration lateness) {
            this.allowedLateness = requireRange("allowedLateness", lateness, Duration.ofDays(1));
            return this;
        }

        /** How far ahead of the clock a client timestamp may be. Default 60 s. */
        public Builder maxFutureSkew(Duration skew) {
            this.maxFutureSkew = requireRange("maxFutureSkew", skew, Duration.ofDays(1));
            return this;
        }

        /** Maximum number of distinct series, 1 to 100,000,000. Default 100,000. */
        public Builder maxSeries(int maxSeries) {
            if (maxSeries < 1 || maxSeries > 100_000_000) {
                throw new IllegalArgumentException("maxSeries must be between 1 and 100000000, was " + maxSeries);
            }
            this.maxSeries = maxSeries;
            return this;
        }

        /**
         * Maximum number of window aggregates held for the store (not yet stored in final form)
         * before new samples are refused as {@link RecordResult#OVERLOADED}. Default 1,000,000.
         */
        public Builder maxPendingWindows(long maxPendingWindows) {
            if (maxPendingWindows < 1) {
                throw new IllegalArgumentException("maxPendingWindows must be at least 1, was " + maxPendingWindows);
            }
            this.maxPendingWindows = maxPendingWindows;
            return this;
        }

        /** Longest metric name in UTF-8 bytes, 1 to 65,535. Default 200. */
        public Builder maxNameBytes(int maxNameBytes) {
            if (maxNameBytes < 1 || maxNameBytes > 65_535) {
                throw new IllegalArgumentException("maxNameBytes must be between 1 and 65535, was " + maxNameBytes);
            }
            this.maxNameBytes = maxNameBytes;
            return this;
        }

        /**
         * The id written with every aggregate: stable for this instance and distinct from every
         * other instance writing to the same store. 1 to 64 characters from {@code [A-Za-z0-9._-]}.
         * Default: 12 random hex digits, new for each aggregator.
         */
        public Builder writerId(String writerId) {
            if (writerId == null || !writerId.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(
                        "writerId must be 1 to 64 characters from [A-Za-z0-9._-], was " + writerId);
            }
            this.writerId = writerId;
            return this;
        }

        /** The clock samples are stamped with. Default {@link MetricClock#system()}. */
        public Builder clock(MetricClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Builds the aggregator. */
        public Aggregator build() {
            if (clock == null) {
                clock = MetricClock.system();
            }
            return new Aggregator(this);
        }

        private static Duration requireRange(String what, Duration d, Duration max) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + " must be between 0 and " + max + ", was " + d);
            }
            return d;
        }
    }
}
