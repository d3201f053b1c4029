package dev.metricsservice.wal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the log lives and how big it may grow.
 *
 * <pre>{@code
 * WalConfig c = new WalConfig(Path.of("data/wal"), 1L << 30, 64L << 20, 16 << 20);
 * }</pre>
 *
 * @param directory      the log's directory (created if missing); one process at a time
 * @param maxBytes       most bytes the log's records may hold; past it appends fail as FULL
 * @param segmentBytes   a segment is closed and a new one started once it would pass this size
 * @param maxRecordBytes largest record accepted; larger ones fail as TOO_LARGE
 * @param preallocate    whether a commit that grows the segment zero-fills it ahead of its records
 *                       (to the next 256 KiB boundary, never past {@code segmentBytes}) in the same
 *                       write, so that most commits overwrite allocated blocks instead of growing
 *                       the file; costs at most 256 KiB of disk beyond the records
 */
public record WalConfig(Path directory, long maxBytes, long segmentBytes, int maxRecordBytes, boolean preallocate) {

    public WalConfig {
        Objects.requireNonNull(directory, "directory");
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segmentBytes must be at least 4096, was " + segmentBytes);
        }
        if (maxBytes < segmentBytes) {
            throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be at least segmentBytes ("
                    + segmentBytes + ")");
        }
        if (maxRecordBytes < 1 || maxRecordBytes > segmentBytes - Segment.HEADER_BYTES - Segment.RECORD_HEADER_BYTES) {
            throw new IllegalArgumentException("maxRecordBytes must be between 1 and segmentBytes less the headers, was "
                    + maxRecordBytes);
        }
    }

    /** With preallocated segments. */
    public WalConfig(Path directory, long maxBytes, long segmentBytes, int maxRecordBytes) {
        this(directory, maxBytes, segmentBytes, maxRecordBytes, true);
    }

    /** Defaults: 1 GiB in preallocated segments of 64 MiB, records up to 16 MiB. */
    public static WalConfig of(Path directory) {
        return new WalConfig(directory, 1L << 30, 64L << 20, 16 << 20);
    }

    /** This configuration with segments preallocated or not. */
    public WalConfig withPreallocate(boolean on) {
        return new WalConfig(directory, maxBytes, segmentBytes, maxRecordBytes, on);
    }
}
