package dev.metricsservice.core;

import java.util.Objects;

/**
 * One writer's aggregate of one metric over one time window: the unit a {@code MetricStore}
 * persists.
 *
 * <pre>{@code
 * var a = new WindowAggregate("cpu", 1_764_000_000L, "w-3f9a", Stats.of(42.5));
 * store.write(List.of(a));
 * }</pre>
 *
 * <p>Identity is ({@code name}, {@code windowStartEpochSecond}, {@code writerId}): writing the
 * same identity again replaces the earlier value, which is what makes retries harmless. Several
 * writers (service instances) may hold aggregates of the same name and window; a query merges
 * them with {@link Stats#merge}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name                   metric name (see {@link MetricNames} for the rules)
 * @param windowStartEpochSecond start of the window, seconds since the epoch, aligned to the
 *                               window width
 * @param writerId               stable id of the aggregator instance that produced the value
 * @param stats                  the aggregate; never empty
 */
public record WindowAggregate(String name, long windowStartEpochSecond, String writerId, Stats stats) {

    public WindowAggregate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(writerId, "writerId");
        Objects.requireNonNull(stats, "stats");
        if (stats.isEmpty()) {
            throw new IllegalArgumentException("a window aggregate must hold at least one sample");
        }
    }
}
