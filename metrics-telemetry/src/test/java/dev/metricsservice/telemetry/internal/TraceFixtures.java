package dev.metricsservice.telemetry.internal;

import dev.metricsservice.telemetry.reader.TraceEvent;
import dev.metricsservice.telemetry.reader.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds a recorder and writer on a directory and reads it back. */
final class TraceFixtures {
    private TraceFixtures() {
    }

    static final class Rig {
        final Recorder recorder;
        final TraceWriter writer;

        Rig(Path dir, int bufferBytes, long maxFileBytes, long maxTotalBytes, boolean gzip, Duration rotate) {
            recorder = new Recorder(bufferBytes, 1024, true);
            writer = new TraceWriter(recorder, dir, maxFileBytes, maxTotalBytes, gzip, rotate, Duration.ofMillis(2),
                    Duration.ofMillis(10), Map.of("service", "test", "pid", "1", "process.started", "t0"));
            writer.start();
        }

        /** Waits until the writer has drained the calling thread's buffer. */
        void awaitDrained() throws InterruptedException {
            ThreadBuffer b = recorder.buffer();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (b.readableFrom() != b.publishedTail()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("writer did not drain within 10 s");
                }
                Thread.sleep(1);
            }
        }

        void close() throws InterruptedException {
            writer.close(Duration.ofSeconds(10));
        }
    }

    static List<TraceEvent> read(Path dir, List<String> notes) throws IOException {
        List<TraceEvent> events = new ArrayList<>();
        TraceReader.ReadResult r = TraceReader.read(dir, events::add);
        if (notes != null) {
            notes.addAll(r.notes());
        }
        return events;
    }

    /** Events recorded by the calling test (the writer thread's own queue samples filtered out). */
    static List<TraceEvent> mine(List<TraceEvent> events) {
        return events.stream().filter(e -> e.threadKind() != Schema.THREAD_WRITER).toList();
    }

    /** One span event per call, value = i; about 8 bytes each. */
    static void spans(Recorder r, int from, int count) {
        for (int i = from; i < from + count; i++) {
            r.span("s", System.nanoTime(), 1000, i);
        }
    }
}
