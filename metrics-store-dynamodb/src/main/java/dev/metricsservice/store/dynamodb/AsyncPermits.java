package dev.metricsservice.store.dynamodb;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A non-blocking counting semaphore for asynchronous tasks: at most {@code permits} tasks run at
 * once, the rest wait in a FIFO queue and are started by whichever task finishes. Nobody ever
 * blocks a thread waiting for a permit, so callers may be event loops.
 *
 * <p>Thread-safe. Invariant: {@code running} counts started, unfinished tasks plus permits being
 * handed over; it never exceeds {@code permits}.
 */
final class AsyncPermits {

    private final int permits;
    private final AtomicInteger running = new AtomicInteger();
    private final Queue<Supplier<? extends CompletableFuture<?>>> waiting = new ConcurrentLinkedQueue<>();

    AsyncPermits(int permits) {
        this.permits = permits;
    }

    /** Starts {@code task} now or when a permit frees up; the permit is held until its future completes. */
    void submit(Supplier<? extends CompletableFuture<?>> task) {
        waiting.add(task);
        drain();
    }

    /** Tasks running now (for tests and diagnostics). */
    int running() {
        return running.get();
    }

    private void drain() {
        while (!waiting.isEmpty()) {
            int now = running.get();
            if (now >= permits) {
                // A finishing task re-checks the queue after releasing, so this task is not stranded.
                return;
            }
            if (!running.compareAndSet(now, now + 1)) {
                continue;
            }
            Supplier<? extends CompletableFuture<?>> task = waiting.poll();
            if (task == null) {
                running.decrementAndGet();
                continue;
            }
            CompletableFuture<?> f;
            try {
                f = task.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            if (f.isDone()) {
                // Finished already (typically a write that failed before sending): release here
                // instead of recursing through whenComplete, which could nest once per queued task.
                running.decrementAndGet();
                continue;
            }
            f.whenComplete((v, e) -> {
                running.decrementAndGet();
                drain();
            });
        }
    }
}
