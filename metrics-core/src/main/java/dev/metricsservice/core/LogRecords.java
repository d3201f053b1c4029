package dev.metricsservice.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * The payloads {@link DurableIngest} writes to its log, version 1. Every payload starts with its
 * kind; integers are little-endian, lengths unsigned varints, strings UTF-8.
 * <pre>
 * batch  = 1 ingestMillis(i64) tagLength tag sampleCount sample*
 * sample = flags(u8: bit 0 timestamped, bits 1-3 type code, bit 4 same series as the sample before)
 *          [name tagCount (key value)*] value(f64) [epochMillis(i64)]
 *          a string is length+1 with 0 for null; with bit 4 set, name and tags are the previous sample's
 * marker = 2 timeMillis(i64)                              a collect (flush) happened here
 * void   = 3 position(i64) accepted(varint)               the batch at position kept only its first n samples
 * </pre>
 * Not thread-safe; one encoder per call.
 */
final class LogRecords {

    static final byte BATCH = 1;
    static final byte MARKER = 2;
    static final byte VOID = 3;
    private static final int SAME_SERIES = 0x10;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final MetricType[] TYPES = MetricType.values();

    private byte[] buf = new byte[256];
    private int size;

    private LogRecords() {
    }

    static ByteBuffer batch(long ingestMillis, byte[] tag, SampleBatch batch, int n) {
        LogRecords w = new LogRecords();
        w.u8(BATCH);
        w.i64(ingestMillis);
        w.varint(tag == null ? 0 : tag.length);
        if (tag != null) {
            w.bytes(tag);
        }
        w.varint(n);
        for (int i = 0; i < n; i++) {
            MetricType type = batch.type(i);
            String name = batch.name(i);
            Tags tags = batch.tags(i);
            // A batch is mostly runs of one series: its name and tags are written once per run.
            boolean same = i > 0 && name != null && tags != null && Objects.equals(name, batch.name(i - 1))
                    && tags.equals(batch.tags(i - 1));
            int flags = (batch.hasTimestamp(i) ? 1 : 0) | ((type == null ? 0 : type.ordinal() + 1) << 1)
                    | (same ? SAME_SERIES : 0);
            w.u8(flags);
            if (same) {
                // nothing more
            } else if (tags == null) {
                w.string(name);
                w.varint(0);
            } else {
                w.string(name);
                w.varint(tags.size() + 1);
                for (int t = 0; t < tags.size(); t++) {
                    w.string(tags.key(t));
                    w.string(tags.value(t));
                }
            }
            w.i64(Double.doubleToRawLongBits(batch.value(i)));
            if (batch.hasTimestamp(i)) {
                w.i64(batch.epochMillis(i));
            }
        }
        return w.done();
    }

    static ByteBuffer marker(long timeMillis) {
        LogRecords w = new LogRecords();
        w.u8(MARKER);
        w.i64(timeMillis);
        return w.done();
    }

    static ByteBuffer voided(long position, int accepted) {
        LogRecords w = new LogRecords();
        w.u8(VOID);
        w.i64(position);
        w.varint(accepted);
        return w.done();
    }

    /** A decoded batch record. */
    record Batch(long ingestMillis, byte[] tag, SampleBatch samples) {
    }

    static byte kind(ByteBuffer payload) {
        return payload.get(payload.position());
    }

    static Batch readBatch(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        expect(b, BATCH);
        long ingest = b.getLong();
        byte[] tag = new byte[varint(b)];
        b.get(tag);
        int n = varint(b);
        SampleBatch batch = new SampleBatch();
        String name = null;
        Tags tags = null;
        for (int i = 0; i < n; i++) {
            int flags = b.get() & 0xFF;
            int typeCode = (flags >>> 1) & 0x7;
            if (typeCode > TYPES.length) {
                throw new IllegalArgumentException("log record: unknown type code " + typeCode);
            }
            MetricType type = typeCode == 0 ? null : TYPES[typeCode - 1];
            if ((flags & SAME_SERIES) == 0 || i == 0) {
                name = string(b);
                int tagCount = varint(b);
                if (tagCount == 0) {
                    tags = null;
                } else {
                    String[] kv = new String[(tagCount - 1) * 2];
                    for (int t = 0; t < kv.length; t++) {
                        kv[t] = string(b);
                    }
                    tags = kv.length == 0 ? Tags.empty() : Tags.of(kv);
                }
            }
            double value = Double.longBitsToDouble(b.getLong());
            if ((flags & 1) != 0) {
                batch.add(name, tags, type, value, b.getLong());
            } else {
                batch.add(name, tags, type, value);
            }
        }
        return new Batch(ingest, tag, batch);
    }

    static long readMarker(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        expect(b, MARKER);
        return b.getLong();
    }

    /** {position, accepted} of a void record. */
    static long[] readVoid(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        expect(b, VOID);
        long position = b.getLong();
        return new long[] {position, varint(b)};
    }

    private static void expect(ByteBuffer b, byte kind) {
        byte k = b.get();
        if (k != kind) {
            throw new IllegalArgumentException("log record of kind " + k + " where " + kind + " was expected");
        }
    }

    private static int varint(ByteBuffer b) {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (x & 0x7F) << shift;
            if (x < 0x80) {
                if (v < 0) {
                    break;
                }
                return v;
            }
        }
        throw new IllegalArgumentException("log record: bad length");
    }

    private static String string(ByteBuffer b) {
        int n = varint(b);
        if (n == 0) {
            return null;
        }
        byte[] bytes = new byte[n - 1];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ writing

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    private void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    private void i64(long v) {
        ensure(8);
        LONG_LE.set(buf, size, v);
        size += 8;
    }

    private void varint(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    private void string(String s) {
        if (s == null) {
            varint(0);
            return;
        }
        int n = s.length();
        boolean ascii = n < 0x3FFF;
        for (int i = 0; ascii && i < n; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (ascii) {
            // The common case without an intermediate array: one byte per char.
            varint(n + 1);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[size++] = (byte) s.charAt(i);
            }
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length + 1);
        bytes(b);
    }

    private ByteBuffer done() {
        return ByteBuffer.wrap(buf, 0, size);
    }
}
