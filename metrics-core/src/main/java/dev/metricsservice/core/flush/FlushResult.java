package dev.metricsservice.core.flush;

import dev.metricsservice.core.store.StoreException;

/**
 * The outcome of one flush attempt.
 *
 * @param aggregates     aggregates offered to the store
 * @param finalWindows   how many of them were final (closed windows)
 * @param durationNanos  time from collect to the store's answer
 * @param attempt        1 for a scheduled flush, 2.. for retries after failures in a row
 * @param error          null on success, otherwise why the store refused
 */
public record FlushResult(int aggregates, int finalWindows, long durationNanos, int attempt, StoreException error) {

    /** True when the store accepted every aggregate. */
    public boolean succeeded() {
        return error == null;
    }
}
