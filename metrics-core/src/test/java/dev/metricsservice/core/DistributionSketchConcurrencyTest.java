package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The sketch of a distribution window under concurrency: a sample is in a window's sketch exactly
 * when it is in the window's count, for every read (live or final), and the sketch of everything
 * stored is exactly the sketch of every accepted sample, whatever the stripes, windows,
 * amendments, partial writes and retries.
 */
class DistributionSketchConcurrencyTest {

    private static final long T0 = 1_764_000_000_000L;
    private static final int WRITERS = 3;
    private static final QuantileSketch TEMPLATE = new QuantileSketch(0.01, 2048);

    @RepeatedTest(3)
    void read_whileWritersRecord_sketchCountAlwaysEqualsCount() throws Exception {
        int cells = 2_000;
        WindowCell[] cell = new WindowCell[cells];
        for (int i = 0; i < cells; i++) {
            cell[i] = new WindowCell(i, TEMPLATE);
        }
        AtomicInteger current = new AtomicInteger();
        QuantileSketch[] accepted = new QuantileSketch[WRITERS];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < WRITERS; t++) {
            int id = t;
            accepted[t] = TEMPLATE.emptyCopy();
            threads.add(new Thread(() -> {
                Random random = new Random(id);
                awaitQuietly(start);
                while (true) {
                    int idx = current.get();
                    if (idx >= cells) {
                        return;
                    }
                    // Values over 12 decades, so that stripes keep growing their bucket arrays.
                    double v = (random.nextInt(8) == 0 ? -1 : 1) * Math.pow(10, -6 + 12 * random.nextDouble());
                    if (cell[idx].record(v, Stats.NO_LAST)) {
                        accepted[id].add(v);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        List<String> torn = new ArrayList<>();
        QuantileSketch sealedTotal = TEMPLATE.emptyCopy();
        for (int idx = 0; idx < cells; idx++) {
            // Live reads race the writers (and their array growth); then seal and read once more.
            for (int r = 0; r < 20; r++) {
                Stats live = cell[idx].read();
                if (live.sketchCount() != live.count() && torn.size() < 5) {
                    torn.add("cell " + idx + ": count " + live.count() + ", sketch " + live.sketchCount());
                }
            }
            cell[idx].seal();
            Stats last = cell[idx].read();
            if (last.sketchCount() != last.count() && torn.size() < 5) {
                torn.add("sealed cell " + idx + ": count " + last.count() + ", sketch " + last.sketchCount());
            }
            if (!last.isEmpty()) {
                sealedTotal.merge(last.sketchView());
            }
            current.set(idx + 1);
        }
        for (Thread t : threads) {
            t.join(60_000);
        }

        QuantileSketch expected = TEMPLATE.emptyCopy();
        for (QuantileSketch s : accepted) {
            expected.merge(s);
        }
        assertThat(torn).as("reads whose sketch disagrees with their count").isEmpty();
        assertThat(sealedTotal).as("stripes merge exactly into the sketch of every accepted sample")
                .isEqualTo(expected);
    }

    @RepeatedTest(3)
    void collectWhileRecording_withFailingStore_storesTheSketchOfEveryAcceptedSample() throws Exception {
        long seed = System.nanoTime();
        ManualClock clock = MetricClock.manual(T0);
        // Never retire: the collector moves the clock by minutes while writers are descheduled, and a
        // name whose series all retire forgets its type (the next sample would start a summary).
        Aggregator aggregator = Aggregator.builder().clock(clock).allowedLateness(Duration.ofSeconds(3))
                .seriesTtl(Duration.ZERO).build();
        InMemoryMetricStore store = new InMemoryMetricStore();
        Random failures = new Random(seed);
        Tags[] tags = {Tags.of("host", "a"), Tags.of("host", "b")};

        QuantileSketch[] accepted = new QuantileSketch[WRITERS];
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writersDone = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            accepted[w] = TEMPLATE.emptyCopy();
            // Before any thread starts: the first record of a new name would make it a summary.
            SeriesRecorder handle = aggregator.distribution("latency", tags[id % 2]);
            writers.add(new Thread(() -> {
                Random random = new Random(seed + id);
                awaitQuietly(start);
                for (int i = 0; i < 100_000; i++) {
                    double v = Math.exp(3 * random.nextGaussian());
                    RecordResult r = random.nextBoolean()
                            ? handle.record(v)
                            // Up to 12 s behind the clock: some land in final windows, as amendments.
                            : aggregator.record("latency", tags[random.nextInt(2)], v, clock.millis() - random.nextInt(12_000));
                    if (r == RecordResult.ACCEPTED) {
                        accepted[id].add(v);
                    } else if (r != RecordResult.TOO_LATE) {
                        unexpected.add(r.toString());
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        Thread collector = new Thread(() -> {
            Random random = new Random(~seed);
            awaitQuietly(start);
            while (!writersDone.get()) {
                clock.advance(Duration.ofMillis(random.nextInt(4000)));
                flushOnce(aggregator, store, failures);
            }
        });
        collector.start();
        start.countDown();
        for (Thread t : writers) {
            t.join(120_000);
        }
        writersDone.set(true);
        collector.join(120_000);
        clock.advance(Duration.ofMinutes(5));
        boolean drained = false;
        for (int i = 0; i < 100 && !drained; i++) {
            drained = flushOnce(aggregator, store, failures) && aggregator.counters().pendingWindows() == 0;
        }

        QuantileSketch expected = TEMPLATE.emptyCopy();
        for (QuantileSketch s : accepted) {
            expected.merge(s);
        }
        Stats all = Stats.EMPTY;
        for (SeriesWindow row : store.query(new MetricQuery("latency", List.of(), List.of(), 0, 0, Long.MAX_VALUE / 2,
                100_000, MetricQuery.Order.OLDEST_FIRST)).join()) {
            assertThat(row.stats().sketchCount()).as("window %d of %s: %s", row.windowStartEpochSecond(), row.series(), row)
                    .isEqualTo(row.stats().count());
            all = all.merge(row.stats());
        }
        assertThat(unexpected).isEmpty();
        assertThat(all.count()).as("seed %d", seed).isEqualTo(expected.count());
        assertThat(all.sketchView()).as("seed %d", seed).isEqualTo(expected);
    }

    private static boolean flushOnce(Aggregator aggregator, InMemoryMetricStore store, Random failures) {
        CollectedBatch batch = aggregator.collect();
        List<WindowAggregate> items = batch.aggregates();
        int roll;
        synchronized (failures) {
            roll = failures.nextInt(6);
        }
        try {
            if (roll == 0) {
                throw new StoreException(StoreException.Kind.UNAVAILABLE, "injected");
            }
            if (roll == 1) {
                store.write(items.subList(0, items.size() / 2)).join();
                throw new StoreException(StoreException.Kind.TIMEOUT, "injected partial");
            }
            CompletableFuture<Void> done = store.write(items);
            done.join();
            batch.commit();
            return true;
        } catch (RuntimeException expectedFailure) {
            return false;
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
