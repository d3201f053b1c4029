package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Idle series are retired ({@link SeriesRetirement}) without losing a sample that races with the
 * retirement, and {@code maxSeries} then counts live series only.
 */
class AggregatorRetirementTest {

    private static final long T0 = 1_764_000_000_000L;

    /**
     * Writers record into a few series (by name and through handles taken once at the start)
     * while the collector keeps finalizing every window, committing, and retiring each series the
     * moment it is idle. Forbidden outcome: a stored total that differs from what the writers were
     * told was accepted (a sample recorded into a series object the registry had dropped).
     */
    @RepeatedTest(3)
    void retire_racingWithWriters_losesNoSample() throws Exception {
        ManualClock clock = MetricClock.manual(T0);
        Aggregator aggregator = Aggregator.builder().clock(clock).allowedLateness(Duration.ZERO)
                .seriesTtl(Duration.ofMillis(1)).build();
        InMemoryMetricStore store = new InMemoryMetricStore();
        String[] names = {"r0", "r1", "r2", "r3"};
        int writers = 3;
        int samplesPerWriter = 200_000;
        AtomicLong[] accepted = new AtomicLong[names.length];
        for (int i = 0; i < names.length; i++) {
            accepted[i] = new AtomicLong();
        }
        AtomicReference<String> unexpected = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            long seed = System.nanoTime() + w;
            threads.add(new Thread(() -> {
                Random random = new Random(seed);
                SeriesRecorder[] handles = new SeriesRecorder[names.length];
                for (int i = 0; i < names.length; i++) {
                    handles[i] = aggregator.series(names[i]);
                }
                awaitQuietly(start);
                for (int i = 0; i < samplesPerWriter; i++) {
                    int series = random.nextInt(names.length);
                    RecordResult r = random.nextBoolean()
                            ? aggregator.record(names[series], 1)
                            : handles[series].record(1);
                    if (r == RecordResult.ACCEPTED) {
                        accepted[series].incrementAndGet();
                    } else {
                        unexpected.compareAndSet(null, names[series] + ": " + r);
                    }
                    if (random.nextInt(64) == 0) {
                        // Pauses let series go idle, so the collector tries to retire them often.
                        for (int spin = random.nextInt(2000); spin > 0; spin--) {
                            Thread.onSpinWait();
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        Thread collector = new Thread(() -> {
            awaitQuietly(start);
            while (!done.get()) {
                clock.advance(Duration.ofSeconds(10)); // every window so far is final now
                flush(aggregator, store);
                clock.advance(Duration.ofMillis(1)); // past the TTL: idle series retire at this collect
                flush(aggregator, store);
            }
        });
        collector.start();
        start.countDown();
        for (Thread t : threads) {
            t.join(120_000);
        }
        done.set(true);
        collector.join(120_000);
        clock.advance(Duration.ofMinutes(1));
        flush(aggregator, store);
        flush(aggregator, store);

        assertThat(unexpected.get()).as("no refusal").isNull();
        long total = 0;
        for (int i = 0; i < names.length; i++) {
            long stored = store.query(new MetricQuery(SeriesKey.of(names[i]), 0, Long.MAX_VALUE / 2, 1_000_000,
                    MetricQuery.Order.OLDEST_FIRST)).join().stream().mapToLong(r -> r.stats().count()).sum();
            assertThat(stored).as("stored count of %s", names[i]).isEqualTo(accepted[i].get());
            total += stored;
        }
        assertThat(total).isEqualTo((long) writers * samplesPerWriter);
        assertThat(aggregator.counters().retiredSeries()).as("retirements happened during the run").isPositive();
    }

    /**
     * A million distinct names, each used once, pass through an aggregator that holds at most
     * 10,000: every sample is accepted, live series never exceed the limit, and the totals are
     * exact.
     */
    @Test
    void churn_millionNamesThroughTenThousandSeries_acceptsEverySampleExactly() {
        ManualClock clock = MetricClock.manual(T0);
        int maxSeries = 10_000;
        Aggregator aggregator = Aggregator.builder().clock(clock).allowedLateness(Duration.ZERO)
                .seriesTtl(Duration.ofSeconds(1)).maxSeries(maxSeries).build();
        int names = 1_000_000;
        int perRound = 4_000;
        BitSet stored = new BitSet(names);
        long storedCount = 0;
        double storedSum = 0;
        double expectedSum = 0;
        int maxLive = 0;
        for (int next = 0; next < names; ) {
            for (int i = 0; i < perRound && next < names; i++, next++) {
                double value = next % 97;
                assertThat(aggregator.record("job-" + next, value)).as("name %d", next).isEqualTo(RecordResult.ACCEPTED);
                expectedSum += value;
            }
            maxLive = Math.max(maxLive, aggregator.counters().liveSeries());
            clock.advance(Duration.ofSeconds(10));
            CollectedBatch batch = aggregator.collect();
            for (WindowAggregate a : batch.aggregates()) {
                int index = Integer.parseInt(a.series().name().substring("job-".length()));
                assertThat(stored.get(index)).as("job-%d stored once", index).isFalse();
                stored.set(index);
                storedCount += a.stats().count();
                storedSum += a.stats().sum();
            }
            batch.commit();
        }
        clock.advance(Duration.ofSeconds(10));
        assertThat(aggregator.collect().isEmpty()).isTrue();

        assertThat(storedCount).isEqualTo(names);
        assertThat(stored.cardinality()).isEqualTo(names);
        assertThat(storedSum).isEqualTo(expectedSum);
        assertThat(maxLive).isLessThanOrEqualTo(maxSeries);
        AggregatorCounters c = aggregator.counters();
        assertThat(c.accepted()).isEqualTo(names);
        assertThat(c.rejectedTotal()).isZero();
        assertThat(c.retiredSeries()).isEqualTo(names);
        assertThat(c.liveSeries()).isZero();
    }

    @Test
    void retire_handleOfARetiredSeries_recordsIntoItsSuccessor() {
        ManualClock clock = MetricClock.manual(T0);
        Aggregator aggregator = Aggregator.builder().clock(clock).allowedLateness(Duration.ZERO)
                .seriesTtl(Duration.ofSeconds(1)).build();
        SeriesRecorder cpu = aggregator.series("cpu");
        cpu.record(1);
        clock.advance(Duration.ofSeconds(10));
        aggregator.collect().commit();
        clock.advance(Duration.ofSeconds(2));
        assertThat(aggregator.collect().isEmpty()).isTrue();
        assertThat(aggregator.counters().liveSeries()).as("retired").isZero();

        assertThat(cpu.record(2)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(aggregator.record("cpu", 3)).isEqualTo(RecordResult.ACCEPTED);

        assertThat(aggregator.counters().liveSeries()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(aggregator.collect().aggregates()).extracting(WindowAggregate::stats)
                .containsExactly(Stats.of(2, 5.0, 2.0, 3.0));
    }

    @Test
    void retire_seriesWithUnstoredData_isKept() {
        ManualClock clock = MetricClock.manual(T0);
        Aggregator aggregator = Aggregator.builder().clock(clock).allowedLateness(Duration.ZERO)
                .seriesTtl(Duration.ofSeconds(1)).build();
        aggregator.record("cpu", 1);
        clock.advance(Duration.ofSeconds(10));
        aggregator.collect(); // final, but the store never confirms it
        clock.advance(Duration.ofMinutes(5));

        CollectedBatch again = aggregator.collect();

        assertThat(again.aggregates()).extracting(WindowAggregate::stats).containsExactly(Stats.of(1));
        assertThat(aggregator.counters().liveSeries()).isEqualTo(1);
        assertThat(aggregator.counters().retiredSeries()).isZero();
    }

    @Test
    void retire_ttlZero_keepsEverySeries() {
        ManualClock clock = MetricClock.manual(T0);
        Aggregator aggregator = Aggregator.builder().clock(clock).seriesTtl(Duration.ZERO).build();
        aggregator.record("cpu", 1);
        clock.advance(Duration.ofDays(1));
        aggregator.collect().commit();
        clock.advance(Duration.ofDays(1));
        aggregator.collect().commit();

        assertThat(aggregator.counters().liveSeries()).isEqualTo(1);
    }

    private static void flush(Aggregator aggregator, InMemoryMetricStore store) {
        CollectedBatch batch = aggregator.collect();
        store.write(batch.aggregates()).join();
        batch.commit();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
