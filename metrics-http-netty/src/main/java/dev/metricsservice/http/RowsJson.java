package dev.metricsservice.http;

import com.fasterxml.jackson.core.io.NumberOutput;
import dev.metricsservice.core.QueryResult;
import dev.metricsservice.core.WindowStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Writes the rows of an ungrouped query answer straight into a {@link ByteBuf} as ASCII, the
 * same bytes the Jackson generator writes ({@code [{"timestamp":..,"sum":..,"count":..,"min":..,
 * "max":..[,"last":..][,"distinct":..]}, ...]}), because this is the body of the most frequent read and a
 * generator per response (its context objects, its char buffer, its copy into the buffer) cost
 * as much as the query itself. Numbers: whole doubles below 10^7 as digits and ".0" (what
 * {@code Double.toString} writes), other finite doubles in their shortest round-tripping form
 * (Jackson's Schubfach writer), non-finite ones as {@code null}. Stateless.
 */
final class RowsJson {

    private RowsJson() {
    }

    /** Per event loop scratch the body is written into before one copy into the buffer. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[4096];
        }
    };

    /** Most bytes one row can take: five numbers of at most 24 characters and the field names. */
    private static final int MAX_ROW_BYTES = 240;

    static ByteBuf write(ByteBufAllocator alloc, QueryResult result) {
        int rows = 0;
        for (QueryResult.Group g : result.groups()) {
            rows += g.rows().size();
        }
        int capacity = 2 + rows * MAX_ROW_BYTES;
        byte[] b = SCRATCH.get();
        if (b.length < capacity) {
            b = new byte[Math.max(capacity, b.length * 2)];
            SCRATCH.set(b);
        }
        int n = 0;
        b[n++] = '[';
        for (QueryResult.Group g : result.groups()) {
            for (WindowStats row : g.rows()) {
                if (n > 1) {
                    b[n++] = ',';
                }
                n = ascii(b, n, "{\"timestamp\":");
                n = writeLong(b, n, row.windowStartEpochSecond());
                n = ascii(b, n, ",\"sum\":");
                n = writeDouble(b, n, row.stats().sum());
                n = ascii(b, n, ",\"count\":");
                n = writeLong(b, n, row.stats().count());
                n = ascii(b, n, ",\"min\":");
                n = writeDouble(b, n, row.stats().min());
                n = ascii(b, n, ",\"max\":");
                n = writeDouble(b, n, row.stats().max());
                if (row.stats().hasLast()) {
                    n = ascii(b, n, ",\"last\":");
                    n = writeDouble(b, n, row.stats().last());
                }
                if (row.stats().hasDistinct()) {
                    n = ascii(b, n, ",\"distinct\":");
                    n = writeLong(b, n, row.stats().distinctEstimate());
                }
                b[n++] = '}';
            }
        }
        b[n++] = ']';
        return alloc.buffer(n).writeBytes(b, 0, n);
    }

    private static int ascii(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            b[at++] = (byte) s.charAt(i);
        }
        return at;
    }

    /**
     * True for a whole number below 10^7 in magnitude, other than -0.0: what {@code Double.toString}
     * writes as its digits and ".0", which both JSON writers write that way without its cost.
     */
    static boolean isSmallWhole(double v) {
        return v == (long) v && Math.abs(v) < 1e7 && (v != 0 || Double.doubleToRawLongBits(v) == 0);
    }

    static int writeDouble(byte[] b, int at, double v) {
        if (isSmallWhole(v)) {
            at = writeLong(b, at, (long) v);
            b[at++] = '.';
            b[at++] = '0';
            return at;
        }
        return ascii(b, at, Double.isFinite(v) ? NumberOutput.toString(v, true) : "null");
    }

    static int writeLong(byte[] b, int at, long v) {
        if (v >= 0 && v <= Integer.MAX_VALUE) {
            return writeInt(b, at, (int) v); // timestamps, counts and most values: int arithmetic
        }
        return ascii(b, at, Long.toString(v));
    }

    /** "00" to "99": two digits per lookup, as the JDK's own integer printing does. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private static int digits(int v) {
        if (v < 100_000) {
            return v < 100 ? (v < 10 ? 1 : 2) : v < 1_000 ? 3 : v < 10_000 ? 4 : 5;
        }
        return v < 10_000_000 ? (v < 1_000_000 ? 6 : 7) : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
    }

    /** Digits of a non-negative int, two at a time (one division per pair). */
    private static int writeInt(byte[] b, int at, int v) {
        int end = at + digits(v);
        int i = end;
        while (v >= 100) {
            int q = v / 100;
            int r = (v - q * 100) << 1;
            v = q;
            b[--i] = PAIRS[r + 1];
            b[--i] = PAIRS[r];
        }
        if (v >= 10) {
            b[--i] = PAIRS[(v << 1) + 1];
            b[--i] = PAIRS[v << 1];
        } else {
            b[--i] = (byte) ('0' + v);
        }
        return end;
    }
}
