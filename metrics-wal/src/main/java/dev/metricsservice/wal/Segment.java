package dev.metricsservice.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The on-disk format of one segment file, and the scan that finds where its valid records end.
 *
 * <pre>
 * segment = header record*
 * header  = "MWAL" (4 bytes) version (1 byte, 1) 3 zero bytes
 * record  = length (u32, little-endian, 1..maxRecordBytes) crc (u32: CRC32C of the length's four
 *           bytes and the payload) payload (length bytes)
 * </pre>
 *
 * A segment is named by the log position of its first byte ({@code 00000000000000000000.seg}), and
 * each segment starts where the previous one ends, so a record's position is its segment's name plus
 * its offset. The segment being written may be longer than its records: it is zero-filled ahead of
 * them (see {@link WalConfig#preallocate}), so zero bytes after the last record are padding, not
 * damage. A record never starts with four zero bytes (its length is at least 1). Stateless.
 */
final class Segment {
    static final int HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES = 8;
    static final int VERSION = 1;
    private static final byte[] MAGIC = {'M', 'W', 'A', 'L'};

    private Segment() {
    }

    static Path path(Path directory, long base) {
        return directory.resolve(String.format("%020d.seg", base));
    }

    /** The base position a file name stands for, or -1 when it is not a segment's name. */
    static long baseOf(String fileName) {
        if (!fileName.matches("\\d{20}\\.seg")) {
            return -1;
        }
        return Long.parseLong(fileName.substring(0, 20));
    }

    static ByteBuffer header() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.put(MAGIC).put((byte) VERSION).put(new byte[3]).flip();
        return b;
    }

    static int crc(int length, ByteBuffer payload) {
        CRC32C c = new CRC32C();
        ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, length);
        c.update(len);
        c.update(payload.duplicate());
        return (int) c.getValue();
    }

    /**
     * What a scan found: where valid records end, where the file's content ends (its size less any
     * zero padding after the valid records), how many records there are, and why the scan stopped.
     */
    record Scan(long validBytes, long contentBytes, long fileBytes, long records, String stopReason) {
        /** Whether bytes that are not padding follow the valid records: a torn or corrupt tail. */
        boolean damaged() {
            return validBytes < contentBytes;
        }
    }

    /** Callback for each valid record during a scan. */
    interface Visitor {
        void record(long offset, ByteBuffer payload) throws IOException;
    }

    /**
     * Reads the segment from its start and stops at the first byte that is not part of a valid
     * record: a header that is missing or wrong, a length out of range or past the end, a CRC that
     * does not match.
     */
    static Scan scan(FileChannel ch, int maxRecordBytes, Visitor visitor) throws IOException {
        long size = ch.size();
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        readFully(ch, header, 0);
        header.flip();
        if (header.remaining() < HEADER_BYTES) {
            return stop(ch, 0, size, 0, "the segment header is incomplete");
        }
        byte[] magic = new byte[4];
        header.get(magic);
        int version = header.get() & 0xFF;
        if (!java.util.Arrays.equals(magic, MAGIC) || version != VERSION) {
            return stop(ch, 0, size, 0, "the segment header is not a version-" + VERSION + " header");
        }
        long at = HEADER_BYTES;
        long records = 0;
        ByteBuffer rh = ByteBuffer.allocate(RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (true) {
            if (at == size) {
                return new Scan(at, at, size, records, "end of file");
            }
            rh.clear();
            readFully(ch, rh, at);
            if (rh.position() < RECORD_HEADER_BYTES) {
                return stop(ch, at, size, records, "a record header is incomplete");
            }
            int length = rh.getInt(0);
            int crc = rh.getInt(4);
            if (length < 1 || length > maxRecordBytes || at + RECORD_HEADER_BYTES + length > size) {
                return stop(ch, at, size, records, "a record's length (" + Integer.toUnsignedString(length)
                        + ") is out of range or runs past the end");
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(ch, payload, at + RECORD_HEADER_BYTES);
            payload.flip();
            if (crc(length, payload) != crc) {
                return stop(ch, at, size, records, "a record's CRC32C does not match");
            }
            if (visitor != null) {
                visitor.record(at, payload.asReadOnlyBuffer());
            }
            records++;
            at += RECORD_HEADER_BYTES + length;
        }
    }

    /** A scan that stopped at {@code at}: padding when only zero bytes follow, damage otherwise. */
    private static Scan stop(FileChannel ch, long at, long size, long records, String reason) throws IOException {
        long content = contentEnd(ch, at, size);
        return content <= at ? new Scan(at, at, size, records, "end of records (zero padding follows)")
                : new Scan(at, content, size, records, reason);
    }

    /** The offset just past the last non-zero byte at or after {@code from}, or {@code from} if none. */
    private static long contentEnd(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        long end = size;
        while (end > from) {
            long start = Math.max(from, end - b.capacity());
            b.clear().limit((int) (end - start));
            readFully(ch, b, start);
            for (int i = b.position() - 1; i >= 0; i--) {
                if (b.get(i) != 0) {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return from;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                return;
            }
            p += n;
        }
    }
}
