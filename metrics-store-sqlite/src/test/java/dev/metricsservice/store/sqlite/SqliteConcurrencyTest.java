package dev.metricsservice.store.sqlite;

import static dev.metricsservice.store.sqlite.SqliteTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.ManualClock;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.RecordResult;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads recording into two aggregators (two "service instances"), each flushed by its own
 * worker into one shared store while queries run, then one final flush. Invariant: for every
 * name, the stored count and sum over all windows equal exactly what was accepted. Forbidden
 * outcomes: a sample lost (totals low), counted twice (totals high), or a store error.
 */
class SqliteConcurrencyTest {

    private static final String[] NAMES = {"cpu", "mem", "disk", "net"};
    private static final int RECORDERS_PER_AGGREGATOR = 3;
    private static final int SAMPLES_PER_RECORDER = 60_000;

    @TempDir
    Path dir;

    @Test
    void recordFlushQuery_manyThreadsTwoWriters_totalsAreExact() throws Exception {
        ManualClock clock = MetricClock.manual(1_764_000_000_000L);
        List<Aggregator> aggregators = List.of(aggregator("instance-a", clock), aggregator("instance-b", clock));
        LongAdder[] acceptedCount = new LongAdder[NAMES.length];
        LongAdder[] acceptedSum = new LongAdder[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            acceptedCount[i] = new LongAdder();
            acceptedSum[i] = new LongAdder();
        }
        int threads = aggregators.size() * (RECORDERS_PER_AGGREGATOR + 1) + 1;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (SqliteMetricStore store = SqliteMetricStore.open(SqliteStoreConfig.builder()
                .path(dir.resolve("concurrent.db")).busyTimeout(Duration.ofSeconds(30)).build())) {
            CountDownLatch recordersDone = new CountDownLatch(aggregators.size() * RECORDERS_PER_AGGREGATOR);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            List<Future<?>> tasks = new ArrayList<>();
            for (Aggregator aggregator : aggregators) {
                for (int r = 0; r < RECORDERS_PER_AGGREGATOR; r++) {
                    int seed = r;
                    tasks.add(pool.submit(() -> {
                        try {
                            for (int i = 0; i < SAMPLES_PER_RECORDER; i++) {
                                int name = (i + seed) % NAMES.length;
                                long value = (i * 7L + seed) % 100; // integers: sums are exact
                                if (aggregator.record(NAMES[name], value) == RecordResult.ACCEPTED) {
                                    acceptedCount[name].increment();
                                    acceptedSum[name].add(value);
                                }
                            }
                        } finally {
                            recordersDone.countDown();
                        }
                        return null;
                    }));
                }
                tasks.add(pool.submit(() -> {
                    while (recordersDone.getCount() > 0) {
                        flush(store, aggregator);
                        writes.incrementAndGet();
                        clock.advance(Duration.ofMillis(700)); // windows keep closing mid-run
                    }
                    return null;
                }));
            }
            tasks.add(pool.submit(() -> {
                while (!stop.get()) {
                    for (String name : NAMES) {
                        SqliteTestSupport.rows(store, MetricQuery.latest(name, 50));
                    }
                }
                return null;
            }));
            assertThat(recordersDone.await(120, TimeUnit.SECONDS)).isTrue();
            for (Future<?> task : tasks.subList(0, tasks.size() - 1)) {
                task.get(120, TimeUnit.SECONDS);
            }
            stop.set(true);
            tasks.get(tasks.size() - 1).get(120, TimeUnit.SECONDS);

            // Final flush, well after every window's lateness: everything becomes final.
            clock.advance(Duration.ofMinutes(5));
            for (Aggregator aggregator : aggregators) {
                flush(store, aggregator);
                assertThat(aggregator.collect().isEmpty()).as("nothing left after the final flush").isTrue();
            }

            assertThat(writes.get()).as("flushes during recording").isGreaterThan(1);
            for (int i = 0; i < NAMES.length; i++) {
                List<WindowStats> rows = SqliteTestSupport.rows(store, MetricQuery.latest(NAMES[i], 1_000_000));
                long count = rows.stream().mapToLong(w -> w.stats().count()).sum();
                double sum = rows.stream().mapToDouble(w -> w.stats().sum()).sum();
                assertThat(acceptedCount[i].sum()).isPositive();
                assertThat(count).as("count of %s", NAMES[i]).isEqualTo(acceptedCount[i].sum());
                assertThat(sum).as("sum of %s", NAMES[i]).isEqualTo((double) acceptedSum[i].sum());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Aggregator aggregator(String writerId, ManualClock clock) {
        return Aggregator.builder().writerId(writerId).clock(clock).windowWidth(Duration.ofSeconds(10))
                .allowedLateness(Duration.ofSeconds(5)).build();
    }

    private static void flush(SqliteMetricStore store, Aggregator aggregator) throws Exception {
        CollectedBatch batch = aggregator.collect();
        await(store.write(batch.aggregates()));
        batch.commit();
    }
}
