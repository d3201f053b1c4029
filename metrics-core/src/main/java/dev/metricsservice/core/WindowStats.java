package dev.metricsservice.core;

import java.util.Objects;

/**
 * The merged aggregate of one metric over one window, across every writer: what a query returns.
 *
 * <pre>{@code
 * List<WindowStats> rows = store.query(MetricQuery.latest("cpu", 20)).join();
 * rows.get(0).stats().mean();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param windowStartEpochSecond start of the window, seconds since the epoch
 * @param stats                  merged count, sum, min and max
 */
public record WindowStats(long windowStartEpochSecond, Stats stats) {

    public WindowStats {
        Objects.requireNonNull(stats, "stats");
    }
}
