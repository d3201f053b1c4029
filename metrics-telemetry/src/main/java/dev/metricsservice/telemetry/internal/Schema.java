package dev.metricsservice.telemetry.internal;

import java.util.List;

/**
 * Event types and file-level record tags of trace format version 1 (see FORMAT.md). The writer copies this
 * table into every file's header, so a reader can skip event types it does not know.
 */
public final class Schema {
    private Schema() {
    }

    /** Four magic bytes, then the format version byte and a flags byte. */
    public static final byte[] MAGIC = {'M', 'S', 'V', 'T'};
    public static final int VERSION = 1;

    // File-level record tags: [tag byte][payload length varint][payload].
    public static final int REC_STRING = 1;
    public static final int REC_THREAD = 2;
    public static final int REC_META = 3;
    public static final int REC_CLOCK = 4;
    public static final int REC_BLOCK = 5;
    public static final int REC_SCHEMA = 6;
    public static final int REC_END = 7;

    /** How a field's varint is to be read. */
    public enum FieldKind {
        /** Unsigned LEB128 varint. */
        UNSIGNED,
        /** ZigZag-encoded signed varint. */
        SIGNED,
        /** Unsigned varint holding the id of a string defined by a STRING record in the same file. */
        STRING,
        /** Unsigned varint holding a duration in nanoseconds. */
        NANOS,
        /** Unsigned varint holding the index of a thread (THREAD record). */
        THREAD
    }

    /** One field of an event type. */
    public record Field(String name, FieldKind kind) {
    }

    /** One event type: its id (the first byte of each event), name and fields after the timestamp. */
    public record EventType(int id, String name, List<Field> fields) {
        public int fieldCount() {
            return fields.size();
        }
    }

    public static final int IO = 1;
    public static final int TASK_START = 2;
    public static final int TASK_END = 3;
    public static final int CHANNEL_READ = 4;
    public static final int QUEUE_DEPTH = 5;
    public static final int GC = 6;
    public static final int HTTP_REQUEST = 7;
    public static final int FLUSH = 8;
    public static final int SPAN = 9;
    public static final int EVENT = 10;
    public static final int DROPPED = 11;
    public static final int IO_TOTALS = 12;
    public static final int READ_TOTALS = 13;
    public static final int REQUEST_TOTALS = 14;

    /** File metadata: the detail threshold; shorter I/O rounds, reads and requests are only totalled (or sampled). */
    public static final String META_DETAIL_THRESHOLD_NANOS = "detail.threshold_nanos";
    /** File metadata: one in this many ordinary I/O rounds, reads and requests is written in detail too. */
    public static final String META_DETAIL_SAMPLE_EVERY = "detail.sample_every";

    private static Field u(String name) {
        return new Field(name, FieldKind.UNSIGNED);
    }

    private static Field s(String name) {
        return new Field(name, FieldKind.SIGNED);
    }

    private static Field str(String name) {
        return new Field(name, FieldKind.STRING);
    }

    private static Field ns(String name) {
        return new Field(name, FieldKind.NANOS);
    }

    /** Every event type of version 1, indexed by id (index 0 unused). */
    public static final EventType[] TYPES = {
        null,
        new EventType(IO, "io", List.of(ns("durationNanos"), s("activeNanos"))),
        new EventType(TASK_START, "task_start", List.of(str("task"), ns("scheduleDelayNanos"))),
        new EventType(TASK_END, "task_end", List.of()),
        new EventType(CHANNEL_READ, "channel_read", List.of(ns("durationNanos"), str("handler"), s("bytes"))),
        new EventType(QUEUE_DEPTH, "queue_depth", List.of(new Field("loop", FieldKind.THREAD), u("pendingTasks"))),
        new EventType(GC, "gc", List.of(ns("durationNanos"), str("collector"), str("cause"), str("action"))),
        new EventType(HTTP_REQUEST, "http_request", List.of(ns("durationNanos"), str("method"), str("route"),
                u("status"), u("requestBytes"), u("responseBytes"))),
        new EventType(FLUSH, "flush", List.of(ns("durationNanos"), u("windows"), u("items"), u("retries"),
                str("outcome"))),
        new EventType(SPAN, "span", List.of(ns("durationNanos"), str("name"), s("value"))),
        new EventType(EVENT, "event", List.of(str("name"), s("value"))),
        new EventType(DROPPED, "dropped", List.of(u("count"))),
        // Growth of one thread's totals since the last such event (see Totals): exact counts of what
        // is otherwise written only when slow or sampled.
        new EventType(IO_TOTALS, "io_totals", List.of(new Field("loop", FieldKind.THREAD), u("rounds"),
                ns("durationNanos"), ns("activeNanos"), ns("unknownNanos"))),
        new EventType(READ_TOTALS, "read_totals", List.of(new Field("loop", FieldKind.THREAD), u("reads"),
                ns("durationNanos"), u("bytes"))),
        new EventType(REQUEST_TOTALS, "request_totals", List.of(str("method"), str("route"), u("status"),
                u("count"), ns("durationNanos"), u("requestBytes"), u("responseBytes"))),
    };

    /** Upper bound of one encoded event: type byte, timestamp and at most seven 10-byte varints. */
    public static final int MAX_EVENT_BYTES = 1 + 10 + 7 * 10;

    /** Thread kinds in THREAD records. */
    public static final int THREAD_OTHER = 0;
    public static final int THREAD_EVENT_LOOP = 1;
    public static final int THREAD_WRITER = 2;
}
