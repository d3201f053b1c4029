package dev.metricsservice.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.telemetry.reader.TraceReader;
import dev.metricsservice.telemetry.reader.TraceSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests are totalled per thread and only slow or sampled ones written one by one; the counts in
 * the trace must still be exact: forbidden are a request counted twice, or lost because its thread
 * ended between two totals (the writer writes a dead thread's last totals before forgetting it) or
 * because the writer read a key before its counters.
 */
class TotalsTest {

    @TempDir
    Path dir;

    @Test
    void requests_manyShortLivedThreads_countedExactlyWhileTheWriterRuns() throws Exception {
        TraceFixtures.Rig rig = new TraceFixtures.Rig(dir, 1 << 16, 1 << 20, 1 << 24, false, Duration.ZERO);
        Recorder r = rig.recorder;
        int threads = 40;
        int perThread = 2_000;
        AtomicLong slow = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    boolean isSlow = i % 500 == 0;
                    if (isSlow) {
                        slow.incrementAndGet();
                    }
                    int status = i % 3 == 0 ? 503 : 202;
                    r.request("POST", "/metrics/" + (id % 4), status, 10, 2, System.nanoTime(),
                            isSlow ? 2_000_000 : 20_000);
                }
            }, "req-" + t);
            all.add(th);
            th.start();
            if (t % 10 == 9) {
                start.countDown();
                Thread.sleep(15); // let the writer write totals of live threads, then see some end
            }
        }
        for (Thread th : all) {
            th.join();
        }
        Thread.sleep(30); // dead threads are forgotten by the writer while it runs
        rig.close();

        TraceSummary summary = new TraceSummary(Duration.ofMillis(10).toNanos());
        TraceReader.read(dir, summary);
        long total = (long) threads * perThread;
        assertThat(summary.requests()).as("every request counted once").isEqualTo(total);
        assertThat(summary.counts().get("http_request")).as("slow ones always written, fast ones sampled")
                .isBetween(slow.get(), slow.get() + total / Recorder.DETAIL_SAMPLE_EVERY + threads);
        assertThat(summary.render()).contains(String.format(java.util.Locale.ROOT, "%,d requests", total))
                .contains("503=" + (long) threads * ((perThread + 2) / 3));
    }
}
