package dev.metricsservice.telemetry.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared recording state: the on/off switch, the string table, and the registry of per-thread buffers.
 *
 * <p>Every hook starts with {@code if (!recorder.enabled) return;}: a plain load of a volatile field, which is
 * the "off = one branch" cost. Application events go through {@link #buffer()}, a ThreadLocal lookup that
 * allocates only the first time a thread records.
 */
public final class Recorder {
    /**
     * I/O rounds, channel reads and HTTP requests at least this long are written one by one; shorter
     * ones are counted in {@link Totals} and only {@link #DETAIL_SAMPLE_EVERY one in 64} is written.
     * 1 ms: every event the trace summary warns about (10 ms by default) is in the trace.
     */
    public static final long DETAIL_THRESHOLD_NANOS = 1_000_000L;
    /** One in this many ordinary (fast) I/O rounds, reads and requests is written in detail. */
    public static final int DETAIL_SAMPLE_EVERY = 64;

    /** Read by every hook; written by setEnabled and by the writer when the disk fails. */
    public volatile boolean enabled;
    /** Set once when the writer gives up; after that the switch stays off. */
    volatile boolean failed;

    public final StringTable strings;
    final int bufferBytes;
    final List<ThreadBuffer> buffers = new CopyOnWriteArrayList<>();
    final List<LoopRecorder> loops = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextThreadIndex = new AtomicInteger();
    private final ThreadLocal<ThreadBuffer> local = new ThreadLocal<>();

    public Recorder(int bufferBytes, int maxStrings, boolean enabled) {
        this.bufferBytes = bufferBytes;
        this.strings = new StringTable(maxStrings);
        this.enabled = enabled;
    }

    public void setEnabled(boolean on) {
        enabled = on && !failed;
    }

    /** The calling thread's buffer, created and registered on first use. */
    public ThreadBuffer buffer() {
        ThreadBuffer b = local.get();
        return b != null ? b : register(Schema.THREAD_OTHER);
    }

    ThreadBuffer register(int kind) {
        ThreadBuffer b = local.get();
        if (b == null) {
            b = new ThreadBuffer(bufferBytes, nextThreadIndex.getAndIncrement(), Thread.currentThread(), kind);
            local.set(b);
            buffers.add(b);
        }
        return b;
    }

    void addLoop(LoopRecorder loop) {
        loops.add(loop);
    }

    public long droppedTotal() {
        long sum = 0;
        for (ThreadBuffer b : buffers) {
            sum += b.droppedTotal();
        }
        return sum;
    }

    // ---- application events (any thread) ----

    public void request(String method, String route, int status, long requestBytes, long responseBytes,
                        long startNanos, long durationNanos) {
        ThreadBuffer b = buffer();
        int methodId = strings.intern(method);
        int routeId = strings.intern(route);
        long d = Math.max(0, durationNanos);
        int st = Math.max(0, Math.min(status, 0xFFFF));
        long in = Math.max(0, requestBytes);
        long out = Math.max(0, responseBytes);
        if (!b.totals.addRequest(methodId, routeId, st, d, in, out) && b.begin(Schema.REQUEST_TOTALS, startNanos)) {
            // This thread's table is full (1,024 method, route and status combinations): a totals event of one.
            b.putUnsigned(methodId);
            b.putUnsigned(routeId);
            b.putUnsigned(st);
            b.putUnsigned(1);
            b.putUnsigned(d);
            b.putUnsigned(in);
            b.putUnsigned(out);
            b.commit();
        }
        if ((d >= DETAIL_THRESHOLD_NANOS || b.totals.sampled()) && b.begin(Schema.HTTP_REQUEST, startNanos)) {
            b.putUnsigned(d);
            b.putUnsigned(methodId);
            b.putUnsigned(routeId);
            b.putUnsigned(st);
            b.putUnsigned(in);
            b.putUnsigned(out);
            b.commit();
        }
    }

    public void flush(long startNanos, long durationNanos, int windows, long items, int retries, String outcome) {
        ThreadBuffer b = buffer();
        if (b.begin(Schema.FLUSH, startNanos)) {
            b.putUnsigned(Math.max(0, durationNanos));
            b.putUnsigned(Math.max(0, windows));
            b.putUnsigned(Math.max(0, items));
            b.putUnsigned(Math.max(0, retries));
            b.putUnsigned(strings.intern(outcome));
            b.commit();
        }
    }

    public void span(String name, long startNanos, long durationNanos, long value) {
        ThreadBuffer b = buffer();
        if (b.begin(Schema.SPAN, startNanos)) {
            b.putUnsigned(Math.max(0, durationNanos));
            b.putUnsigned(strings.intern(name));
            b.putSigned(value);
            b.commit();
        }
    }

    public void event(String name, long timestampNanos, long value) {
        ThreadBuffer b = buffer();
        if (b.begin(Schema.EVENT, timestampNanos)) {
            b.putUnsigned(strings.intern(name));
            b.putSigned(value);
            b.commit();
        }
    }

    public void gc(long startNanos, long durationNanos, String collector, String cause, String action) {
        ThreadBuffer b = buffer();
        if (b.begin(Schema.GC, startNanos)) {
            b.putUnsigned(Math.max(0, durationNanos));
            b.putUnsigned(strings.intern(collector));
            b.putUnsigned(strings.intern(cause));
            b.putUnsigned(strings.intern(action));
            b.commit();
        }
    }
}
