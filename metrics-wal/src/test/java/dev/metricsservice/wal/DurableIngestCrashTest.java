package dev.metricsservice.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.BatchResult;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SampleBatch;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lifetimes of a durable aggregator that each end in a crash (nothing flushed at the end, a store
 * write that landed without its commit, flushes that failed, a crash right after replay and one
 * during the flush after it), then a last lifetime that drains:
 * the store must hold exactly the acknowledged samples, per series, in count and sum. Time is a
 * test clock, so windows close, samples arrive late (amendments), and checkpoints move.
 */
class DurableIngestCrashTest {

    private static final long WINDOW_MS = 1_000;
    private static final String[] HOSTS = {"a", "b", "c"};

    @TempDir
    Path dir;

    private final AtomicLong wall = new AtomicLong(1_800_000_000_000L);
    private final InMemoryMetricStore store = new InMemoryMetricStore();
    private final Map<String, long[]> acked = new HashMap<>(); // series -> {count, sum}

    private DurableIngest open(WriteAheadLog log) throws Exception {
        return DurableIngest.open(log, clock -> Aggregator.builder()
                        .clock(clock)
                        .writerId("writer-1")
                        .windowWidth(Duration.ofMillis(WINDOW_MS))
                        .allowedLateness(Duration.ofMillis(2_000))
                        .maxLateness(Duration.ofMinutes(10))
                        .build(),
                new DurableIngest.Options(Duration.ofMillis(3_000), wall::get));
    }

    @Test
    void replay_afterCrashes_storesExactlyTheAcknowledgedSamples() throws Exception {
        Random random = new Random(42);
        for (int life = 0; life < 8; life++) {
            WalConfig config = new WalConfig(dir, 64L << 20, 4096, 2048); // small segments: rotation and deletion
            try (WriteAheadLog log = WriteAheadLog.open(config)) {
                DurableIngest ingest = open(log);
                assertThat(ingest.replayResult().samplesRefused()).isZero();
                replayed += ingest.replayResult().samplesReplayed();
                skipped += ingest.replayResult().samplesStored();
                if (life == 3) {
                    // A crash during the flush after replay: written, not committed, then gone.
                    flush(ingest, true, false);
                    ingest.close(Duration.ofSeconds(5));
                    continue;
                }
                if (life == 4) {
                    ingest.close(Duration.ofSeconds(5)); // a crash in the middle of replay: nothing written yet
                    continue;
                }
                runLifetime(ingest, random, life);
                checkpoints += ingest.counters().checkpoints();
                ingest.close(Duration.ofSeconds(5)); // a crash: no final flush
            }
        }
        // The last lifetime drains everything.
        try (WriteAheadLog log = WriteAheadLog.open(new WalConfig(dir, 64L << 20, 4096, 2048))) {
            DurableIngest ingest = open(log);
            for (int i = 0; i < 20; i++) {
                wall.addAndGet(WINDOW_MS);
                flush(ingest, true, true);
            }
            assertThat(ingest.aggregator().counters().pendingWindows()).isZero();
            ingest.close();
        }
        System.out.printf("replayed %d samples, skipped %d as stored, %d checkpoints%n", replayed, skipped, checkpoints);
        assertThat(stored()).isEqualTo(ackedAsText());
        // The crashes must have mattered: samples were replayed, some skipped as already stored.
        assertThat(replayed).isPositive();
        assertThat(skipped).isPositive();
        assertThat(checkpoints).isGreaterThan(6);
    }

    private long replayed;
    private long skipped;
    private long checkpoints;

    private void runLifetime(DurableIngest ingest, Random random, int life) throws Exception {
        List<CompletableFuture<BatchResult>> inFlight = new ArrayList<>();
        List<SampleBatch> sent = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            SampleBatch batch = new SampleBatch();
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) {
                String host = HOSTS[random.nextInt(HOSTS.length)];
                long value = 1 + random.nextInt(100);
                int kind = random.nextInt(10);
                if (kind < 6) {
                    batch.add("hits", Tags.of("host", host), MetricType.COUNTER, value);
                } else if (kind < 9) {
                    // Late: a window already final, so it becomes an amendment.
                    long past = wall.get() - (3_000 + random.nextInt(20_000));
                    batch.add("hits", Tags.of("host", host), MetricType.COUNTER, value, past);
                } else {
                    batch.add("lat", Tags.of("host", host), MetricType.DISTRIBUTION, value, wall.get() + random.nextInt(1_500));
                }
            }
            inFlight.add(ingest.submit(batch, ("key-" + life + "-" + step).getBytes(StandardCharsets.UTF_8)));
            sent.add(batch);
            wall.addAndGet(random.nextInt(60));
            if (random.nextInt(12) == 0) {
                // Sometimes the store write fails, sometimes it lands but the commit is lost.
                flush(ingest, random.nextInt(4) != 0, random.nextInt(3) != 0);
            }
        }
        for (int i = 0; i < inFlight.size(); i++) {
            BatchResult r = inFlight.get(i).get();
            assertThat(r.isAccepted()).as("batch %d", i).isTrue();
            SampleBatch b = sent.get(i);
            for (int s = 0; s < b.size(); s++) {
                long[] t = acked.computeIfAbsent(b.name(s) + b.tags(s), k -> new long[2]);
                t[0]++;
                t[1] += (long) b.value(s);
            }
        }
    }

    private void flush(DurableIngest ingest, boolean write, boolean commit) {
        CollectedBatch batch = ingest.collect();
        if (write) {
            store.write(batch.aggregates()).join();
            if (commit) {
                batch.commit();
            }
        }
    }

    private Map<String, String> stored() {
        Map<String, String> out = new HashMap<>();
        for (String name : List.of("hits", "lat")) {
            for (String host : HOSTS) {
                SeriesKey key = SeriesKey.of(name, Tags.of("host", host));
                List<SeriesWindow> rows = store.query(new MetricQuery(key, 0, 4_000_000_000L, 100_000,
                        MetricQuery.Order.OLDEST_FIRST)).join();
                long count = 0;
                long sum = 0;
                for (SeriesWindow w : rows) {
                    count += w.stats().count();
                    sum += (long) w.stats().sum();
                }
                if (count > 0) {
                    out.put(name + Tags.of("host", host), count + " samples, sum " + sum);
                }
            }
        }
        return out;
    }

    private Map<String, String> ackedAsText() {
        Map<String, String> out = new HashMap<>();
        acked.forEach((k, v) -> out.put(k, v[0] + " samples, sum " + v[1]));
        return out;
    }
}
