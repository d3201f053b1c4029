package dev.metricsservice.telemetry.internal;

/** LEB128 varints and ZigZag, shared by the writer and the reader. */
public final class Varint {
    private Varint() {
    }

    public static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** Writes {@code v} as an unsigned varint at {@code pos} in {@code out}; returns the position after it. */
    public static int put(byte[] out, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    public static int size(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
