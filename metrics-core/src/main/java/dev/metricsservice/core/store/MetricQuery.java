package dev.metricsservice.core.store;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.TagFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to read back for one metric: the windows whose start lies in
 * {@code [fromEpochSecond, toEpochSecond)} of every series of {@code name} whose tags match all
 * {@code filters}, merged across writers (and across series, per group of {@code groupBy} tags),
 * merged into steps of {@code stepSeconds}, ordered and limited.
 *
 * <pre>{@code
 * // the 20 newest windows of "cpu", as the seed service answered (all its series merged)
 * MetricQuery q = MetricQuery.latest("cpu", 20);
 * // one hour in minutes, per region, of the hosts in eu-west
 * MetricQuery h = new MetricQuery(SeriesKey.of("cpu"), t0, t0 + 3600, 60, MetricQuery.Order.OLDEST_FIRST)
 *         .where("zone", "eu-west").groupBy(List.of("region")).step(60);
 * }</pre>
 *
 * <p>The limit is applied after merging, per group, so it counts windows (or steps), not stored
 * items. Immutable.
 *
 * @param name            the metric name
 * @param filters         tag conditions, all of which a series must meet; empty for every series
 * @param groupBy         tag keys to group by; empty to merge all matching series
 * @param stepSeconds     0 to keep windows as they are; otherwise windows are merged into
 *                        epoch-aligned steps of this many seconds (a multiple of the window width)
 * @param fromEpochSecond inclusive lower bound on the window start
 * @param toEpochSecond   exclusive upper bound on the window start
 * @param limit           largest number of windows (or steps) per group, at least 1
 * @param order           which end of the range to return first
 */
public record MetricQuery(String name, List<TagFilter> filters, List<String> groupBy, long stepSeconds,
                          long fromEpochSecond, long toEpochSecond, int limit, Order order) {

    /** Result ordering by window start. */
    public enum Order {
        /** Newest window first (the default, as the seed service answered). */
        NEWEST_FIRST,
        /** Oldest window first. */
        OLDEST_FIRST
    }

    public MetricQuery {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(order, "order");
        filters = List.copyOf(filters);
        groupBy = List.copyOf(groupBy);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (stepSeconds < 0) {
            throw new IllegalArgumentException("step must not be negative, was " + stepSeconds);
        }
        if (fromEpochSecond > toEpochSecond) {
            throw new IllegalArgumentException(
                    "from (" + fromEpochSecond + ") must not be after to (" + toEpochSecond + ")");
        }
    }

    /**
     * The windows of the series of {@code series.name()} whose tags include all of
     * {@code series.tags()} (for an untagged key: every series of the name), merged.
     */
    public MetricQuery(SeriesKey series, long fromEpochSecond, long toEpochSecond, int limit, Order order) {
        this(series.name(), filtersOf(series), List.of(), 0, fromEpochSecond, toEpochSecond, limit, order);
    }

    private static List<TagFilter> filtersOf(SeriesKey series) {
        List<TagFilter> f = new ArrayList<>(series.tags().size());
        for (int i = 0; i < series.tags().size(); i++) {
            f.add(new TagFilter(series.tags().key(i), series.tags().value(i)));
        }
        return f;
    }

    /** The newest {@code limit} windows of a series over all time. */
    public static MetricQuery latest(SeriesKey series, int limit) {
        return new MetricQuery(series, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, limit, Order.NEWEST_FIRST);
    }

    /** The newest {@code limit} windows of metric {@code name} (all its series merged) over all time. */
    public static MetricQuery latest(String name, int limit) {
        return latest(SeriesKey.of(name), limit);
    }

    /** This query with one more tag condition. */
    public MetricQuery where(String key, String value) {
        List<TagFilter> f = new ArrayList<>(filters);
        f.add(new TagFilter(key, value));
        return new MetricQuery(name, f, groupBy, stepSeconds, fromEpochSecond, toEpochSecond, limit, order);
    }

    /** This query grouped by {@code keys}. */
    public MetricQuery groupBy(List<String> keys) {
        return new MetricQuery(name, filters, keys, stepSeconds, fromEpochSecond, toEpochSecond, limit, order);
    }

    /** This query with windows merged into steps of {@code seconds} (0 for none). */
    public MetricQuery step(long seconds) {
        return new MetricQuery(name, filters, groupBy, seconds, fromEpochSecond, toEpochSecond, limit, order);
    }

    /** True when a window starting at {@code windowStartEpochSecond} lies in the range. */
    public boolean covers(long windowStartEpochSecond) {
        return windowStartEpochSecond >= fromEpochSecond && windowStartEpochSecond < toEpochSecond;
    }

    /** True when the query reads series {@code series}. */
    public boolean matches(SeriesKey series) {
        return series.name().equals(name) && TagFilter.allMatch(filters, series.tags());
    }

    /** The start of the step a window starting at {@code windowStartEpochSecond} is merged into. */
    public long stepStart(long windowStartEpochSecond) {
        return stepSeconds == 0 ? windowStartEpochSecond : Math.floorDiv(windowStartEpochSecond, stepSeconds) * stepSeconds;
    }
}
