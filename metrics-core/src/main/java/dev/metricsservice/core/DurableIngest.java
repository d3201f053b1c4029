package dev.metricsservice.core;

import dev.metricsservice.core.durability.DurableLog;
import dev.metricsservice.core.durability.DurableLogException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Makes an {@link Aggregator} durable through a {@link DurableLog}: every batch is logged before
 * it is recorded, and acknowledged only once it is on disk and recorded; after a crash, replaying
 * the log rebuilds exactly what the store does not hold for good, under the same writer id.
 *
 * <pre>{@code
 * DurableIngest ingest = DurableIngest.open(log, clock -> Aggregator.builder().clock(clock)...build(),
 *         DurableIngest.Options.defaults());          // replays the log first
 * Aggregator aggregator = ingest.aggregator();
 * ingest.submit(batch, key).thenAccept(result -> answer(result));   // any thread, never blocks
 * FlushWorker.builder(aggregator, store).collector(ingest::collect).build().start();
 * }</pre>
 *
 * <h2>How replay stays exact</h2>
 * The store replaces an item per (series, window, writer, amendment), so replay must rebuild
 * every item it rewrites from exactly the samples the crashed process had put into it. That holds
 * because the aggregator's state is a function of the log alone:
 * <ul>
 *   <li>Batches are recorded in log order, one at a time, after they are durable (by whichever
 *       thread completes a record, normally the log's writer: no extra thread hop); the
 *       aggregator's clock is a {@link ManualClock} set from each record's logged ingest time.</li>
 *   <li>Collects happen only where a <em>marker</em> record is in the log: the flush worker appends
 *       one and waits until recording reaches it, so which samples a collect seals, which are
 *       late and which amendment number they get are decided at the same log position on
 *       replay.</li>
 *   <li>A batch the aggregator refuses (wholly or after a prefix) gets a <em>void</em> record, and
 *       its refusal is answered only once that is durable; replay skips what was voided.</li>
 *   <li>A checkpoint is a marker position P, saved with the clock before it and a floor window F:
 *       every item holding a sample logged before P is stored final (all windows below F, and
 *       every amendment up to P's), and no window at or above F got a sample before P. Replay
 *       from P therefore rebuilds windows at or above F whole, skips on-time samples of windows
 *       below F (stored), and rebuilds amendments after P with their original numbers.</li>
 * </ul>
 * Thread-safe. The aggregator must not be recorded into except through {@link #submit}, and must
 * not be collected except through {@link #collect}.
 */
public final class DurableIngest implements AutoCloseable {

    /** What replay on open did. */
    public record ReplayResult(long records, long samplesReplayed, long samplesStored, long samplesRefused,
                               long batchesVoided, long markers, long durationNanos) {
    }

    /** A client tag (idempotency key) found in a replayed batch, with what the batch accepted. */
    public record ReplayedTag(byte[] tag, int accepted, long ingestMillis) {
    }

    /** Settings. */
    public record Options(Duration keyRetention, LongSupplier wallClockMillis) {
        public Options {
            Objects.requireNonNull(keyRetention, "keyRetention");
            Objects.requireNonNull(wallClockMillis, "wallClockMillis");
        }

        /**
         * Keys are kept replayable for {@code keyRetention} (10 min: the dedup window) while the
         * log is under half full; the wall clock is the system's.
         */
        public static Options defaults() {
            return new Options(Duration.ofMinutes(10), System::currentTimeMillis);
        }

        public Options withKeyRetention(Duration d) {
            return new Options(d, wallClockMillis);
        }
    }

    /** Counters for status pages. */
    public record Counters(long batches, long samples, long voided, long markers, long checkpoints,
                           long checkpointPosition, long pendingCuts) {
    }

    private static final byte STATE_VERSION = 1;
    private static final System.Logger LOG = System.getLogger(DurableIngest.class.getName());

    private final DurableLog log;
    private final ManualClock clock;
    private final Aggregator aggregator;
    private final Options options;
    private final long windowMillis;
    private final ReplayResult replay;
    private final List<ReplayedTag> replayedTags;

    private final Object appendLock = new Object();
    /** Entries in log order (appended under {@link #appendLock}); the head is recorded once durable. */
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    /** Held by the one thread recording entries at a time. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean closed;

    // guarded by 'draining'
    private long maxWindowRecorded;
    private final ArrayDeque<Cut> cuts = new ArrayDeque<>();

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong voided = new AtomicLong();
    private final AtomicLong markers = new AtomicLong();
    private final AtomicLong checkpoints = new AtomicLong();
    private volatile long checkpointPosition = -1;
    private volatile int pendingCuts;
    /** Checkpoints are written by one collecting thread at a time. */
    private final Object checkpointLock = new Object();

    /** A place a checkpoint may be put: a marker, the clock before it and what was logged before it. */
    private record Cut(long position, long clockBefore, long maxWindowBefore, long amendment) {
    }

    /** What the consumer decided at a marker: the batch and, when one became valid, a checkpoint. */
    private record Collected(CollectedBatch batch, Cut checkpoint, long floorWindow) {
    }

    private sealed interface Entry permits BatchEntry, MarkerEntry {
        CompletableFuture<Long> durable();
    }

    private record BatchEntry(CompletableFuture<Long> durable, SampleBatch batch, long ingestMillis,
                              CompletableFuture<BatchResult> result) implements Entry {
    }

    private record MarkerEntry(CompletableFuture<Long> durable, long timeMillis,
                               CompletableFuture<Collected> result) implements Entry {
    }


    private DurableIngest(DurableLog log, ManualClock clock, Aggregator aggregator, Options options,
                          ReplayResult replay, List<ReplayedTag> tags, long maxWindowRecorded, List<Cut> replayCuts) {
        this.log = log;
        this.clock = clock;
        this.aggregator = aggregator;
        this.options = options;
        this.windowMillis = aggregator.windowMillis;
        this.replay = replay;
        this.replayedTags = List.copyOf(tags);
        this.maxWindowRecorded = maxWindowRecorded;
        this.cuts.addAll(replayCuts);
    }

    /**
     * Replays {@code log} into a new aggregator and returns the ingest over it. The aggregator is
     * built by {@code factory} with the clock it must use (the log drives it).
     *
     * @throws IOException if the log cannot be read, or a record in it cannot be decoded
     * @throws IllegalArgumentException if the factory's aggregator does not use the given clock
     */
    public static DurableIngest open(DurableLog log, Function<ManualClock, Aggregator> factory, Options options)
            throws IOException {
        long start = System.nanoTime();
        byte[] state = log.checkpointState();
        // Pass 1: voids (they follow the batch they cancel) and the first marker (for a log
        // without a checkpoint, whose first record is the marker written when it was created).
        Map<Long, Integer> voids = new HashMap<>();
        long[] firstMarker = {Long.MIN_VALUE};
        long records = log.replay((position, payload) -> {
            byte kind = LogRecords.kind(payload);
            if (kind == LogRecords.VOID) {
                long[] v = LogRecords.readVoid(payload);
                voids.merge(v[0], (int) v[1], Math::min);
            } else if (kind == LogRecords.MARKER && firstMarker[0] == Long.MIN_VALUE) {
                firstMarker[0] = LogRecords.readMarker(payload);
            }
        });
        long clockBefore;
        long floor;
        boolean fresh = false;
        if (state.length > 0) {
            ByteBuffer b = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
            if (b.get() != STATE_VERSION || state.length != 17) {
                throw new IOException("durable log checkpoint state has an unknown format (" + state.length + " bytes)");
            }
            clockBefore = b.getLong();
            floor = b.getLong();
        } else if (firstMarker[0] != Long.MIN_VALUE) {
            clockBefore = firstMarker[0];
            floor = Long.MIN_VALUE;
        } else {
            clockBefore = options.wallClockMillis().getAsLong();
            floor = Long.MIN_VALUE;
            fresh = true;
        }
        ManualClock clock = MetricClock.manual(clockBefore);
        Aggregator aggregator = factory.apply(clock);
        if (aggregator.clock() != clock) {
            throw new IllegalArgumentException("the aggregator must be built with the clock the durable log drives");
        }
        Replayer r = new Replayer(aggregator, clock, voids, floor);
        if (!fresh) {
            log.replay(r::apply);
        }
        ReplayResult result = new ReplayResult(records, r.samplesReplayed, r.samplesStored, r.samplesRefused,
                r.batchesVoided, r.markers, System.nanoTime() - start);
        DurableIngest ingest = new DurableIngest(log, clock, aggregator, options, result, r.tags,
                r.maxWindow, r.cuts);
        if (fresh) {
            // The first record of a new log: a marker at the aggregator's start, checkpointed, so
            // that a replay always starts from a known clock.
            try {
                Collected c = ingest.marker().get(30, TimeUnit.SECONDS);
                Cut first = ingest.firstCut();
                ingest.writeCheckpoint(first != null ? first : new Cut(0, clockBefore, Long.MIN_VALUE, 0),
                        c.batch().watermark);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the durable log", e);
            } catch (ExecutionException | TimeoutException e) {
                ingest.close();
                throw new IOException("could not write the first record of the durable log: " + e.getMessage(), e);
            }
        }
        return ingest;
    }

    private synchronized Cut firstCut() {
        return cuts.peekFirst();
    }

    /** Why a batch submitted now would be refused by the log (full, failed, closed); empty while it takes batches. */
    public java.util.Optional<dev.metricsservice.core.durability.DurableLogException> logRefusal() {
        return log.refusal();
    }

    /** The aggregator the log drives; read and query it freely, record only through {@link #submit}. */
    public Aggregator aggregator() {
        return aggregator;
    }

    /** What replay on open did. */
    public ReplayResult replayResult() {
        return replay;
    }

    /** The client tags of replayed batches that recorded samples, oldest first. */
    public List<ReplayedTag> replayedTags() {
        return replayedTags;
    }

    /** Counters for status pages. */
    public Counters counters() {
        return new Counters(batches.get(), samples.get(), voided.get(), markers.get(), checkpoints.get(),
                checkpointPosition, pendingCuts);
    }

    // ------------------------------------------------------------------ ingest

    /**
     * Logs {@code batch} with {@code tag} (opaque bytes a front end wants back on replay, such as
     * an idempotency key; may be null), and records it once durable. Never blocks. The batch may
     * be cleared as soon as this returns.
     *
     * @return completes with the aggregator's result once the batch is durable and recorded (a
     *     refusal once its void record is durable), or fails with a {@link DurableLogException}
     *     when the log did not take it
     */
    public CompletableFuture<BatchResult> submit(SampleBatch batch, byte[] tag) {
        return submit(batch, tag, true);
    }

    /**
     * {@link #submit} for a batch handed over: the caller must not change it until the future
     * completes (then it may read it, to explain a refusal). Saves the copy.
     */
    public CompletableFuture<BatchResult> submitOwned(SampleBatch batch, byte[] tag) {
        return submit(batch, tag, false);
    }

    private CompletableFuture<BatchResult> submit(SampleBatch batch, byte[] tag, boolean copyBatch) {
        int n = batch.size();
        CompletableFuture<BatchResult> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new DurableLogException(DurableLogException.Reason.CLOSED,
                    "the durable log is shutting down"));
            return result;
        }
        long ingestMillis = options.wallClockMillis().getAsLong();
        ByteBuffer record = LogRecords.batch(ingestMillis, tag, batch, n);
        SampleBatch copy = copyBatch ? batch.copy(n) : batch;
        CompletableFuture<Long> durable;
        synchronized (appendLock) {
            // One lock around append and enqueue, so that the queue is in log order.
            durable = log.append(record);
            queue.add(new BatchEntry(durable, copy, ingestMillis, result));
        }
        durable.whenComplete(drainOnCompletion);
        return result;
    }

    /**
     * Collects through the log, for {@link dev.metricsservice.core.flush.FlushWorker}: appends a
     * marker, waits until it is durable and the consumer has collected there, writes a checkpoint
     * if one became valid, and returns the batch. Call from one thread at a time (the flush
     * worker's).
     *
     * @throws DurableLogException if the marker could not be logged
     */
    public CollectedBatch collect() {
        try {
            Collected c = marker().get();
            if (c.checkpoint() != null) {
                writeCheckpoint(c.checkpoint(), c.floorWindow());
            }
            return c.batch();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DurableLogException(DurableLogException.Reason.CLOSED, "interrupted while collecting", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DurableLogException d) {
                throw d;
            }
            throw new DurableLogException(DurableLogException.Reason.IO_ERROR, "collect failed: " + cause, cause);
        }
    }

    private CompletableFuture<Collected> marker() {
        CompletableFuture<Collected> result = new CompletableFuture<>();
        long now = options.wallClockMillis().getAsLong();
        CompletableFuture<Long> durable;
        synchronized (appendLock) {
            durable = log.appendControl(LogRecords.marker(now));
            queue.add(new MarkerEntry(durable, now, result));
        }
        durable.whenComplete(drainOnCompletion);
        return result;
    }

    private void writeCheckpoint(Cut cut, long floor) {
        synchronized (checkpointLock) {
            if (cut.position() <= checkpointPosition) {
                return;
            }
            byte[] state = ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN)
                    .put(STATE_VERSION).putLong(cut.clockBefore()).putLong(floor).array();
            try {
                log.checkpoint(cut.position(), state);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the durable log checkpoint", e);
            }
            checkpointPosition = cut.position();
            checkpoints.incrementAndGet();
        }
    }

    // ------------------------------------------------------------------ the consumer

    private final java.util.function.BiConsumer<Long, Throwable> drainOnCompletion = (position, error) -> drain();

    /**
     * Records every entry at the head of the queue whose record is durable, in order. One thread at
     * a time; a thread that finds another draining leaves it the work, and the drainer looks again
     * after letting go, so no completed entry is left behind.
     */
    private void drain() {
        while (true) {
            if (!draining.compareAndSet(false, true)) {
                return;
            }
            try {
                Entry head;
                while ((head = queue.peek()) != null && head.durable().isDone()) {
                    queue.poll();
                    process(head);
                }
            } finally {
                draining.set(false);
            }
            Entry head = queue.peek();
            if (head == null || !head.durable().isDone()) {
                return;
            }
        }
    }

    private void process(Entry e) {
        try {
            if (e instanceof BatchEntry b) {
                consumeBatch(b);
            } else if (e instanceof MarkerEntry m) {
                consumeMarker(m);
            }
        } catch (RuntimeException | Error failure) {
            // Never leave a caller waiting: fail this entry and go on.
            CompletableFuture<?> f = e instanceof BatchEntry b ? b.result() : ((MarkerEntry) e).result();
            f.completeExceptionally(failure);
        }
    }

    private static long durablePosition(CompletableFuture<Long> durable, CompletableFuture<?> result) {
        try {
            return durable.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            result.completeExceptionally(e.getCause() != null ? e.getCause() : e);
            return -1;
        }
    }

    private void consumeBatch(BatchEntry b) {
        long position = durablePosition(b.durable(), b.result());
        if (position < 0) {
            return;
        }
        if (b.ingestMillis() > clock.millis()) {
            clock.set(b.ingestMillis());
        }
        BatchResult r = aggregator.recordAll(b.batch());
        batches.incrementAndGet();
        int accepted = r.isAccepted() ? b.batch().size() : r.recorded();
        noteWindows(b.batch(), accepted);
        samples.addAndGet(accepted);
        if (r.isAccepted()) {
            b.result().complete(r);
            return;
        }
        voided.incrementAndGet();
        log.appendControl(LogRecords.voided(position, accepted)).whenComplete((p, error) -> {
            if (error == null) {
                b.result().complete(r);
            } else {
                // The refusal is not durable: replay would count the batch. Say "unknown" (503);
                // a client retrying with its idempotency key is then counted once either way.
                b.result().completeExceptionally(error instanceof CompletionException c ? c.getCause() : error);
            }
        });
    }

    /**
     * The clock at a marker: its logged time, but always past the clock before it, so that every
     * collect's amendment number (which follows the clock) is new, the same way live and on replay.
     */
    private static long markerClock(long before, long loggedMillis) {
        return Math.max(before + 1, loggedMillis);
    }

    /** Sample {@code i}'s window: its own timestamp's, or the clock's for a clock-stamped sample. */
    private static long windowOf(SampleBatch batch, int i, long clockWindow, long windowMillis) {
        return batch.hasTimestamp(i) ? Math.floorDiv(batch.epochMillis(i), windowMillis) : clockWindow;
    }

    private void noteWindows(SampleBatch batch, int n) {
        long nowWindow = Math.floorDiv(clock.millis(), windowMillis);
        long max = maxWindowRecorded;
        for (int i = 0; i < n; i++) {
            long w = windowOf(batch, i, nowWindow, windowMillis);
            if (w > max) {
                max = w;
            }
        }
        maxWindowRecorded = max;
    }

    private void consumeMarker(MarkerEntry m) {
        long position = durablePosition(m.durable(), m.result());
        if (position < 0) {
            return;
        }
        long before = clock.millis();
        clock.set(markerClock(before, m.timeMillis()));
        CollectedBatch batch = aggregator.collect();
        markers.incrementAndGet();
        Cut here = new Cut(position, before, maxWindowRecorded, batch.amendment);
        Cut chosen;
        long floor = Math.min(batch.lowestOpenWindow, batch.watermark);
        synchronized (this) {
            cuts.addLast(here);
            // Keys stay replayable for the retention while the log has room.
            long keysFrom = log.fill() < 0.5 ? clock.millis() - options.keyRetention().toMillis() : Long.MAX_VALUE;
            chosen = null;
            for (Cut c : cuts) {
                if (c.maxWindowBefore() < floor && c.amendment() < batch.lowestPendingAmendment
                        && c.clockBefore() <= keysFrom) {
                    chosen = c;
                } else {
                    break; // both conditions only get harder for later cuts
                }
            }
            if (chosen != null) {
                while (cuts.peekFirst() != chosen) {
                    cuts.pollFirst();
                }
            }
            pendingCuts = cuts.size();
        }
        m.result().complete(new Collected(batch, chosen, floor));
    }

    /**
     * Stops taking batches and waits up to {@code timeout} for the queued ones to be recorded.
     * Does not close the log.
     */
    public void close(Duration timeout) {
        closed = true;
        long end = System.nanoTime() + timeout.toNanos();
        while (!queue.isEmpty() && System.nanoTime() < end) {
            drain();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    // ------------------------------------------------------------------ replay

    /** Applies replayed records to the aggregator, as the consumer did. */
    private static final class Replayer {
        final Aggregator aggregator;
        final ManualClock clock;
        final Map<Long, Integer> voids;
        final long floor;
        final long windowMillis;
        final List<ReplayedTag> tags = new ArrayList<>();
        final List<Cut> cuts = new ArrayList<>();
        long maxWindow;
        long samplesReplayed;
        long samplesStored;
        long samplesRefused;
        long batchesVoided;
        long markers;

        Replayer(Aggregator aggregator, ManualClock clock, Map<Long, Integer> voids, long floor) {
            this.aggregator = aggregator;
            this.clock = clock;
            this.voids = voids;
            this.floor = floor;
            this.windowMillis = aggregator.windowMillis;
            // Samples before the checkpoint are all in windows below the floor.
            this.maxWindow = floor == Long.MIN_VALUE ? Long.MIN_VALUE : floor - 1;
        }

        void apply(long position, ByteBuffer payload) {
            byte kind = LogRecords.kind(payload);
            if (kind == LogRecords.MARKER) {
                long before = clock.millis();
                clock.set(markerClock(before, LogRecords.readMarker(payload)));
                CollectedBatch batch = aggregator.collect(); // not written: the first live flush offers it all
                cuts.add(new Cut(position, before, maxWindow, batch.amendment));
                markers++;
                return;
            }
            if (kind != LogRecords.BATCH) {
                return;
            }
            Integer keep = voids.get(position);
            if (keep != null && keep == 0) {
                batchesVoided++;
                return;
            }
            LogRecords.Batch b = LogRecords.readBatch(payload);
            if (b.ingestMillis() > clock.millis()) {
                clock.set(b.ingestMillis());
            }
            SampleBatch all = b.samples();
            int n = keep == null ? all.size() : Math.min(keep, all.size());
            if (keep != null) {
                batchesVoided++;
            }
            long nowWindow = Math.floorDiv(clock.millis(), windowMillis);
            SampleBatch kept = new SampleBatch();
            for (int i = 0; i < n; i++) {
                long w = windowOf(all, i, nowWindow, windowMillis);
                maxWindow = Math.max(maxWindow, w);
                if (w < floor && !aggregator.isFinal(w)) {
                    // On time for a window that is stored final: the stored item holds it.
                    samplesStored++;
                    continue;
                }
                kept.addFrom(all, i);
            }
            if (kept.size() > 0) {
                BatchResult r = aggregator.recordReplayed(kept);
                int recorded = r.isAccepted() ? kept.size() : r.recorded();
                samplesReplayed += recorded;
                samplesRefused += kept.size() - recorded;
                if (!r.isAccepted()) {
                    LOG.log(System.Logger.Level.ERROR, "durable log replay: a batch acknowledged before the restart"
                            + " was refused now (" + aggregator.explain(r.refusal()) + "); "
                            + (kept.size() - recorded) + " samples are not counted");
                }
            }
            if (keep == null && b.tag().length > 0) {
                tags.add(new ReplayedTag(b.tag(), n, b.ingestMillis()));
            }
        }
    }
}
