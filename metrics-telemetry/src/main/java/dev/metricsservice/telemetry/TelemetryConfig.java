package dev.metricsservice.telemetry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of {@link Telemetry}, validated on construction. Start from {@link #defaults()} and change what
 * you need:
 *
 * <pre>{@code
 * TelemetryConfig config = TelemetryConfig.defaults()
 *         .withDirectory(Path.of("/var/tmp/traces"))
 *         .withGzipSealedFiles(true);
 * }</pre>
 *
 * <p>Thread-safety: immutable.
 *
 * @param directory             where trace files go (default {@code /tmp/metrics-service-traces})
 * @param maxFileBytes          a new file starts before the current one would exceed this (default 1 MiB)
 * @param maxTotalBytes         oldest files are deleted while the directory holds more (default 30 MiB); at least
 *                              twice {@code maxFileBytes}
 * @param rotateInterval        also start a new file after this long; {@link Duration#ZERO} = only by size
 * @param gzipSealedFiles       compress each sealed file to {@code trace.N.bin.gz}
 * @param enabledAtStart        whether recording is on when started (switch with {@code setEnabled})
 * @param bufferBytesPerThread  size of each recording thread's ring buffer, a power of two (default 256 KiB);
 *                              when full, events are dropped and counted
 * @param taskQueueCapacity     pending-task capacity of each traced event loop, a power of two (default 65536);
 *                              beyond it Netty rejects the task
 * @param drainInterval         how often the writer drains buffers (default 10 ms)
 * @param queueSampleInterval   how often each loop's pending-task count is sampled (default 10 ms)
 * @param maxStrings            distinct interned strings; later ones are recorded as one overflow string
 * @param recordGc              record GC notifications
 * @param serviceName           written into every file's metadata
 */
public record TelemetryConfig(Path directory, long maxFileBytes, long maxTotalBytes, Duration rotateInterval,
                              boolean gzipSealedFiles, boolean enabledAtStart, int bufferBytesPerThread,
                              int taskQueueCapacity, Duration drainInterval, Duration queueSampleInterval,
                              int maxStrings, boolean recordGc, String serviceName) {

    public static final Path DEFAULT_DIRECTORY = Path.of("/tmp/metrics-service-traces");

    public TelemetryConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(rotateInterval, "rotateInterval");
        Objects.requireNonNull(drainInterval, "drainInterval");
        Objects.requireNonNull(queueSampleInterval, "queueSampleInterval");
        Objects.requireNonNull(serviceName, "serviceName");
        require(maxFileBytes >= 1024, "maxFileBytes must be at least 1024, was " + maxFileBytes);
        require(maxTotalBytes >= 2 * maxFileBytes, "maxTotalBytes must be at least twice maxFileBytes ("
                + 2 * maxFileBytes + "), was " + maxTotalBytes);
        require(!rotateInterval.isNegative(), "rotateInterval must not be negative");
        require(Integer.bitCount(bufferBytesPerThread) == 1 && bufferBytesPerThread >= 1024,
                "bufferBytesPerThread must be a power of two >= 1024, was " + bufferBytesPerThread);
        require(Integer.bitCount(taskQueueCapacity) == 1 && taskQueueCapacity >= 16,
                "taskQueueCapacity must be a power of two >= 16, was " + taskQueueCapacity);
        require(drainInterval.toMillis() >= 1 && drainInterval.toSeconds() <= 10,
                "drainInterval must be between 1 ms and 10 s, was " + drainInterval);
        require(queueSampleInterval.toMillis() >= 1 && queueSampleInterval.toSeconds() <= 10,
                "queueSampleInterval must be between 1 ms and 10 s, was " + queueSampleInterval);
        require(maxStrings >= 16, "maxStrings must be at least 16, was " + maxStrings);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The defaults listed on this record. */
    public static TelemetryConfig defaults() {
        return new TelemetryConfig(DEFAULT_DIRECTORY, 1L << 20, 30L << 20, Duration.ZERO, false, true, 1 << 18,
                1 << 16, Duration.ofMillis(10), Duration.ofMillis(10), 65536, true, "metrics-service");
    }

    public TelemetryConfig withDirectory(Path v) {
        return new TelemetryConfig(v, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles, enabledAtStart,
                bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval, maxStrings, recordGc,
                serviceName);
    }

    public TelemetryConfig withLimits(long maxFileBytes, long maxTotalBytes) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles,
                enabledAtStart, bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval,
                maxStrings, recordGc, serviceName);
    }

    public TelemetryConfig withRotateInterval(Duration v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, v, gzipSealedFiles, enabledAtStart,
                bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval, maxStrings, recordGc,
                serviceName);
    }

    public TelemetryConfig withGzipSealedFiles(boolean v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, v, enabledAtStart,
                bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval, maxStrings, recordGc,
                serviceName);
    }

    public TelemetryConfig withEnabledAtStart(boolean v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles, v,
                bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval, maxStrings, recordGc,
                serviceName);
    }

    public TelemetryConfig withBufferBytesPerThread(int v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles,
                enabledAtStart, v, taskQueueCapacity, drainInterval, queueSampleInterval, maxStrings, recordGc,
                serviceName);
    }

    public TelemetryConfig withTaskQueueCapacity(int v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles,
                enabledAtStart, bufferBytesPerThread, v, drainInterval, queueSampleInterval, maxStrings, recordGc,
                serviceName);
    }

    public TelemetryConfig withRecordGc(boolean v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles,
                enabledAtStart, bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval,
                maxStrings, v, serviceName);
    }

    /** This configuration with the writer's drain interval and each loop's queue-sampling interval. */
    public TelemetryConfig withIntervals(Duration drain, Duration queueSample) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles,
                enabledAtStart, bufferBytesPerThread, taskQueueCapacity, drain, queueSample, maxStrings, recordGc,
                serviceName);
    }

    /** This configuration with at most {@code v} distinct interned strings. */
    public TelemetryConfig withMaxStrings(int v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles,
                enabledAtStart, bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval, v,
                recordGc, serviceName);
    }

    public TelemetryConfig withServiceName(String v) {
        return new TelemetryConfig(directory, maxFileBytes, maxTotalBytes, rotateInterval, gzipSealedFiles,
                enabledAtStart, bufferBytesPerThread, taskQueueCapacity, drainInterval, queueSampleInterval,
                maxStrings, recordGc, v);
    }
}
