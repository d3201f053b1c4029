package dev.metricsservice.core;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.SeriesListQuery;
import dev.metricsservice.core.store.WindowMerger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Aggregates samples into epoch-aligned time windows, keeping count, sum, min and max per
 * (series, window), and hands them to a store exactly once.
 *
 * <pre>{@code
 * Aggregator aggregator = Aggregator.builder()
 *         .windowWidth(Duration.ofSeconds(10))
 *         .maxSeries(100_000)
 *         .build();
 *
 * aggregator.record("cpu", 42.5);                       // stamped with the aggregator's clock
 * aggregator.record("cpu", 40.0, clientEpochMillis);    // stamped by the client
 * SeriesRecorder cpu = aggregator.series("cpu");         // no lookup on each record
 * cpu.record(41.0);
 * BatchResult r = aggregator.recordAll(batch);           // all or none, for front ends
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
 *   <li><b>Exactly once.</b> Every sample answered {@link RecordResult#ACCEPTED} is part of
 *       exactly one window's (or amendment's) final aggregate, which every later
 *       {@code collect()} offers until a {@link CollectedBatch#commit()} confirms it was stored.
 *       A failed store write loses nothing: the data is offered again, merged with anything
 *       newer.</li>
 *   <li><b>One set of rules.</b> Names, values and timestamps are judged here, for single
 *       samples, batches and handles alike; every refusal is a {@link RecordResult}, counted in
 *       {@link #counters()}, and {@link #explain(RecordResult)} says why with the configured
 *       limits.</li>
 *   <li><b>Bounded.</b> At most {@code maxSeries} live series; idle series are retired after
 *       {@code seriesTtl}. Once more than {@code maxPendingWindows} aggregates wait for the
 *       store, new samples are refused with {@link RecordResult#OVERLOADED}.</li>
 * </ul>
 *
 * <h2>Windows and time</h2>
 * Window {@code i} covers {@code [i*w, (i+1)*w)} epoch milliseconds for width {@code w}. A window
 * is finalized by the first collect at least {@code allowedLateness} after its end. A sample for a
 * final window, up to {@code maxLateness} old, is recorded into an <em>amendment</em> of that
 * window: stored as an item of its own, added to the window by every read. Older samples are
 * {@link RecordResult#TOO_LATE}; client timestamps more than {@code maxFutureSkew} ahead of the
 * clock are {@link RecordResult#TOO_EARLY}.
 *
 * <h2>Design (for maintainers)</h2>
 * This class holds the entry points, collect orchestration and counters; the live series are in
 * {@link SeriesRegistry}. The per-series work (ring of window cells,
 * amendments, collect and unflushed reads) is in {@link SeriesState}; the collected-but-unstored
 * bookkeeping in {@link PendingWindows}; the two handshakes in {@link WatermarkPhaser} (a window
 * becomes final exactly once; this class extends it only so that the watermark shares its object) and {@link SeriesRetirement} (an idle series is dropped without
 * losing a racing sample).
 */
public final class Aggregator extends WatermarkPhaser {

    final MetricClock clock;
    final SampleRules rules;
    final long windowMillis;
    private final long windowSeconds;
    private final String writerId;
    private final int maxSeries;
    private final long maxPendingWindows;
    private final long allowedLatenessMillis;
    private final long seriesTtlMillis;
    private final int slotsPerSeries;
    /** The empty sketch every distribution window copies: fixes accuracy and bucket bound. */
    final QuantileSketch sketchTemplate;

    final SeriesRegistry registry;
    /** The registry's map, read directly by {@code record(name, ...)}: see {@link SeriesRegistry#map()}. */
    private final ConcurrentHashMap<String, SeriesRegistry.Names> byName;
    private final BatchRecorder batches;
    /**
     * Identifies this aggregator in a {@code Tags} object's series cache without the cache holding
     * the aggregator itself (a {@code Tags} constant would otherwise keep it alive).
     */
    private final Object cacheToken = new Object();
    final LongAdder[] rejections = new LongAdder[RecordResult.values().length];

    volatile boolean overloaded;
    /**
     * Index of the window the clock was last seen in. Only a cache: every reader checks it against
     * the time it read and computes the index itself when it does not match, so a stale value
     * costs a division, never a wrong window.
     */
    private volatile long currentWindowIndex;

    private final ReentrantLock collectLock = new ReentrantLock();
    final AtomicLong pendingWindows = new AtomicLong();
    private final AtomicLong acceptedInSealedCells = new AtomicLong();
    private final AtomicLong collects = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong retiredSeries = new AtomicLong();
    /** Guarded by the collect lock: the amendment number of the latest collect. */
    private long lastAmendment;

    Aggregator(AggregatorBuilder b) {
        super(Math.floorDiv(b.clock.millis() - b.allowedLateness.toMillis(), b.windowWidth.toMillis()));
        this.clock = b.clock;
        this.windowMillis = b.windowWidth.toMillis();
        this.windowSeconds = b.windowWidth.toSeconds();
        this.writerId = b.writerId;
        this.maxSeries = b.maxSeries;
        this.maxPendingWindows = b.maxPendingWindows;
        this.allowedLatenessMillis = b.allowedLateness.toMillis();
        this.seriesTtlMillis = b.seriesTtl.toMillis();
        this.sketchTemplate = new QuantileSketch(b.sketchAccuracy, b.sketchMaxBuckets);
        this.rules = new SampleRules(b.maxNameBytes, b.maxFutureSkew.toMillis(), b.maxLateness.toMillis(),
                b.maxSeries, b.maxSeriesPerName);
        // Live windows span from the watermark (lateness behind the last collect) to the furthest
        // accepted future window; 8 windows of slack cover a collector running a few windows late.
        long span = ceilDiv(allowedLatenessMillis, windowMillis) + ceilDiv(b.maxFutureSkew.toMillis(), windowMillis) + 8;
        this.slotsPerSeries = (int) Math.min(1024, Long.highestOneBit(span - 1) << 1);
        for (int i = 0; i < rejections.length; i++) {
            rejections[i] = new LongAdder();
        }
        this.registry = new SeriesRegistry(rules,
                (key, type) -> new SeriesState(key, type, this, slotsPerSeries, clock.millis()));
        this.byName = registry.map();
        this.batches = new BatchRecorder(this);
        long now = clock.millis();
        this.currentWindowIndex = Math.floorDiv(now, windowMillis);
    }

    /** A builder with the documented defaults. */
    public static AggregatorBuilder builder() {
        return new AggregatorBuilder();
    }

    // ------------------------------------------------------------------ recording

    /**
     * Records a sample of the untagged series of {@code name}, stamped with the aggregator's clock.
     * A new name becomes a {@link MetricType#SUMMARY}; an existing one keeps its type.
     *
     * @return {@link RecordResult#ACCEPTED}, or why the sample was refused
     */
    public RecordResult record(String name, double value) {
        SeriesRegistry.Names n = name == null ? null : byName.get(name);
        SeriesState s = n == null ? null : n.untagged;
        return s != null ? recordNow(s, value) : recordInNewSeries(name, Tags.empty(), value, false, 0);
    }

    /**
     * Records a sample with a client timestamp.
     *
     * @param epochMillis when the sample was taken, in epoch milliseconds
     * @return {@link RecordResult#ACCEPTED}, or why the sample was refused
     */
    public RecordResult record(String name, double value, long epochMillis) {
        SeriesRegistry.Names n = name == null ? null : byName.get(name);
        SeriesState s = n == null ? null : n.untagged;
        return s != null ? recordAt(s, value, epochMillis) : recordInNewSeries(name, Tags.empty(), value, true, epochMillis);
    }

    /**
     * Records a sample of the series (name, tags), stamped with the aggregator's clock. Looks the
     * series up with the caller's {@code Tags} object (two map reads, no key built, nothing
     * allocated once the series exists); hold a handle ({@link #series(SeriesKey)}) to skip even that.
     *
     * @return {@link RecordResult#ACCEPTED}, or why the sample was refused
     */
    public RecordResult record(String name, Tags tags, double value) {
        SeriesState s = resolve(name, tags);
        return s != null ? recordNow(s, value) : recordInNewSeries(name, tags, value, false, 0);
    }

    /** Records a sample of the series (name, tags) with a client timestamp in epoch milliseconds. */
    public RecordResult record(String name, Tags tags, double value, long epochMillis) {
        SeriesState s = resolve(name, tags);
        return s != null ? recordAt(s, value, epochMillis) : recordInNewSeries(name, tags, value, true, epochMillis);
    }

    /**
     * The live series of (name, tags), through the tags' one-entry cache ({@code Tags.resolved})
     * first and the two maps otherwise; null when there is none.
     */
    private SeriesState resolve(String name, Tags tags) {
        if (tags == null || name == null) {
            return null;
        }
        Tags.ResolvedSeries cache = tags.resolved;
        SeriesState cached = null;
        if (cache != null) {
            cached = cache.get();
            if (cached != null && cache.ownerToken == cacheToken && (cache.name == name || cache.name.equals(name))
                    && cached.admits()) {
                return cached;
            }
        }
        SeriesRegistry.Names n = byName.get(name);
        SeriesState found = n == null ? null : n.get(tags);
        if (found != null && (cached == null || !cached.admits())) {
            tags.resolved = new Tags.ResolvedSeries(found, cacheToken, name); // the slot was free: take it
        }
        return found;
    }

    /**
     * Records a clock-stamped sample into {@code s}: the one path of {@code record(name, value)}
     * and of handles. The judgement reads only this object's fields, so on the by-name path the
     * processor overlaps those loads with the map lookup instead of waiting for the series.
     */
    RecordResult recordNow(SeriesState s, double value) {
        RecordResult judged = judge(value, false, 0);
        return judged != RecordResult.ACCEPTED ? judged : enterNow(s, value);
    }

    /** Records a client-stamped sample into {@code s}; see {@link #recordNow}. */
    RecordResult recordAt(SeriesState s, double value, long epochMillis) {
        RecordResult judged = judge(value, true, epochMillis);
        return judged != RecordResult.ACCEPTED ? judged : enterAt(s, value, epochMillis);
    }

    /** Records an already judged, clock-stamped sample into {@code s}. */
    private RecordResult enterNow(SeriesState s, double value) {
        if (s.tracksLast) {
            // A gauge's last value is by sample time, so a clock-stamped gauge sample needs the time.
            long now = clock.millis();
            return s.recordNow(windowIndexOf(now), value, now);
        }
        return s.recordNow(currentWindowIndex(), value, Stats.NO_LAST);
    }

    /** Records an already judged, client-stamped sample into {@code s}. */
    private RecordResult enterAt(SeriesState s, double value, long epochMillis) {
        return s.recordAdmitted(windowIndexOf(epochMillis), value, s.tracksLast ? epochMillis : Stats.NO_LAST);
    }

    /**
     * The judgement of one sample outside a batch: its value, the pending bound and, when it is
     * client-stamped, its time. A refusal is counted.
     */
    private RecordResult judge(double value, boolean clientStamped, long epochMillis) {
        if (!Double.isFinite(value) || overloaded) {
            return refuseValue(value);
        }
        if (clientStamped) {
            RecordResult timing = rules.checkTimestamp(epochMillis, clock.millis());
            if (timing != RecordResult.ACCEPTED) {
                return reject(timing);
            }
        }
        return RecordResult.ACCEPTED;
    }

    private RecordResult recordInNewSeries(String name, Tags tags, double value, boolean clientStamped,
                                           long epochMillis) {
        // Judged before the series is created, so that a refused sample leaves no empty series.
        RecordResult judged = judge(value, clientStamped, epochMillis);
        if (judged != RecordResult.ACCEPTED) {
            return judged;
        }
        while (true) {
            RecordResult created = registry.create(name, tags, null);
            if (created != RecordResult.ACCEPTED) {
                return reject(created);
            }
            SeriesState s = registry.get(name, tags);
            if (s != null) { // null: retired at once; create it again
                return clientStamped ? enterAt(s, value, epochMillis) : enterNow(s, value);
            }
        }
    }

    /**
     * Records a whole batch, all or none: every sample's name, tags, type, value and timestamp is
     * judged, the pending bound checked and every new series created before the first sample is
     * recorded. Timestamps are judged against one clock reading for the whole batch, so a batch
     * accepted when checked cannot become too late half-way. See {@link BatchResult} for the one
     * case of a partial batch. Refused samples are counted by the reason that refused the batch.
     */
    public BatchResult recordAll(SampleBatch batch) {
        return batches.recordAll(batch, true);
    }

    /**
     * {@link #recordAll} without the pending bound: for samples acknowledged before a crash and
     * now replayed from the durable log, which must not be refused for want of memory.
     */
    BatchResult recordReplayed(SampleBatch batch) {
        return batches.recordAll(batch, false);
    }

    /**
     * A handle that records into one series without looking it up. The series is created if
     * needed: a new name becomes a {@link MetricType#SUMMARY}, an existing one keeps its type.
     *
     * @throws IllegalArgumentException if the name or tags break the {@link MetricNames} or
     *     {@link Tags} rule
     * @throws IllegalStateException if creating the series would exceed {@code maxSeries} or
     *     {@code maxSeriesPerName}
     */
    public SeriesRecorder series(SeriesKey key) {
        return handle(key, null);
    }

    /** {@link #series(SeriesKey)} for the untagged series of metric {@code name}. */
    public SeriesRecorder series(String name) {
        return handle(SeriesKey.of(name), null);
    }

    /**
     * A handle to a {@link MetricType#COUNTER} series: each sample is an increment.
     *
     * @throws IllegalStateException also when {@code name} already has another type
     * @see #series(SeriesKey) for the other exceptions
     */
    public SeriesRecorder counter(String name, Tags tags) {
        return handle(SeriesKey.of(name, tags), MetricType.COUNTER);
    }

    /** A handle to a {@link MetricType#GAUGE} series; see {@link #counter}. */
    public SeriesRecorder gauge(String name, Tags tags) {
        return handle(SeriesKey.of(name, tags), MetricType.GAUGE);
    }

    /** A handle to a {@link MetricType#DISTRIBUTION} series; see {@link #counter}. */
    public SeriesRecorder distribution(String name, Tags tags) {
        return handle(SeriesKey.of(name, tags), MetricType.DISTRIBUTION);
    }

    /** A handle to a {@link MetricType#SET} series (each sample a member); see {@link #counter}. */
    public SeriesRecorder set(String name, Tags tags) {
        return handle(SeriesKey.of(name, tags), MetricType.SET);
    }

    /** A handle to a {@link MetricType#SUMMARY} series; see {@link #counter}. */
    public SeriesRecorder summary(String name, Tags tags) {
        return handle(SeriesKey.of(name, tags), MetricType.SUMMARY);
    }

    private SeriesRecorder handle(SeriesKey key, MetricType type) {
        String name = key.name();
        while (true) {
            SeriesState s = registry.get(name, key.tags());
            if (s != null && (type == null || s.type == type)) {
                return s;
            }
            RecordResult created = registry.create(name, key.tags(), type);
            switch (created) {
                case ACCEPTED -> {
                    continue; // created (or found); fetch it
                }
                case INVALID_NAME -> throw new IllegalArgumentException(rules.nameProblem(name).orElse(explain(created)));
                case INVALID_TAGS -> throw new IllegalArgumentException(Tags.problem(key.tags()).orElse(explain(created)));
                case TYPE_CONFLICT -> throw new IllegalStateException("cannot create " + type.wireName() + " series '"
                        + key + "': metric '" + name + "' is a " + typeOf(name).map(MetricType::wireName).orElse("?"));
                default -> throw new IllegalStateException("cannot create series '" + key + "': " + explain(created));
            }
        }
    }

    /** The type metric {@code name} has while it has live series here. */
    public Optional<MetricType> typeOf(String name) {
        return registry.typeOf(name);
    }

    /** Records an already judged sample into the series that replaced {@code retired}. */
    RecordResult recordInSuccessor(SeriesState retired, long w, double value, long stampMillis) {
        return registry.recordInSuccessor(this, retired, retired.key, retired.type, w, value, stampMillis);
    }

    /** Index of the clock's current window, through the one-entry cache. */
    long currentWindowIndex() {
        long now = clock.millis();
        long current = currentWindowIndex;
        long offset = now - current * windowMillis;
        if (offset >= 0 && offset < windowMillis) {
            return current;
        }
        long index = Math.floorDiv(now, windowMillis);
        // Benign race: two writers may both move the cache on, and one holding an older reading
        // may move it back by a window; the cache is validated on every use.
        if (index > current) {
            currentWindowIndex = index;
        }
        return index;
    }

    /** Index of the window containing {@code epochMillis}. */
    long windowIndexOf(long epochMillis) {
        long current = currentWindowIndex;
        long offset = epochMillis - current * windowMillis;
        return (offset >= 0 && offset < windowMillis) ? current : Math.floorDiv(epochMillis, windowMillis);
    }

    /**
     * True while new samples are refused because {@code maxPendingWindows} aggregates wait for the
     * store (see {@link RecordResult#OVERLOADED}); a volatile read, cheap enough for a readiness probe.
     */
    public boolean isOverloaded() {
        return overloaded;
    }

    /** Refuses a value that is not finite, or any value while overloaded; counts it. */
    RecordResult refuseValue(double value) {
        return reject(Double.isFinite(value) ? RecordResult.OVERLOADED : RecordResult.NON_FINITE_VALUE);
    }

    RecordResult reject(RecordResult reason) {
        rejections[reason.ordinal()].increment();
        return reason;
    }

    // ------------------------------------------------------------------ collecting

    /**
     * Takes everything not yet confirmed as stored: the final value of every window that closed
     * (by the clock, allowing for lateness), every amendment recorded since the last collect, and
     * a cumulative partial of every open window that changed since it was last stored. Writers
     * keep recording throughout. Series idle for {@code seriesTtl} with nothing pending are
     * retired.
     *
     * <p>Nothing is forgotten until {@link CollectedBatch#commit()}; see there for the protocol.
     */
    public CollectedBatch collect() {
        collectLock.lock();
        try {
            long now = clock.millis();
            long watermark = advanceTo(Math.floorDiv(now - allowedLatenessMillis, windowMillis));
            // Amendment numbers grow over the writer's life and across restarts (they start from
            // the clock), so a new amendment never replaces a stored one.
            lastAmendment = Math.max(lastAmendment + 1, now);
            CollectRun run = new CollectRun(watermark, lastAmendment, now, windowSeconds, writerId);
            for (SeriesState s : registry.all()) {
                s.collectInto(run);
                if (seriesTtlMillis > 0 && s.retireIfIdle(now, seriesTtlMillis)) {
                    registry.remove(s);
                    retiredSeries.incrementAndGet();
                }
            }
            acceptedInSealedCells.addAndGet(run.sealedSamples);
            collects.incrementAndGet();
            updateOverloaded();
            return new CollectedBatch(this, run.aggregates, run.offers, run.finalAggregates, now, watermark,
                    run.amendment, run.lowestOpenWindow, run.lowestPendingAmendment);
        } finally {
            collectLock.unlock();
        }
    }

    void commit(List<CollectRun.Offer> offers) {
        for (CollectRun.Offer o : offers) {
            o.series().commit(o.entry(), o.value());
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
     * What this aggregator holds for a series that the store does not have yet, per window, so
     * that the store's rows merged with these are the complete picture. {@link QueryService}
     * does that merge; this is its memory half.
     */
    List<SeriesWindow> unflushed(MetricQuery query) {
        WindowMerger merger = new WindowMerger();
        for (SeriesState s : registry.ofName(query.name())) {
            if (query.matches(s.key)) {
                s.unflushedInto(query, windowSeconds, merger);
            }
        }
        return merger.result(query);
    }

    /**
     * The live series matching {@code query} (name, filters, cursor; not the time range: a live
     * series holds recent data or is about to be retired), in {@link SeriesKey} order, at most its
     * limit. The memory half of {@link QueryService#listSeries}.
     */
    List<SeriesInfo> liveSeries(SeriesListQuery query) {
        List<SeriesInfo> out = new ArrayList<>();
        for (SeriesState s : registry.ofName(query.name().orElse(null))) {
            if (query.matches(s.key) && s.admits()) {
                out.add(new SeriesInfo(s.key, s.type));
            }
        }
        out.sort(Comparator.comparing(SeriesInfo::series));
        return out.size() > query.limit() ? new ArrayList<>(out.subList(0, query.limit())) : out;
    }

    /** The aggregator's own counters; takes the collector's lock briefly. */
    public AggregatorCounters counters() {
        collectLock.lock();
        try {
            long accepted = acceptedInSealedCells.get();
            for (SeriesState s : registry.all()) {
                accepted += s.liveSamples();
            }
            Map<RecordResult, Long> rejected = new EnumMap<>(RecordResult.class);
            for (RecordResult r : RecordResult.values()) {
                if (r != RecordResult.ACCEPTED) {
                    rejected.put(r, rejections[r.ordinal()].sum());
                }
            }
            return new AggregatorCounters(writerId, accepted, rejected, registry.liveCount(), retiredSeries.get(),
                    pendingWindows.get(), collects.get(), commits.get(), overloaded);
        } finally {
            collectLock.unlock();
        }
    }

    /** A sentence saying why {@code result} refuses a sample, with this aggregator's limits. */
    public String explain(RecordResult result) {
        return rules.explain(result);
    }

    /** What is wrong with {@code name} as a metric name here, if anything. */
    public Optional<String> nameProblem(String name) {
        return rules.nameProblem(name);
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

    /** How long after a window ends it is finalized. */
    public Duration allowedLateness() {
        return Duration.ofMillis(allowedLatenessMillis);
    }

    /** How old a sample may be and still be recorded (into an amendment once its window is final). */
    public Duration maxLateness() {
        return Duration.ofMillis(rules.maxLatenessMillis);
    }

    /** How far ahead of the clock a client timestamp may be. */
    public Duration maxFutureSkew() {
        return Duration.ofMillis(rules.maxFutureSkewMillis);
    }

    /** How long a series may hold nothing before it is retired; zero means never. */
    public Duration seriesTtl() {
        return Duration.ofMillis(seriesTtlMillis);
    }

    /** The most live series of one metric name this aggregator holds. */
    public int maxSeriesPerName() {
        return rules.maxSeriesPerName;
    }

    /** The most live series this aggregator holds. */
    public int maxSeries() {
        return maxSeries;
    }

    /** The relative accuracy of distribution windows' quantile sketches. */
    public double sketchAccuracy() {
        return sketchTemplate.relativeAccuracy();
    }

    /** The most buckets per sign a distribution window's sketch keeps. */
    public int sketchMaxBuckets() {
        return sketchTemplate.maxBuckets();
    }

    /** The longest accepted metric name, in UTF-8 bytes. */
    public int maxNameBytes() {
        return rules.maxNameBytes;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
