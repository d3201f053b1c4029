package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.store.StoreException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Capped exponential backoff with jitter, and a retry loop for single SDK calls.
 *
 * <p>The SDK's own retries are switched off so that every retry decision (which errors, how long
 * to wait, when to give up) is made here, in one place, and is covered by the stubbed-client tests.
 *
 * <p>Thread-safe; all waiting happens on the scheduler, never on a caller's thread.
 */
final class Retrier {

    private final ScheduledExecutorService scheduler;
    private final long baseDelayNanos;
    private final long maxDelayNanos;
    private final int maxAttempts;

    Retrier(ScheduledExecutorService scheduler, Duration baseDelay, Duration maxDelay, int maxAttempts) {
        this.scheduler = scheduler;
        this.baseDelayNanos = baseDelay.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.maxAttempts = maxAttempts;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Delay before retry number {@code retry} (0 for the first retry): "equal jitter", half of the
     * capped exponential step fixed and half random. The fixed half guarantees the wait grows;
     * the random half keeps many clients that failed together from retrying together.
     */
    long delayNanos(int retry) {
        long step = retry >= 62 ? maxDelayNanos : Math.min(maxDelayNanos, baseDelayNanos << Math.min(retry, 40));
        if (step <= 0) {
            step = maxDelayNanos;
        }
        long half = step / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    /** Runs {@code task} after {@code delayNanos} on the scheduler. */
    void schedule(Runnable task, long delayNanos) {
        scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Calls {@code call} until it succeeds, fails with a non-retryable error, runs out of attempts,
     * or would retry past {@code deadlineNanos} ({@link System#nanoTime()} scale).
     *
     * @param mapper turns raw failures into store exceptions; its kind decides about retrying
     */
    <T> CompletableFuture<T> call(String action, Supplier<CompletableFuture<T>> call, ErrorMapper mapper,
                                  long deadlineNanos) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(action, call, mapper, deadlineNanos, 0, result);
        return result;
    }

    private <T> void attempt(String action, Supplier<CompletableFuture<T>> call, ErrorMapper mapper,
                             long deadlineNanos, int attempt, CompletableFuture<T> result) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            StoreException se = mapper.map(action, error);
            if (!se.isRetryable()) {
                result.completeExceptionally(se);
                return;
            }
            if (attempt + 1 >= maxAttempts) {
                result.completeExceptionally(new StoreException(se.kind(),
                        se.getMessage() + " (gave up after " + (attempt + 1) + " attempts)", se.getCause()));
                return;
            }
            long delay = delayNanos(attempt);
            if (System.nanoTime() + delay - deadlineNanos > 0) {
                result.completeExceptionally(new StoreException(StoreException.Kind.TIMEOUT,
                        se.getMessage() + " (no time left for another attempt within the operation timeout)",
                        se.getCause()));
                return;
            }
            try {
                schedule(() -> attempt(action, call, mapper, deadlineNanos, attempt + 1, result), delay);
            } catch (RuntimeException rejected) {
                // The scheduler only refuses work after the store was closed.
                result.completeExceptionally(new StoreException(StoreException.Kind.CLOSED,
                        "the DynamoDB store was closed while " + action + " was being retried", se));
            }
        });
    }
}
