package dev.metricsservice.core.flush;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.ManualClock;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.storetest.ForwardingMetricStore;
import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FlushWorkerTest {

    private static final long T0 = 1_764_000_000_000L;

    /** A real in-memory store that can be switched off, as a store outage would. */
    static final class SwitchableStore extends ForwardingMetricStore {
        final InMemoryMetricStore delegate;
        final AtomicBoolean down = new AtomicBoolean();
        volatile boolean hang;

        SwitchableStore() {
            this(new InMemoryMetricStore());
        }

        private SwitchableStore(InMemoryMetricStore delegate) {
            super(delegate);
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<Void> write(List<WindowAggregate> aggregates) {
            if (hang) {
                return new CompletableFuture<>();
            }
            if (down.get()) {
                return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.UNAVAILABLE, "down"));
            }
            return super.write(aggregates);
        }
    }

    private final ManualClock clock = MetricClock.manual(T0);
    private final Aggregator aggregator = Aggregator.builder().clock(clock).build();
    private final SwitchableStore store = new SwitchableStore();

    private long storedCount(String name) {
        return store.delegate.query(MetricQuery.latest(name, 1000)).join().stream()
                .mapToLong(r -> r.stats().count()).sum();
    }

    @Test
    void flushNow_storeUp_writesAndCommits() throws Exception {
        FlushWorker worker = FlushWorker.builder(aggregator, store).build();
        aggregator.record("cpu", 1);
        aggregator.record("cpu", 2);

        FlushResult r = worker.flushNow().get(10, TimeUnit.SECONDS);

        assertThat(r.succeeded()).isTrue();
        assertThat(r.aggregates()).isEqualTo(1);
        assertThat(storedCount("cpu")).isEqualTo(2);
        assertThat(worker.flushNow().get(10, TimeUnit.SECONDS).aggregates()).as("nothing new").isZero();
        worker.close(Duration.ofSeconds(5));
    }

    @Test
    void flush_storeDownThenBack_keepsDataAndReportsOneStateChangePerOutage() throws Exception {
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        FlushWorker worker = FlushWorker.builder(aggregator, store)
                .listener(new FlushListener() {
                    @Override
                    public void onStateChange(boolean healthy, FlushResult result) {
                        changes.add(healthy);
                    }
                }).build();
        store.down.set(true);
        aggregator.record("cpu", 1);
        for (int i = 0; i < 3; i++) {
            assertThat(worker.flushNow().get(10, TimeUnit.SECONDS).succeeded()).isFalse();
            aggregator.record("cpu", 1);
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(worker.isHealthy()).isFalse();
        assertThat(worker.counters().consecutiveFailures()).isEqualTo(3);
        assertThat(storedCount("cpu")).isZero();

        store.down.set(false);
        assertThat(worker.flushNow().get(10, TimeUnit.SECONDS).succeeded()).isTrue();

        assertThat(storedCount("cpu")).isEqualTo(4);
        assertThat(changes).containsExactly(false, true);
        assertThat(worker.counters().lastError()).hasValueSatisfying(m -> assertThat(m).contains("down"));
        worker.close(Duration.ofSeconds(5));
    }

    @Test
    void start_scheduledFlushes_retryUntilTheStoreRecovers() throws Exception {
        FlushWorker worker = FlushWorker.builder(aggregator, store).interval(Duration.ofMillis(20))
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).build();
        store.down.set(true);
        aggregator.record("cpu", 5);
        worker.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (worker.counters().failures() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(worker.counters().failures()).isGreaterThanOrEqualTo(3);
        store.down.set(false);
        while (storedCount("cpu") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        assertThat(storedCount("cpu")).isEqualTo(1);
        worker.close(Duration.ofSeconds(5));
    }

    @Test
    void close_finalFlush_writesWhatIsLeft() {
        FlushWorker worker = FlushWorker.builder(aggregator, store).build();
        worker.start();
        for (int i = 0; i < 10; i++) {
            aggregator.record("mem", i);
        }

        FlushResult last = worker.close(Duration.ofSeconds(10));

        assertThat(last.succeeded()).isTrue();
        assertThat(last.aggregates()).isEqualTo(1);
        assertThat(storedCount("mem")).isEqualTo(10);
    }

    @Test
    void close_storeDownPastTheDeadline_reportsTheFailure() {
        FlushWorker worker = FlushWorker.builder(aggregator, store)
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).build();
        store.down.set(true);
        aggregator.record("mem", 1);

        FlushResult last = worker.close(Duration.ofMillis(300));

        assertThat(last.succeeded()).isFalse();
        assertThat(last.error().kind()).isEqualTo(StoreException.Kind.UNAVAILABLE);
    }

    @Test
    void flush_storeNeverAnswers_timesOutAndKeepsTheData() throws Exception {
        FlushWorker worker = FlushWorker.builder(aggregator, store).writeTimeout(Duration.ofMillis(50)).build();
        store.hang = true;
        aggregator.record("cpu", 3);

        FlushResult r = worker.flushNow().get(10, TimeUnit.SECONDS);
        store.hang = false;
        FlushResult retry = worker.flushNow().get(10, TimeUnit.SECONDS);

        assertThat(r.error().kind()).isEqualTo(StoreException.Kind.TIMEOUT);
        assertThat(retry.succeeded()).isTrue();
        assertThat(storedCount("cpu")).isEqualTo(1);
        worker.close(Duration.ofSeconds(5));
    }

    @Test
    void backoff_growsExponentiallyUpToTheCap() {
        FlushWorker worker = FlushWorker.builder(aggregator, store)
                .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();

        for (int i = 0; i < 50; i++) {
            assertThat(worker.backoff(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(100));
            assertThat(worker.backoff(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(worker.backoff(30)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        }
        worker.close(Duration.ofSeconds(1));
    }
}
