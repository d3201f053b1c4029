package dev.metricsservice.telemetry.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer single-consumer byte ring holding one thread's encoded events until the writer thread drains
 * them.
 *
 * <p>Producer protocol (owning thread only): {@code if (b.begin(type, ts)) { b.putX(..)...; b.commit(); }}.
 * {@code begin} returns false, and counts a drop, when fewer than two maximal events fit; the next event that fits
 * is preceded by a {@code dropped} event carrying the count, so losses are visible in the trace itself.
 * Nothing here allocates, locks or waits.
 *
 * <p>Memory ordering: the producer publishes {@code tail} with a release store after the event's bytes, and the
 * writer reads it with an acquire load, so every byte before {@code tail} is visible to the writer. Symmetrically
 * the writer releases {@code head} after it has copied the bytes out, and the producer acquires it before reusing
 * that space. Release/acquire is enough because each index has exactly one writer; no CAS is needed.
 */
public final class ThreadBuffer {
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;
    private static final VarHandle DROPPED_TOTAL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(ThreadBuffer.class, "tail", long.class);
            HEAD = l.findVarHandle(ThreadBuffer.class, "head", long.class);
            DROPPED_TOTAL = l.findVarHandle(ThreadBuffer.class, "droppedTotal", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int RESERVE = 2 * Schema.MAX_EVENT_BYTES;

    final byte[] ring;
    final int mask;
    /** Index of this thread in THREAD records; stable for the life of the process. */
    final int index;
    final String threadName;
    final int kind;
    final Thread thread;
    /** This thread's running totals of per-request and per-round events (see {@link Totals}). */
    final Totals totals = new Totals(Recorder.DETAIL_SAMPLE_EVERY);
    /** Writer-owned: the totals as last written, to write their growth. */
    final long[] writtenLoop = new long[Totals.LOOP_FIELDS];
    final long[] writtenRequests = new long[Totals.REQUEST_SLOTS * Totals.REQUEST_STRIDE];

    // Producer-owned. The fields are written by the owner and read by the writer only through the VarHandles.
    // No padding between the producer and consumer indices: a drain happens every few milliseconds, so the false
    // sharing it causes is a few cache misses per drain, not per event.
    private long tail;
    private long pos;
    private long cachedHead;
    private long lastTimestamp;
    private long pendingDrops;
    private long droppedTotal;

    // Writer-owned.
    private long head;
    /** Timestamp of the last event the writer has copied out; the base of the next block. */
    long writerLastTimestamp;
    /** Generation (file number) in which the writer last announced this thread with a THREAD record. */
    long announcedInFile = -1;

    ThreadBuffer(int capacityBytes, int index, Thread thread, int kind) {
        if (Integer.bitCount(capacityBytes) != 1 || capacityBytes < 4 * RESERVE) {
            throw new IllegalArgumentException("buffer capacity must be a power of two >= " + 4 * RESERVE
                    + " bytes, was " + capacityBytes);
        }
        this.ring = new byte[capacityBytes];
        this.mask = capacityBytes - 1;
        this.index = index;
        this.thread = thread;
        this.threadName = thread.getName();
        this.kind = kind;
    }

    /** Starts an event of {@code type} at monotonic time {@code timestampNanos}; false means dropped. */
    public boolean begin(int type, long timestampNanos) {
        long t = tail;
        if (t + RESERVE - cachedHead > ring.length) {
            cachedHead = (long) HEAD.getAcquire(this);
            if (t + RESERVE - cachedHead > ring.length) {
                pendingDrops++;
                // Opaque: the writer's stats read may be slightly stale, never torn.
                DROPPED_TOTAL.setOpaque(this, droppedTotal + 1);
                return false;
            }
        }
        pos = t;
        if (pendingDrops != 0) {
            putHeader(Schema.DROPPED, timestampNanos);
            putUnsigned(pendingDrops);
            pendingDrops = 0;
        }
        putHeader(type, timestampNanos);
        return true;
    }

    private void putHeader(int type, long timestampNanos) {
        ring[(int) (pos++) & mask] = (byte) type;
        putSigned(timestampNanos - lastTimestamp);
        lastTimestamp = timestampNanos;
    }

    public void putUnsigned(long v) {
        long p = pos;
        byte[] r = ring;
        int m = mask;
        while ((v & ~0x7FL) != 0) {
            r[(int) (p++) & m] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        r[(int) (p++) & m] = (byte) v;
        pos = p;
    }

    public void putSigned(long v) {
        putUnsigned(Varint.zigZag(v));
    }

    /** Publishes the event started by the last successful {@link #begin}. */
    public void commit() {
        TAIL.setRelease(this, pos);
    }

    /** Events dropped so far because this buffer was full. Any thread. */
    public long droppedTotal() {
        return (long) DROPPED_TOTAL.getOpaque(this);
    }

    // ---- writer side ----

    long readableFrom() {
        return head;
    }

    long publishedTail() {
        return (long) TAIL.getAcquire(this);
    }

    /** Copies bytes [from, to) of the ring into {@code out} starting at 0. */
    void copyOut(long from, long to, byte[] out) {
        int len = (int) (to - from);
        int start = (int) from & mask;
        int first = Math.min(len, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        if (first < len) {
            System.arraycopy(ring, 0, out, first, len - first);
        }
    }

    void release(long newHead) {
        HEAD.setRelease(this, newHead);
    }
}
