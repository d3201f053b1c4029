package dev.metricsservice.telemetry.reader;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.metricsservice.telemetry.internal.Schema;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes a trace as Chrome trace-event JSON ({@code {"traceEvents": [...]}}), which the Perfetto UI and
 * {@code chrome://tracing} open. One track per recording thread (each event loop has its own), tasks, the active
 * part of I/O rounds and channel reads as slices on it; HTTP requests, flushes and spans as async slices (they
 * overlap); GC on its own track; pending tasks per loop as a counter track. Times are microseconds from the first
 * event.
 *
 * <pre>{@code
 * ChromeTraceExport.write(Path.of("/tmp/metrics-service-traces"), outputStream);
 * }</pre>
 * Thread-safety: one export per instance.
 */
public final class ChromeTraceExport implements TraceVisitor {
    private static final int GC_TRACK = 1_000_000;

    private final JsonGenerator json;
    private final long originEpochNanos;
    private final Set<Integer> named = new HashSet<>();
    private final Map<Integer, TraceEvent> openTasks = new HashMap<>();
    private long asyncId;

    private ChromeTraceExport(JsonGenerator json, long originEpochNanos) {
        this.json = json;
        this.originEpochNanos = originEpochNanos;
    }

    /** Reads {@code path} twice (once to find the origin) and writes the JSON to {@code out}. */
    public static TraceReader.ReadResult write(Path path, OutputStream out) throws IOException {
        long[] origin = {Long.MAX_VALUE};
        TraceReader.read(path, e -> {
            if (e.epochNanos() != 0) {
                origin[0] = Math.min(origin[0], e.epochNanos());
            }
        });
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ms");
            g.writeArrayFieldStart("traceEvents");
            ChromeTraceExport export = new ChromeTraceExport(g, origin[0] == Long.MAX_VALUE ? 0 : origin[0]);
            export.meta("process_name", 0, "metrics-service");
            export.meta("thread_name", GC_TRACK, "GC");
            TraceReader.ReadResult result;
            try {
                result = TraceReader.read(path, export);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            g.writeEndArray();
            g.writeEndObject();
            return result;
        }
    }

    @Override
    public void onEvent(TraceEvent e) {
        try {
            emit(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void emit(TraceEvent e) throws IOException {
        int tid = e.threadId();
        if (named.add(tid)) {
            meta("thread_name", tid, e.threadName());
        }
        long[] v = e.values();
        switch (e.typeId()) {
            case Schema.TASK_START -> openTasks.put(tid, e);
            case Schema.TASK_END -> {
                TraceEvent start = openTasks.remove(tid);
                if (start != null) {
                    slice(start.texts()[0], "task", tid, start.epochNanos(), e.timestampNanos() - start.timestampNanos());
                    json.writeObjectFieldStart("args");
                    json.writeNumberField("scheduleDelayUs", start.values()[1] / 1e3);
                    json.writeEndObject();
                    json.writeEndObject();
                }
            }
            case Schema.IO -> {
                if (v[1] > 0) {
                    slice("io", "io", tid, e.epochNanos() + v[0] - v[1], v[1]);
                    json.writeEndObject();
                }
            }
            case Schema.CHANNEL_READ -> {
                slice("read " + e.texts()[1], "read", tid, e.epochNanos(), v[0]);
                json.writeObjectFieldStart("args");
                json.writeNumberField("bytes", v[2]);
                json.writeEndObject();
                json.writeEndObject();
            }
            case Schema.GC -> {
                slice(e.texts()[0] + " (" + e.texts()[1] + ")", "gc", GC_TRACK, e.epochNanos(), v[0]);
                json.writeEndObject();
            }
            case Schema.QUEUE_DEPTH -> {
                json.writeStartObject();
                json.writeStringField("ph", "C");
                json.writeStringField("name", "pending tasks " + e.texts()[0]);
                json.writeNumberField("pid", 0);
                json.writeNumberField("ts", us(e.epochNanos()));
                json.writeObjectFieldStart("args");
                json.writeNumberField("pending", v[1]);
                json.writeEndObject();
                json.writeEndObject();
            }
            case Schema.HTTP_REQUEST -> async(e.texts()[0] + " " + e.texts()[1] + " " + v[3], "http", tid,
                    e.epochNanos(), v[0]);
            case Schema.FLUSH -> async("flush " + e.texts()[4], "flush", tid, e.epochNanos(), v[0]);
            case Schema.SPAN -> async(e.texts()[1], "span", tid, e.epochNanos(), v[0]);
            case Schema.EVENT -> instant(e.texts()[0] + "=" + v[1], tid, e.epochNanos());
            case Schema.DROPPED -> instant("dropped " + v[0] + " events", tid, e.epochNanos());
            default -> {
                // task_end without start, unknown types: nothing to draw
            }
        }
    }

    private double us(long epochNanos) {
        return (epochNanos - originEpochNanos) / 1e3;
    }

    /** Opens a complete-event object; the caller may add args and must close it. */
    private void slice(String name, String category, int tid, long startEpochNanos, long durationNanos)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("ph", "X");
        json.writeStringField("name", name);
        json.writeStringField("cat", category);
        json.writeNumberField("pid", 0);
        json.writeNumberField("tid", tid);
        json.writeNumberField("ts", us(startEpochNanos));
        json.writeNumberField("dur", durationNanos / 1e3);
    }

    private void async(String name, String category, int tid, long startEpochNanos, long durationNanos)
            throws IOException {
        long id = ++asyncId;
        for (String ph : new String[] {"b", "e"}) {
            json.writeStartObject();
            json.writeStringField("ph", ph);
            json.writeStringField("name", name);
            json.writeStringField("cat", category);
            json.writeNumberField("id", id);
            json.writeNumberField("pid", 0);
            json.writeNumberField("tid", tid);
            json.writeNumberField("ts", us(ph.equals("b") ? startEpochNanos : startEpochNanos + durationNanos));
            json.writeEndObject();
        }
    }

    private void instant(String name, int tid, long epochNanos) throws IOException {
        json.writeStartObject();
        json.writeStringField("ph", "i");
        json.writeStringField("s", "t");
        json.writeStringField("name", name);
        json.writeNumberField("pid", 0);
        json.writeNumberField("tid", tid);
        json.writeNumberField("ts", us(epochNanos));
        json.writeEndObject();
    }

    private void meta(String what, int tid, String name) throws IOException {
        json.writeStartObject();
        json.writeStringField("ph", "M");
        json.writeStringField("name", what);
        json.writeNumberField("pid", 0);
        json.writeNumberField("tid", tid);
        json.writeObjectFieldStart("args");
        json.writeStringField("name", name);
        json.writeEndObject();
        json.writeEndObject();
    }
}
