package dev.metricsservice.core.flush;

import java.util.Optional;

/**
 * A point-in-time reading of a {@link FlushWorker}'s activity counters.
 *
 * <pre>{@code
 * FlushCounters c = worker.counters();
 * c.lastError().ifPresent(message -> log.warn("last flush failed: {}", message));
 * }</pre>
 *
 * @param flushes                attempts so far
 * @param failures               failed attempts
 * @param aggregatesWritten      aggregates the store accepted (rewrites of open windows included)
 * @param consecutiveFailures    failures since the last success
 * @param healthy                false while the latest attempt failed
 * @param lastError              message of the latest failure, if any
 * @param lastSuccessEpochMillis wall time of the latest success, 0 if none
 */
public record FlushCounters(long flushes, long failures, long aggregatesWritten, int consecutiveFailures,
                            boolean healthy, Optional<String> lastError, long lastSuccessEpochMillis) {
}
