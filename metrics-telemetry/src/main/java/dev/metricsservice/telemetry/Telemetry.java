package dev.metricsservice.telemetry;

import dev.metricsservice.telemetry.internal.GcListener;
import dev.metricsservice.telemetry.internal.JfrBridge;
import dev.metricsservice.telemetry.internal.ReadHandler;
import dev.metricsservice.telemetry.internal.Recorder;
import dev.metricsservice.telemetry.internal.TraceWriter;
import dev.metricsservice.telemetry.internal.TracedEventLoopGroup;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * Runtime tracing of a Netty service: event-loop I/O and tasks, channel reads, GC pauses, HTTP requests, flushes
 * and custom spans, written to rotating binary files that {@code java -jar metrics-telemetry.jar summary DIR}
 * reads.
 *
 * <pre>{@code
 * Telemetry telemetry = Telemetry.start(TelemetryConfig.defaults());
 * EventLoopGroup group = telemetry.newEventLoopGroup(2, NioIoHandler.newFactory(), threadFactory);
 * // add telemetry.channelHandler() at the head of each accepted channel's pipeline
 * // after each response: telemetry.onRequest("POST", "/metrics", 202, reqBytes, respBytes, startNanos, durNanos);
 * long t0 = Telemetry.nanoTime();
 * ... flush ...
 * telemetry.recordFlush(t0, Telemetry.nanoTime() - t0, windows, items, retries, "ok");
 * telemetry.close(); // after the event loop group has shut down: seals the last file
 * }</pre>
 *
 * <p>Guarantees: recording methods never block and, once a thread has recorded its first event and a string
 * has been seen once, never allocate; when a thread's buffer is full the event is dropped and counted (and the
 * count is written into the trace). When switched off, each hook costs one volatile read and a branch. An I/O
 * error (disk full, permissions) switches tracing off for good with one log message; the service is unaffected.
 * Timestamps are {@link System#nanoTime()} values.
 *
 * <p>{@link #disabled()} gives an instance that records nothing and writes no files, for callers
 * that switch telemetry off by configuration: they keep one code path instead of null checks.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public final class Telemetry implements AutoCloseable {
    private final TelemetryConfig config;
    private final Recorder recorder;
    /** Null only for {@link #disabled()}. */
    private final TraceWriter writer;
    private final GcListener gc;
    private final ReadHandler readHandler;
    private volatile boolean closed;

    private static final TelemetryStats DISABLED_STATS = new TelemetryStats(false, 0, 0, 0, 0, 0, null);

    private Telemetry(TelemetryConfig config) {
        this.config = config;
        this.recorder = new Recorder(config.bufferBytesPerThread(), config.maxStrings(), config.enabledAtStart());
        this.writer = new TraceWriter(recorder, config.directory(), config.maxFileBytes(), config.maxTotalBytes(),
                config.gzipSealedFiles(), config.rotateInterval(), config.drainInterval(),
                config.queueSampleInterval(), metadata(config));
        this.readHandler = new ReadHandler(recorder);
        this.gc = config.recordGc() ? new GcListener(recorder) : null;
    }

    /** The instance of {@link #disabled()}: a recorder that stays off, no writer, no GC listener. */
    private Telemetry() {
        this.config = TelemetryConfig.defaults();
        this.recorder = new Recorder(4096, 16, false);
        this.writer = null;
        this.readHandler = new ReadHandler(recorder);
        this.gc = null;
        this.closed = true;
    }

    /**
     * Telemetry that is off for good: every hook returns at once, {@link #newEventLoopGroup} gives a
     * plain Netty group, {@link #stats()} reports nothing written, {@link #isActive()} is false.
     */
    public static Telemetry disabled() {
        return new Telemetry();
    }

    /** True when this instance writes trace files (it was started, not {@link #disabled()}). */
    public boolean isActive() {
        return writer != null;
    }

    /** Starts the writer thread (and the GC listener); never fails on I/O, see the class guarantees. */
    public static Telemetry start(TelemetryConfig config) {
        Telemetry t = new Telemetry(config);
        JfrBridge.install();
        t.writer.start();
        if (t.gc != null) {
            t.gc.install();
        }
        return t;
    }

    /** Current monotonic time in the unit and origin every timestamp argument uses. */
    public static long nanoTime() {
        return System.nanoTime();
    }

    /**
     * An event loop group like {@code new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory)}
     * whose loops record I/O rounds (waiting versus working), tasks and their scheduling delay, and queue depth.
     */
    public EventLoopGroup newEventLoopGroup(int threads, IoHandlerFactory ioHandlerFactory,
                                            ThreadFactory threadFactory) {
        if (writer == null) {
            return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory);
        }
        return new TracedEventLoopGroup(threads, threadFactory, ioHandlerFactory, recorder,
                config.taskQueueCapacity());
    }

    /** A {@code @Sharable} handler to put at the head of each channel's pipeline; it times each channel read. */
    public ChannelHandler channelHandler() {
        return readHandler;
    }

    /** Records an HTTP request span; same parameters as the server's {@code ServerInstrumentation.onRequest}. */
    public void onRequest(String method, String route, int status, long requestBytes, long responseBytes,
                          long startNanos, long durationNanos) {
        if (!recorder.enabled) {
            return;
        }
        recorder.request(method, route, status, requestBytes, responseBytes, startNanos, durationNanos);
        if (JfrBridge.recording) {
            JfrBridge.request(method, route, status, requestBytes, responseBytes, durationNanos);
        }
    }

    /**
     * Records one flush of aggregated windows to the store.
     *
     * @param outcome a short word such as {@code ok}, {@code retrying}, {@code failed}
     */
    public void recordFlush(long startNanos, long durationNanos, int windows, long items, int retries,
                            String outcome) {
        if (!recorder.enabled) {
            return;
        }
        recorder.flush(startNanos, durationNanos, windows, items, retries, outcome);
        if (JfrBridge.recording) {
            JfrBridge.flush(durationNanos, windows, items, retries, outcome);
        }
    }

    /** Records a custom span; {@code name} should come from a small fixed set (it is interned). */
    public void recordSpan(String name, long startNanos, long durationNanos, long value) {
        if (!recorder.enabled) {
            return;
        }
        recorder.span(name, startNanos, durationNanos, value);
        if (JfrBridge.recording) {
            JfrBridge.span(name, durationNanos, value);
        }
    }

    /** Records a custom instant event now; {@code name} should come from a small fixed set. */
    public void recordEvent(String name, long value) {
        if (!recorder.enabled) {
            return;
        }
        recorder.event(name, System.nanoTime(), value);
        if (JfrBridge.recording) {
            JfrBridge.span(name, 0, value);
        }
    }

    /** Switches recording on or off at run time; ignored (stays off) after an I/O failure or close. */
    public void setEnabled(boolean enabled) {
        recorder.setEnabled(enabled && !closed);
    }

    public boolean isEnabled() {
        return recorder.enabled;
    }

    public TelemetryStats stats() {
        if (writer == null) {
            return DISABLED_STATS;
        }
        return new TelemetryStats(recorder.enabled, writer.eventsWritten(), recorder.droppedTotal(),
                writer.bytesWritten(), writer.filesSealed(), writer.filesEvicted(), writer.failure());
    }

    /**
     * Stops recording, writes what the buffers hold, seals the current file and stops the writer. Close after
     * the traced event loop group has terminated to keep its last events. Idempotent.
     */
    @Override
    public void close() {
        if (closed || writer == null) {
            return;
        }
        closed = true;
        recorder.setEnabled(false);
        if (gc != null) {
            gc.uninstall();
        }
        try {
            writer.close(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> metadata(TelemetryConfig config) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("service", config.serviceName());
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        m.put("host", host);
        m.put("pid", Long.toString(ProcessHandle.current().pid()));
        m.put("process.started", Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()).toString());
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("config", config.toString());
        return m;
    }
}
