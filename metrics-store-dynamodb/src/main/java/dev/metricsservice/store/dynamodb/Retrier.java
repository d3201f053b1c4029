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

    /** How much later than the SDK's own call timeout our guard fires, so the SDK's clearer error wins. */
    private static final long GUARD_GRACE_MILLIS = 500;

    private final ScheduledExecutorService scheduler;
    private final long baseDelayNanos;
    private final long maxDelayNanos;
    private final int maxAttempts;
    private final long guardMillis;

    /**
     * @param callTimeout the SDK's per-call timeout; each attempt is also bounded by our own guard
     *                    a little later, so that no call can hang an operation even if the SDK's
     *                    timer never starts (it is armed only once the request is under way)
     */
    Retrier(ScheduledExecutorService scheduler, Duration baseDelay, Duration maxDelay, int maxAttempts,
            Duration callTimeout) {
        this.scheduler = scheduler;
        this.guardMillis = callTimeout.toMillis() + GUARD_GRACE_MILLIS;
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
        // base << retry, compared without shifting past the cap (which could overflow).
        long step = retry < 62 && baseDelayNanos <= (maxDelayNanos >> retry) ? baseDelayNanos << retry : maxDelayNanos;
        long half = step / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    /**
     * A view of an SDK call's future that also fails with a {@link java.util.concurrent.TimeoutException}
     * after the guard time. A copy is guarded, not the SDK's own future.
     */
    <T> CompletableFuture<T> guarded(CompletableFuture<T> call) {
        return call.copy().orTimeout(guardMillis, TimeUnit.MILLISECONDS);
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
        attempt(action, call, mapper, deadlineNanos, 0, null, result);
        return result;
    }

    private <T> void attempt(String action, Supplier<CompletableFuture<T>> call, ErrorMapper mapper,
                             long deadlineNanos, int attempt, StoreException firstError, CompletableFuture<T> result) {
        CompletableFuture<T> f;
        try {
            f = guarded(call.get());
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
            StoreException first = firstError != null ? firstError : se;
            // When attempts failed differently (refused, then timed out), both causes help the reader.
            String earlier = first != se && first.kind() != se.kind() ? "; the first attempt failed with: "
                    + first.getMessage() : "";
            if (attempt + 1 >= maxAttempts) {
                result.completeExceptionally(new StoreException(se.kind(),
                        se.getMessage() + " (gave up after " + (attempt + 1) + " attempts" + earlier + ")", se.getCause()));
                return;
            }
            long delay = delayNanos(attempt);
            if (System.nanoTime() + delay - deadlineNanos > 0) {
                result.completeExceptionally(new StoreException(StoreException.Kind.TIMEOUT,
                        se.getMessage() + " (no time left for another attempt within the operation timeout"
                                + earlier + ")", se.getCause()));
                return;
            }
            try {
                schedule(() -> attempt(action, call, mapper, deadlineNanos, attempt + 1, first, result), delay);
            } catch (RuntimeException rejected) {
                // The scheduler only refuses work after the store was closed.
                result.completeExceptionally(new StoreException(StoreException.Kind.CLOSED,
                        "the DynamoDB store was closed while " + action + " was being retried", se));
            }
        });
    }
}
