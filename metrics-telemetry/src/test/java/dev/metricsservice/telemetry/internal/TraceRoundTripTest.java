package dev.metricsservice.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.telemetry.reader.TraceEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void read_everyEventType_comesBackExactly() throws Exception {
        TraceFixtures.Rig rig = new TraceFixtures.Rig(dir, 1 << 16, 1 << 20, 1 << 22, false, Duration.ZERO);
        Recorder r = rig.recorder;
        ThreadBuffer b = r.buffer();
        long t = System.nanoTime();
        // Every type with values chosen to exercise 1..10-byte varints, negatives and out-of-order timestamps.
        write(b, Schema.IO, t, 5_000, 1_200);
        write(b, Schema.IO, t + 10, 7, -1);
        write(b, Schema.TASK_START, t + 20, r.strings.intern("MyTask"), 123_456);
        write(b, Schema.TASK_END, t + 30);
        write(b, Schema.CHANNEL_READ, t + 25, 40, r.strings.intern("Handler"), -1);
        write(b, Schema.QUEUE_DEPTH, t + 40, b.index, 17);
        r.gc(t - 5_000_000, 3_000_000, "G1 Young Generation", "System.gc()", "end of major GC");
        r.request("POST", "/metrics", 202, 31, 0, t + 50, 1_500_000); // slow enough to be written in detail
        r.flush(t + 60, 2_000_000_000L, 12, 345, 2, "ok");
        r.span("custom", t + 70, 9, Long.MIN_VALUE);
        r.event("marker", t + 80, Long.MAX_VALUE);
        write(b, Schema.DROPPED, t + 90, 4);
        rig.close();

        List<String> notes = new ArrayList<>();
        List<TraceEvent> events = TraceFixtures.mine(TraceFixtures.read(dir, notes));
        assertThat(notes).isEmpty();
        assertThat(events).extracting(TraceEvent::type).containsExactly("io", "io", "task_start", "task_end",
                "channel_read", "queue_depth", "gc", "http_request", "flush", "span", "event", "dropped");
        assertThat(events).extracting(TraceEvent::timestampNanos).containsExactly(t, t + 10, t + 20, t + 30, t + 25,
                t + 40, t - 5_000_000, t + 50, t + 60, t + 70, t + 80, t + 90);
        assertThat(events.get(0).values()).containsExactly(5_000, 1_200);
        assertThat(events.get(1).values()).containsExactly(7, -1);
        assertThat(events.get(2).texts()[0]).isEqualTo("MyTask");
        assertThat(events.get(2).value("scheduleDelayNanos", -1)).isEqualTo(123_456);
        assertThat(events.get(4).text("handler")).isEqualTo("Handler");
        assertThat(events.get(4).values()[0]).isEqualTo(40);
        assertThat(events.get(4).values()[2]).isEqualTo(-1);
        assertThat(events.get(5).values()[1]).isEqualTo(17);
        assertThat(events.get(5).texts()[0]).isEqualTo(Thread.currentThread().getName());
        TraceEvent gc = events.get(6);
        assertThat(gc.values()[0]).isEqualTo(3_000_000);
        assertThat(gc.texts()).containsExactly(null, "G1 Young Generation", "System.gc()", "end of major GC");
        TraceEvent req = events.get(7);
        assertThat(req.texts()[1]).isEqualTo("POST");
        assertThat(req.texts()[2]).isEqualTo("/metrics");
        assertThat(req.value("status", -1)).isEqualTo(202);
        assertThat(req.value("requestBytes", -1)).isEqualTo(31);
        assertThat(req.value("durationNanos", -1)).isEqualTo(1_500_000);
        TraceEvent flush = events.get(8);
        assertThat(flush.values()).containsExactly(2_000_000_000L, 12, 345, 2, flush.values()[4]);
        assertThat(flush.text("outcome")).isEqualTo("ok");
        assertThat(events.get(9).value("value", 0)).isEqualTo(Long.MIN_VALUE);
        assertThat(events.get(9).text("name")).isEqualTo("custom");
        assertThat(events.get(10).value("value", 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(events.get(11).value("count", -1)).isEqualTo(4);
        // Clock sync maps monotonic time onto wall-clock time within a second of now.
        long nowEpoch = System.currentTimeMillis() * 1_000_000L;
        assertThat(events.get(0).epochNanos()).isBetween(nowEpoch - 60_000_000_000L, nowEpoch);
        assertThat(events).allMatch(e -> e.threadName().equals(Thread.currentThread().getName()));
    }

    private static void write(ThreadBuffer b, int type, long ts, long... fields) {
        assertThat(b.begin(type, ts)).isTrue();
        for (int i = 0; i < fields.length; i++) {
            boolean signed = Schema.TYPES[type].fields().get(i).kind() == Schema.FieldKind.SIGNED;
            if (signed) {
                b.putSigned(fields[i]);
            } else {
                b.putUnsigned(fields[i]);
            }
        }
        b.commit();
    }
}
