package dev.metricsservice.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryAllocationTest {
    @TempDir
    Path dir;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static void record(Telemetry t, int n) {
        for (int i = 0; i < n; i++) {
            long start = Telemetry.nanoTime();
            t.onRequest("POST", "/metrics", 202, 30, 0, start, 1_000);
            t.recordFlush(start, 2_000, 3, 4, 0, "ok");
            t.recordSpan("custom", start, 10, i);
        }
    }

    @Test
    void record_steadyState_allocatesNothingPerEvent() {
        Telemetry t = Telemetry.start(TelemetryConfig.defaults().withDirectory(dir).withRecordGc(false));
        try {
            record(t, 20_000); // first use: thread buffer, interned strings, JIT
            allocatedBytes();
            long before = allocatedBytes();
            record(t, 100_000); // 300,000 events, recorded or dropped
            long allocated = allocatedBytes() - before;
            // Forbidden outcome: any per-event allocation (that would be >= 300,000 * 16 bytes). A few hundred
            // bytes of slack cover the measuring call itself.
            assertThat(allocated).isLessThan(1_000);
        } finally {
            t.close();
        }
    }
}
