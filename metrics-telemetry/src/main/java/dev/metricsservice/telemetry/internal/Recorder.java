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
        if (b.begin(Schema.HTTP_REQUEST, startNanos)) {
            b.putUnsigned(Math.max(0, durationNanos));
            b.putUnsigned(strings.intern(method));
            b.putUnsigned(strings.intern(route));
            b.putUnsigned(Math.max(0, status));
            b.putUnsigned(Math.max(0, requestBytes));
            b.putUnsigned(Math.max(0, responseBytes));
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
