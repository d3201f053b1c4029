package dev.metricsservice.core;

import java.util.Objects;

/**
 * One writer's aggregate of one series over one time window (or one amendment of it): the unit
 * a {@code MetricStore} persists.
 *
 * <pre>{@code
 * var a = new WindowAggregate(SeriesKey.of("cpu"), 1_764_000_000L, "w-3f9a", 0, Stats.of(42.5));
 * store.write(List.of(a));
 * }</pre>
 *
 * <p>Identity is ({@code series}, {@code windowStartEpochSecond}, {@code writerId},
 * {@code amendment}): writing the same identity again replaces the earlier value, which is what
 * makes retries harmless. Amendment 0 is the window as the writer saw it until the window became
 * final; a positive amendment holds samples that arrived later. Aggregates of one series and
 * window from several writers and amendments hold disjoint samples; a query merges them with
 * {@link Stats#merge}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param series                 the series
 * @param windowStartEpochSecond start of the window, seconds since the epoch, aligned to the
 *                               window width
 * @param writerId               stable id of the aggregator instance that produced the value
 * @param amendment              0 for the window itself, a positive number (increasing over a
 *                               writer's life) for samples recorded after the window was final
 * @param stats                  the aggregate; never empty
 * @param type                   the series' type
 */
public record WindowAggregate(SeriesKey series, long windowStartEpochSecond, String writerId, long amendment,
                              Stats stats, MetricType type) {

    public WindowAggregate {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(writerId, "writerId");
        Objects.requireNonNull(stats, "stats");
        if (stats.isEmpty()) {
            throw new IllegalArgumentException("a window aggregate must hold at least one sample");
        }
        if (amendment < 0) {
            throw new IllegalArgumentException("amendment must not be negative, was " + amendment);
        }
    }

    /** A summary's aggregate. */
    public WindowAggregate(SeriesKey series, long windowStartEpochSecond, String writerId, long amendment,
                           Stats stats) {
        this(series, windowStartEpochSecond, writerId, amendment, stats, MetricType.SUMMARY);
    }

    /** A summary's aggregate of the window itself (amendment 0). */
    public WindowAggregate(SeriesKey series, long windowStartEpochSecond, String writerId, Stats stats) {
        this(series, windowStartEpochSecond, writerId, 0, stats, MetricType.SUMMARY);
    }
}
