package dev.metricsservice.telemetry.reader;

import java.util.List;

/**
 * One decoded event. {@code values[i]} is field {@code i} of the type as a number; for string fields
 * {@code texts[i]} holds the resolved string (and {@code values[i]} its id). Field names come from the file's own
 * schema, so events of types this reader does not know are still returned with their raw values.
 * Thread-safety: immutable apart from the arrays, which callers must not modify.
 *
 * @param type            event type name ({@code task_start}, {@code http_request}, ...)
 * @param typeId          event type id
 * @param threadId        reader-assigned id, unique per (process, thread) across all files read
 * @param threadName      the recording thread's name
 * @param threadKind      0 other, 1 event loop, 2 writer
 * @param timestampNanos  the recording process's {@code System.nanoTime()} at the event (or span start)
 * @param epochNanos      the same instant as wall-clock nanoseconds since 1970, from the file's clock sync
 * @param fieldNames      names of the fields, from the file's schema
 * @param values          field values (string fields: their id)
 * @param texts           resolved strings for string and thread fields, else null
 */
public record TraceEvent(String type, int typeId, int threadId, String threadName, int threadKind,
                         long timestampNanos, long epochNanos, List<String> fieldNames, long[] values,
                         String[] texts) {

    /** The numeric value of a field, or {@code missing} when this event's type has no such field. */
    public long value(String field, long missing) {
        int i = fieldNames.indexOf(field);
        return i < 0 ? missing : values[i];
    }

    /** The string value of a field, or null. */
    public String text(String field) {
        int i = fieldNames.indexOf(field);
        return i < 0 ? null : texts[i];
    }
}
