package dev.metricsservice.core.store;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.TagFilter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which series to list: those of metric {@code name} (every metric when empty) whose tags match
 * all {@code filters} and that hold data in {@code [fromEpochSecond, toEpochSecond)}, in
 * {@link SeriesKey} order, strictly after {@code after} (the cursor of a previous page), at most
 * {@code limit}.
 *
 * <pre>{@code
 * var q = new SeriesListQuery(Optional.of("cpu"), List.of(), now - 86_400, now + 1, 100, Optional.empty());
 * }</pre>
 *
 * @param name            the metric name, or empty for all metrics
 * @param filters         tag conditions, all of which a series must meet
 * @param fromEpochSecond inclusive lower bound on the window starts that count
 * @param toEpochSecond   exclusive upper bound
 * @param limit           largest number of series returned, at least 1
 * @param after           list only series after this one
 */
public record SeriesListQuery(Optional<String> name, List<TagFilter> filters, long fromEpochSecond,
                              long toEpochSecond, int limit, Optional<SeriesKey> after) {

    public SeriesListQuery {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(after, "after");
        filters = List.copyOf(filters);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (fromEpochSecond > toEpochSecond) {
            throw new IllegalArgumentException(
                    "from (" + fromEpochSecond + ") must not be after to (" + toEpochSecond + ")");
        }
    }

    /** True when {@code series} is listed by this query (apart from the time range). */
    public boolean matches(SeriesKey series) {
        return (name.isEmpty() || name.get().equals(series.name()))
                && TagFilter.allMatch(filters, series.tags())
                && (after.isEmpty() || series.compareTo(after.get()) > 0);
    }

    /** This query asking for {@code n} series. */
    public SeriesListQuery withLimit(int n) {
        return new SeriesListQuery(name, filters, fromEpochSecond, toEpochSecond, n, after);
    }
}
