package dev.metricsservice.core.flush;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.StoreException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves data from an {@link Aggregator} to a {@link MetricStore}: collects every interval, writes,
 * and confirms to the aggregator only what the store accepted.
 *
 * <pre>{@code
 * FlushWorker worker = FlushWorker.builder(aggregator, store)
 *         .interval(Duration.ofSeconds(10))
 *         .listener(myListener)
 *         .build();
 * worker.start();
 * ...
 * worker.close(Duration.ofSeconds(30));   // final flush, retried until it succeeds or time runs out
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Never two flushes at once: one thread runs them in turn, and a flush ends only when the
 *       store has answered (or its timeout expired).</li>
 *   <li>A failed write loses nothing: the batch is not committed, and the retry's collect offers
 *       the same data merged with anything newer. Retries follow capped exponential backoff with
 *       jitter, between {@code retryMin} and {@code retryMax}.</li>
 *   <li>Memory stays bounded while the store is down: the aggregator refuses new samples as
 *       overloaded once its pending limit is reached.</li>
 * </ul>
 * Thread-safe.
 */
public final class FlushWorker implements AutoCloseable {

    private final Aggregator aggregator;
    private final Supplier<CollectedBatch> collector;
    private final MetricStore store;
    private final Duration interval;
    private final Duration retryMin;
    private final Duration retryMax;
    private final Duration writeTimeout;
    private final FlushListener listener;
    private final ScheduledExecutorService executor;

    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong aggregatesWritten = new AtomicLong();
    private volatile int consecutiveFailures;
    private volatile boolean healthy = true;
    private volatile StoreException lastError;
    private volatile long lastSuccessEpochMillis;
    private ScheduledFuture<?> next;
    private boolean started;
    private boolean closed;

    private FlushWorker(Builder b) {
        this.aggregator = b.aggregator;
        this.collector = b.collector != null ? b.collector : b.aggregator::collect;
        this.store = b.store;
        this.interval = b.interval;
        this.retryMin = b.retryMin;
        this.retryMax = b.retryMax;
        this.writeTimeout = b.writeTimeout;
        this.listener = b.listener;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-flush");
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder; interval defaults to 10 s, retries to 100 ms .. 5 s, write timeout to 30 s. */
    public static Builder builder(Aggregator aggregator, MetricStore store) {
        return new Builder(aggregator, store);
    }

    /** Starts flushing every interval. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the flush worker is closed");
        }
        if (!started) {
            started = true;
            schedule(interval);
        }
    }

    /**
     * Runs one flush now on the worker's thread (after any flush in progress) and returns its
     * result. Does not retry.
     */
    public CompletableFuture<FlushResult> flushNow() {
        return CompletableFuture.supplyAsync(() -> flushOnce(1), executor);
    }

    private synchronized void schedule(Duration delay) {
        if (!closed) {
            next = executor.schedule(this::scheduledFlush, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void scheduledFlush() {
        FlushResult r = flushOnce(consecutiveFailures + 1);
        schedule(r.succeeded() ? interval : backoff(consecutiveFailures));
    }

    /** Capped exponential backoff with full jitter in [delay/2, delay]. */
    Duration backoff(int failuresInARow) {
        long min = retryMin.toNanos();
        long max = retryMax.toNanos();
        long delay = min << Math.min(20, Math.max(0, failuresInARow - 1));
        if (delay <= 0 || delay > max) {
            delay = max;
        }
        long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        return Duration.ofNanos(Math.max(min, jittered));
    }

    private FlushResult flushOnce(int attempt) {
        long start = System.nanoTime();
        CollectedBatch batch;
        try {
            batch = collector.get();
        } catch (RuntimeException e) {
            FlushResult failed = new FlushResult(0, 0, System.nanoTime() - start, attempt,
                    new StoreException(StoreException.Kind.INTERNAL, "collect failed: " + e.getMessage(), e));
            record(failed);
            return failed;
        }
        StoreException error = null;
        if (!batch.isEmpty()) {
            try {
                store.write(batch.aggregates()).get(writeTimeout.toNanos(), TimeUnit.NANOSECONDS);
                batch.commit();
            } catch (TimeoutException e) {
                error = new StoreException(StoreException.Kind.TIMEOUT,
                        "store write did not finish within " + writeTimeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = new StoreException(StoreException.Kind.INTERNAL, "flush interrupted", e);
            } catch (Exception e) {
                error = StoreException.of(e);
            }
        }
        FlushResult result = new FlushResult(batch.aggregates().size(), batch.finalWindows(),
                System.nanoTime() - start, attempt, error);
        record(result);
        return result;
    }

    private void record(FlushResult result) {
        flushes.incrementAndGet();
        if (result.succeeded()) {
            aggregatesWritten.addAndGet(result.aggregates());
            consecutiveFailures = 0;
            lastSuccessEpochMillis = System.currentTimeMillis();
        } else {
            failures.incrementAndGet();
            consecutiveFailures++;
            lastError = result.error();
        }
        listener.onFlush(result);
        if (result.succeeded() != healthy) {
            healthy = result.succeeded();
            listener.onStateChange(healthy, result);
        }
    }

    /** True unless the latest flush failed. */
    public boolean isHealthy() {
        return healthy;
    }

    /** Counters for status pages. */
    public FlushCounters counters() {
        StoreException error = lastError;
        return new FlushCounters(flushes.get(), failures.get(), aggregatesWritten.get(), consecutiveFailures, healthy,
                error == null ? Optional.empty() : Optional.of(error.getMessage()), lastSuccessEpochMillis);
    }

    /**
     * Stops the schedule and runs a final flush, retrying with backoff until it succeeds and
     * nothing is pending, or the deadline passes.
     *
     * @return on success, the aggregates stored by the whole final flush; otherwise the last failed
     *     attempt ({@link FlushResult#succeeded()} false means data was left unstored)
     */
    public FlushResult close(Duration deadline) {
        synchronized (this) {
            if (closed) {
                return new FlushResult(0, 0, 0, 0, null);
            }
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
        }
        long end = System.nanoTime() + deadline.toNanos();
        try {
            return executor.submit(() -> {
                int attempt = 1;
                int stored = 0;
                int storedFinal = 0;
                long startNanos = System.nanoTime();
                while (true) {
                    FlushResult r = flushOnce(attempt);
                    if (r.succeeded()) {
                        stored += r.aggregates();
                        storedFinal += r.finalWindows();
                    }
                    // Done once a round finds nothing new: open windows stay pending (as stored partials).
                    boolean drained = r.succeeded()
                            && (r.aggregates() == 0 || aggregator.counters().pendingWindows() == 0);
                    if (drained) {
                        // Report the whole final flush, not just its last (empty) round.
                        return new FlushResult(stored, storedFinal, System.nanoTime() - startNanos, attempt, null);
                    }
                    if (!r.succeeded()) {
                        long sleep = Math.min(backoff(attempt).toNanos(), end - System.nanoTime());
                        if (sleep <= 0) {
                            return r;
                        }
                        TimeUnit.NANOSECONDS.sleep(sleep);
                        attempt++;
                    }
                    if (System.nanoTime() > end) {
                        return r;
                    }
                }
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FlushResult(0, 0, 0, 0,
                    new StoreException(StoreException.Kind.INTERNAL, "final flush interrupted", e));
        } catch (Exception e) {
            return new FlushResult(0, 0, 0, 0, StoreException.of(e));
        } finally {
            executor.shutdownNow();
        }
    }

    /** {@link #close(Duration)} with a 30 s deadline. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Configures a {@link FlushWorker}. */
    public static final class Builder {
        private final Aggregator aggregator;
        private final MetricStore store;
        private Supplier<CollectedBatch> collector;
        private Duration interval = Duration.ofSeconds(10);
        private Duration retryMin = Duration.ofMillis(100);
        private Duration retryMax = Duration.ofSeconds(5);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private FlushListener listener = new FlushListener() {
        };

        private Builder(Aggregator aggregator, MetricStore store) {
            this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Time between scheduled flushes, 10 ms to 1 hour. Default 10 s. */
        public Builder interval(Duration interval) {
            this.interval = positive("interval", interval, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /** Smallest and largest pause between retries after a failure. Defaults 100 ms and 5 s. */
        public Builder retryBackoff(Duration min, Duration max) {
            this.retryMin = positive("retry minimum", min, Duration.ofMillis(1), Duration.ofHours(1));
            this.retryMax = positive("retry maximum", max, min, Duration.ofHours(1));
            return this;
        }

        /** How long one store write may take before the attempt counts as failed. Default 30 s. */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive("write timeout", timeout, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /**
         * Where each flush takes its batch from; by default {@code aggregator.collect()}. A
         * {@link dev.metricsservice.core.DurableIngest} collects through its log instead
         * ({@code ingest::collect}); an exception fails that flush like a failed write.
         */
        public Builder collector(Supplier<CollectedBatch> collector) {
            this.collector = Objects.requireNonNull(collector, "collector");
            return this;
        }

        /** Observer of flush outcomes. */
        public Builder listener(FlushListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Builds the worker (not yet started). */
        public FlushWorker build() {
            return new FlushWorker(this);
        }

        private static Duration positive(String what, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, what);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", was " + d);
            }
            return d;
        }
    }
}
