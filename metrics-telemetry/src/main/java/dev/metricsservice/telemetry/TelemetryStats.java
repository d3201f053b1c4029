package dev.metricsservice.telemetry;

/**
 * A snapshot of {@link Telemetry}'s counters. Immutable.
 *
 * @param enabled         whether recording is on now
 * @param eventsWritten   events written to files so far
 * @param eventsDropped   events dropped because a thread's buffer was full (each drop is also recorded in the
 *                        trace as a {@code dropped} event when space frees up)
 * @param bytesWritten    bytes written to trace files, headers included
 * @param filesSealed     files renamed from {@code .active} to their final name
 * @param filesEvicted    files deleted to keep the directory under its cap
 * @param failure         why tracing was switched off by an I/O error, or null
 */
public record TelemetryStats(boolean enabled, long eventsWritten, long eventsDropped, long bytesWritten,
                             long filesSealed, long filesEvicted, String failure) {

    /** Average encoded size of an event, headers included; 0 before the first event. */
    public double bytesPerEvent() {
        return eventsWritten == 0 ? 0 : (double) bytesWritten / eventsWritten;
    }
}
