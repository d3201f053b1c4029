package dev.metricsservice.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.telemetry.reader.TraceEvent;
import dev.metricsservice.telemetry.reader.TraceReader;
import dev.metricsservice.telemetry.reader.TraceSummary;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TelemetryJvmTest {
    @TempDir
    Path dir;

    @Test
    void gc_forced_showsUpAsAPause() throws Exception {
        Telemetry telemetry = Telemetry.start(TelemetryConfig.defaults().withDirectory(dir));
        CountDownLatch notified = new CountDownLatch(1);
        NotificationListener listener = (n, h) -> notified.countDown();
        List<NotificationEmitter> emitters = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
            emitters.add((NotificationEmitter) gc);
        }
        try {
            System.gc();
            assertThat(notified.await(20, TimeUnit.SECONDS)).as("GC notification arrived").isTrue();
            // Our listener may run just before telemetry's; poll the live .active file until the event is written.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<TraceEvent> gcs = new ArrayList<>();
            while (gcs.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                gcs.clear();
                TraceReader.read(dir, e -> {
                    if (e.type().equals("gc")) {
                        gcs.add(e);
                    }
                });
            }
            assertThat(gcs).anySatisfy(e -> {
                assertThat(e.text("cause")).isEqualTo("System.gc()");
                assertThat(e.text("collector")).isNotEmpty();
                assertThat(e.value("durationNanos", -1)).isGreaterThanOrEqualTo(0);
            });
        } finally {
            for (NotificationEmitter e : emitters) {
                e.removeNotificationListener(listener);
            }
            telemetry.close();
        }
        TraceSummary summary = new TraceSummary(Duration.ofMillis(10).toNanos());
        TraceReader.read(dir, summary);
        assertThat(summary.gcCount()).isGreaterThanOrEqualTo(1);
        assertThat(summary.render()).contains("System.gc()");
    }

    @Test
    void jfr_whileRecording_emitsTheSameSpans() throws Exception {
        Telemetry telemetry = Telemetry.start(TelemetryConfig.defaults().withDirectory(dir).withRecordGc(false));
        Path jfrFile = dir.resolve("test.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("metricsservice.HttpRequest");
            recording.enable("metricsservice.Flush");
            recording.start();
            telemetry.onRequest("POST", "/metrics", 202, 30, 0, Telemetry.nanoTime(), 12_345);
            telemetry.recordFlush(Telemetry.nanoTime(), 99, 3, 4, 0, "ok");
            recording.stop();
            recording.dump(jfrFile);
        } finally {
            telemetry.close();
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfrFile);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getEventType().getName()).isEqualTo("metricsservice.HttpRequest");
            assertThat(e.getString("route")).isEqualTo("/metrics");
            assertThat(e.getInt("status")).isEqualTo(202);
            assertThat(e.getLong("elapsed")).isEqualTo(12_345);
        });
        assertThat(events).anyMatch(e -> e.getEventType().getName().equals("metricsservice.Flush")
                && e.getLong("items") == 4);
    }
}
