package dev.metricsservice.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.telemetry.reader.TraceEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DroppedEventsTest {
    @TempDir
    Path dir;

    @Test
    void record_writerStalled_dropsAreCountedAndRecorded() throws Exception {
        TraceFixtures.Rig rig = new TraceFixtures.Rig(dir, 4096, 1 << 20, 1 << 22, false, Duration.ZERO);
        TraceFixtures.spans(rig.recorder, 0, 1);
        rig.awaitDrained();
        rig.writer.setPaused(true);
        int attempted = 5_000;
        TraceFixtures.spans(rig.recorder, 1, attempted);
        long dropped = rig.recorder.droppedTotal();
        assertThat(dropped).isGreaterThan(attempted / 2);

        rig.writer.setPaused(false);
        rig.awaitDrained();
        // The next event that fits carries the count in front of it.
        TraceFixtures.spans(rig.recorder, attempted + 1, 1);
        rig.close();

        List<TraceEvent> events = TraceFixtures.mine(TraceFixtures.read(dir, null));
        long spans = events.stream().filter(e -> e.type().equals("span")).count();
        long droppedInTrace = events.stream().filter(e -> e.type().equals("dropped"))
                .mapToLong(e -> e.value("count", 0)).sum();
        assertThat(droppedInTrace).isEqualTo(dropped);
        assertThat(spans + droppedInTrace).isEqualTo(attempted + 2);
        assertThat(rig.recorder.droppedTotal()).isEqualTo(dropped);
    }
}
