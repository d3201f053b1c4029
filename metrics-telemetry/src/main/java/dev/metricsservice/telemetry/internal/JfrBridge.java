package dev.metricsservice.telemetry.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Mirrors trace events into JDK Flight Recorder while any recording is running. {@link #recording} is kept up to
 * date by a recorder listener, so with no recording the cost at each hook is one volatile load and a branch; only
 * while recording are event objects allocated. Events carry their duration as a field (committed as instant
 * events) because JFR cannot take a start time measured earlier by the caller.
 */
public final class JfrBridge {
    /** True while at least one JFR recording is running. */
    public static volatile boolean recording;
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private JfrBridge() {
    }

    /** Starts tracking recordings; idempotent, and a no-op where JFR is unavailable. */
    public static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        try {
            if (!FlightRecorder.isAvailable()) {
                return;
            }
            FlightRecorder.addListener(new FlightRecorderListener() {
                @Override
                public void recordingStateChanged(Recording r) {
                    refresh();
                }

                @Override
                public void recorderInitialized(FlightRecorder recorder) {
                    refresh();
                }
            });
            if (FlightRecorder.isInitialized()) {
                refresh();
            }
        } catch (RuntimeException | LinkageError e) {
            recording = false;
        }
    }

    private static void refresh() {
        boolean any = false;
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (r.getState() == RecordingState.RUNNING) {
                any = true;
                break;
            }
        }
        recording = any;
    }

    static void task(String task, long durationNanos) {
        TaskEvent e = new TaskEvent();
        if (e.isEnabled()) {
            e.task = task;
            e.elapsed = durationNanos;
            e.commit();
        }
    }

    static void channelRead(String handler, long bytes, long durationNanos) {
        ChannelReadEvent e = new ChannelReadEvent();
        if (e.isEnabled()) {
            e.handler = handler;
            e.bytes = bytes;
            e.elapsed = durationNanos;
            e.commit();
        }
    }

    public static void request(String method, String route, int status, long requestBytes, long responseBytes,
                               long durationNanos) {
        HttpRequestEvent e = new HttpRequestEvent();
        if (e.isEnabled()) {
            e.method = method;
            e.route = route;
            e.status = status;
            e.requestBytes = requestBytes;
            e.responseBytes = responseBytes;
            e.elapsed = durationNanos;
            e.commit();
        }
    }

    public static void flush(long durationNanos, int windows, long items, int retries, String outcome) {
        FlushEvent e = new FlushEvent();
        if (e.isEnabled()) {
            e.windows = windows;
            e.items = items;
            e.retries = retries;
            e.outcome = outcome;
            e.elapsed = durationNanos;
            e.commit();
        }
    }

    public static void span(String name, long durationNanos, long value) {
        SpanEvent e = new SpanEvent();
        if (e.isEnabled()) {
            e.spanName = name;
            e.value = value;
            e.elapsed = durationNanos;
            e.commit();
        }
    }

    @Name("metricsservice.EventLoopTask")
    @Label("Event Loop Task")
    @Category({"Metrics Service", "Netty"})
    @Description("A task run by a Netty event loop")
    @StackTrace(false)
    static final class TaskEvent extends Event {
        @Label("Task")
        String task;
        @Label("Elapsed")
        @Timespan(Timespan.NANOSECONDS)
        long elapsed;
    }

    @Name("metricsservice.ChannelRead")
    @Label("Channel Read")
    @Category({"Metrics Service", "Netty"})
    @StackTrace(false)
    static final class ChannelReadEvent extends Event {
        @Label("Handler")
        String handler;
        @Label("Bytes")
        long bytes;
        @Label("Elapsed")
        @Timespan(Timespan.NANOSECONDS)
        long elapsed;
    }

    @Name("metricsservice.HttpRequest")
    @Label("HTTP Request")
    @Category({"Metrics Service", "HTTP"})
    @StackTrace(false)
    static final class HttpRequestEvent extends Event {
        @Label("Method")
        String method;
        @Label("Route")
        String route;
        @Label("Status")
        int status;
        @Label("Request Bytes")
        long requestBytes;
        @Label("Response Bytes")
        long responseBytes;
        @Label("Elapsed")
        @Timespan(Timespan.NANOSECONDS)
        long elapsed;
    }

    @Name("metricsservice.Flush")
    @Label("Flush")
    @Category({"Metrics Service", "Store"})
    @StackTrace(false)
    static final class FlushEvent extends Event {
        @Label("Windows")
        int windows;
        @Label("Items")
        long items;
        @Label("Retries")
        int retries;
        @Label("Outcome")
        String outcome;
        @Label("Elapsed")
        @Timespan(Timespan.NANOSECONDS)
        long elapsed;
    }

    @Name("metricsservice.Span")
    @Label("Application Span")
    @Category({"Metrics Service", "Application"})
    @StackTrace(false)
    static final class SpanEvent extends Event {
        @Label("Name")
        String spanName;
        @Label("Value")
        long value;
        @Label("Elapsed")
        @Timespan(Timespan.NANOSECONDS)
        long elapsed;
    }
}
