package dev.metricsservice.core.store;

import dev.metricsservice.core.SeriesKey;
import java.util.Objects;

/**
 * What to read back for one series: the windows whose start lies in
 * {@code [fromEpochSecond, toEpochSecond)}, merged across writers, ordered and limited.
 *
 * <pre>{@code
 * // the 20 newest windows of "cpu", as the seed service answered
 * MetricQuery q = MetricQuery.latest("cpu", 20);
 * // one hour, oldest first
 * MetricQuery h = new MetricQuery(SeriesKey.of("cpu"), t0, t0 + 3600, 1000, MetricQuery.Order.OLDEST_FIRST);
 * }</pre>
 *
 * <p>The limit is applied after merging, so it counts windows, not stored items. Immutable.
 *
 * @param series          the series
 * @param fromEpochSecond inclusive lower bound on the window start
 * @param toEpochSecond   exclusive upper bound on the window start
 * @param limit           largest number of windows returned, at least 1
 * @param order           which end of the range to return first
 */
public record MetricQuery(SeriesKey series, long fromEpochSecond, long toEpochSecond, int limit, Order order) {

    /** Result ordering by window start. */
    public enum Order {
        /** Newest window first (the default, as the seed service answered). */
        NEWEST_FIRST,
        /** Oldest window first. */
        OLDEST_FIRST
    }

    public MetricQuery {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(order, "order");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (fromEpochSecond > toEpochSecond) {
            throw new IllegalArgumentException(
                    "from (" + fromEpochSecond + ") must not be after to (" + toEpochSecond + ")");
        }
    }

    /** The newest {@code limit} windows of a series over all time. */
    public static MetricQuery latest(SeriesKey series, int limit) {
        return new MetricQuery(series, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, limit, Order.NEWEST_FIRST);
    }

    /** The newest {@code limit} windows of metric {@code name} over all time. */
    public static MetricQuery latest(String name, int limit) {
        return latest(SeriesKey.of(name), limit);
    }

    /** True when a window starting at {@code windowStartEpochSecond} lies in the range. */
    public boolean covers(long windowStartEpochSecond) {
        return windowStartEpochSecond >= fromEpochSecond && windowStartEpochSecond < toEpochSecond;
    }
}
