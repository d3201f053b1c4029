package dev.metricsservice.telemetry.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's running totals of the events that happen once per request or per loop round (I/O
 * rounds, channel reads, HTTP requests), so that those need not each be written: the writer thread
 * reads the totals once a second and writes their growth as {@code io_totals},
 * {@code read_totals} and {@code request_totals} events. Counts stay exact; only the detail of
 * fast, ordinary events is left out (see {@link #sampled()} for the ones still written).
 *
 * <p>Single writer (the owning thread), one reader (the trace writer). The owner updates each
 * counter with an opaque store of its own plain read plus the increment, the reader loads with
 * opaque loads: no tearing, no fences on x86, and a reader sees each counter only grow. A request
 * key is published with a release store after its counters exist, and acquired by the reader, so
 * it never reads counters of a key it has not seen. After the owner has ended, its last stores
 * are visible to the reader that observed the thread's end.
 */
final class Totals {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    // In the order of the io_totals and read_totals fields after the loop (Schema), which the
    // writer writes as two contiguous ranges.
    static final int IO_ROUNDS = 0;
    static final int IO_NANOS = 1;
    static final int IO_ACTIVE_NANOS = 2;
    static final int IO_UNKNOWN_NANOS = 3;
    static final int READS = 4;
    static final int READ_NANOS = 5;
    static final int READ_BYTES = 6;
    static final int LOOP_FIELDS = 7;

    /** Slots of the request table: (method, route, status) combinations one thread may see. */
    static final int REQUEST_SLOTS = 1024;
    static final int REQUEST_STRIDE = 5; // key, count, nanos, request bytes, response bytes

    final long[] loop = new long[LOOP_FIELDS];
    final long[] requests = new long[REQUEST_SLOTS * REQUEST_STRIDE];
    /** Owner only: events seen, for the 1-in-N detail sample. */
    private long tick;
    private final long sampleMask;

    /** @param sampleEvery a power of two: one in that many ordinary events is also written in detail */
    Totals(int sampleEvery) {
        this.sampleMask = sampleEvery - 1;
    }

    /** True for one in {@code sampleEvery} calls: that ordinary event is written in detail too. Owner only. */
    boolean sampled() {
        return (++tick & sampleMask) == 0;
    }

    private void add(long[] a, int i, long d) {
        LONGS.setOpaque(a, i, a[i] + d);
    }

    void addIo(long durationNanos, long activeNanos) {
        long[] a = loop;
        add(a, IO_ROUNDS, 1);
        add(a, IO_NANOS, durationNanos);
        if (activeNanos < 0) {
            add(a, IO_UNKNOWN_NANOS, durationNanos);
        } else {
            add(a, IO_ACTIVE_NANOS, Math.min(activeNanos, durationNanos));
        }
    }

    void addRead(long durationNanos, long bytes) {
        long[] a = loop;
        add(a, READS, 1);
        add(a, READ_NANOS, durationNanos);
        add(a, READ_BYTES, Math.max(0, bytes));
    }

    /**
     * Adds a request to its (method, route, status) slot; false when the table is full (a thread
     * that has seen 1,024 combinations), and the caller writes the request as a totals event of its
     * own instead.
     */
    boolean addRequest(int methodId, int routeId, int status, long durationNanos, long requestBytes,
                       long responseBytes) {
        long key = requestKey(methodId, routeId, status);
        long[] r = requests;
        int slot = (int) (mix(key) & (REQUEST_SLOTS - 1));
        for (int probe = 0; probe < REQUEST_SLOTS; probe++) {
            int base = ((slot + probe) & (REQUEST_SLOTS - 1)) * REQUEST_STRIDE;
            long k = r[base];
            if (k == 0) {
                // Counters of an unused slot are zero; publish the key after them.
                add(r, base + 1, 1);
                add(r, base + 2, durationNanos);
                add(r, base + 3, requestBytes);
                add(r, base + 4, responseBytes);
                LONGS.setRelease(r, base, key);
                return true;
            }
            if (k == key) {
                add(r, base + 1, 1);
                add(r, base + 2, durationNanos);
                add(r, base + 3, requestBytes);
                add(r, base + 4, responseBytes);
                return true;
            }
        }
        return false;
    }

    static long requestKey(int methodId, int routeId, int status) {
        return ((long) (methodId + 1) << 42) | ((long) (routeId + 1) << 16) | (status & 0xFFFF);
    }

    static int methodOf(long key) {
        return (int) (key >>> 42) - 1;
    }

    static int routeOf(long key) {
        return (int) ((key >>> 16) & ((1L << 26) - 1)) - 1;
    }

    static int statusOf(long key) {
        return (int) (key & 0xFFFF);
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        return k ^ (k >>> 33);
    }

    /** Reader: a loop counter. */
    long loopValue(int field) {
        return (long) LONGS.getOpaque(loop, field);
    }

    /** Reader: the key of request slot {@code slot}, 0 when unused. */
    long requestKeyAt(int slot) {
        return (long) LONGS.getAcquire(requests, slot * REQUEST_STRIDE);
    }

    /** Reader: counter {@code field} (1..4) of request slot {@code slot}. */
    long requestValue(int slot, int field) {
        return (long) LONGS.getOpaque(requests, slot * REQUEST_STRIDE + field);
    }
}
