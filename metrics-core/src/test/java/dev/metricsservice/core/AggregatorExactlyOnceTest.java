package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The end-to-end exactly-once check: writers record integer-valued samples into shared and
 * private series, with server and client timestamps, while a collector moves the clock on,
 * collects at random moments and writes to a store that fails some writes (sometimes after
 * storing part of the batch). At the end the store's totals equal exactly what the writers were
 * told was accepted.
 */
class AggregatorExactlyOnceTest {

    private static final long T0 = 1_764_000_000_000L;
    private static final int WRITERS = 3;
    private static final int SAMPLES_PER_WRITER = 150_000;
    private static final String[] SHARED = {"shared-a", "shared-b"};

    /** Fails about a third of writes; half of those after storing the first half of the batch. */
    private static final class FlakyStore {
        final InMemoryMetricStore delegate = new InMemoryMetricStore();
        final Random random;
        int failures;

        FlakyStore(long seed) {
            random = new Random(seed);
        }

        CompletableFuture<Void> write(List<WindowAggregate> batch) {
            int roll = random.nextInt(6);
            if (roll == 0) {
                failures++;
                return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.UNAVAILABLE, "injected"));
            }
            if (roll == 1) {
                failures++;
                delegate.write(batch.subList(0, batch.size() / 2)).join();
                return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TIMEOUT, "injected partial"));
            }
            return delegate.write(batch);
        }
    }

    @RepeatedTest(3)
    void collectWhileRecording_withFailingStore_storesEveryAcceptedSampleExactlyOnce() throws Exception {
        long seed = System.nanoTime();
        ManualClock clock = MetricClock.manual(T0);
        Aggregator aggregator = Aggregator.builder().clock(clock).allowedLateness(Duration.ofSeconds(3)).build();
        FlakyStore store = new FlakyStore(seed);

        List<Map<String, long[]>> expected = new ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<String> unexpected = new java.util.concurrent.ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writersDone = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Map<String, long[]> mine = new HashMap<>();
            expected.add(mine);
            int id = w;
            Random random = new Random(seed + w);
            writers.add(new Thread(() -> {
                SeriesRecorder handle = aggregator.series(SHARED[id % SHARED.length]);
                awaitQuietly(start);
                for (int i = 0; i < SAMPLES_PER_WRITER; i++) {
                    long value = random.nextInt(1000) - 200;
                    String name;
                    RecordResult r;
                    int kind = random.nextInt(10);
                    if (kind < 4) {
                        name = handle.key().name();
                        r = handle.record(value);
                    } else if (kind < 7) {
                        name = SHARED[random.nextInt(SHARED.length)];
                        // A client timestamp up to 12 s behind the clock: some land in final windows.
                        r = aggregator.record(name, value, clock.millis() - random.nextInt(12_000));
                    } else {
                        name = "private-" + id + "-" + random.nextInt(50);
                        r = aggregator.record(name, value);
                    }
                    if (r == RecordResult.ACCEPTED) {
                        long[] totals = mine.computeIfAbsent(name, n -> new long[2]);
                        totals[0]++;
                        totals[1] += value;
                    } else if (r != RecordResult.TOO_LATE) {
                        unexpected.add(name + ": " + r);
                    }
                }
            }));
        }
        writers.forEach(Thread::start);

        Thread collector = new Thread(() -> {
            Random random = new Random(seed ^ 0x5DEECE66DL);
            awaitQuietly(start);
            while (!writersDone.get()) {
                clock.advance(Duration.ofMillis(random.nextInt(4000)));
                flushOnce(aggregator, store);
                if (random.nextBoolean()) {
                    Thread.yield();
                }
            }
        });
        collector.start();
        start.countDown();
        for (Thread t : writers) {
            t.join(120_000);
        }
        writersDone.set(true);
        collector.join(120_000);

        // Drain: move past every window's lateness and flush until the store has everything.
        clock.advance(Duration.ofMinutes(5));
        // Samples recorded after the last collect live only in cells, so always collect at least once.
        boolean drained = false;
        for (int i = 0; i < 100 && !drained; i++) {
            drained = flushOnce(aggregator, store) && aggregator.counters().pendingWindows() == 0;
        }
        assertThat(aggregator.collect().isEmpty()).as("nothing left after draining").isTrue();
        assertThat(unexpected).as("only late samples may be refused").isEmpty();
        assertThat(aggregator.counters().pendingWindows()).as("seed %d", seed).isZero();

        Map<String, long[]> total = new HashMap<>();
        for (Map<String, long[]> mine : expected) {
            mine.forEach((name, t) -> {
                long[] sum = total.computeIfAbsent(name, n -> new long[2]);
                sum[0] += t[0];
                sum[1] += t[1];
            });
        }
        MetricStore stored = store.delegate;
        long acceptedTotal = 0;
        for (var e : total.entrySet()) {
            var rows = stored.query(new MetricQuery(SeriesKey.of(e.getKey()), 0, Long.MAX_VALUE / 2, 100_000,
                    MetricQuery.Order.OLDEST_FIRST)).join();
            long count = rows.stream().mapToLong(r -> r.stats().count()).sum();
            double sum = rows.stream().mapToDouble(r -> r.stats().sum()).sum();
            assertThat(count).as("count of %s (seed %d)", e.getKey(), seed).isEqualTo(e.getValue()[0]);
            assertThat(sum).as("sum of %s (seed %d)", e.getKey(), seed).isEqualTo((double) e.getValue()[1]);
            acceptedTotal += count;
        }
        assertThat(aggregator.counters().accepted()).isEqualTo(acceptedTotal);
        assertThat(store.failures).as("the store must have failed some writes").isPositive();
    }

    /** One flush; true when the store accepted the batch. */
    private static boolean flushOnce(Aggregator aggregator, FlakyStore store) {
        CollectedBatch batch = aggregator.collect();
        try {
            store.write(batch.aggregates()).join();
            batch.commit();
            return true;
        } catch (RuntimeException expectedFailure) {
            // Not committed: the aggregator offers the same data again at the next collect.
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
