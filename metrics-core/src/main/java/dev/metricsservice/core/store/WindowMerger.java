package dev.metricsservice.core.store;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges per-writer (or per-source) aggregates into one row per window and applies a query's
 * range, order and limit. Backends use it to answer {@link MetricStore#query}; the HTTP layer
 * uses it to merge stored rows with the aggregator's in-memory rows.
 *
 * <pre>{@code
 * WindowMerger merger = new WindowMerger();
 * for (Item item : page) merger.add(item.windowStart(), item.stats());
 * List<WindowStats> rows = merger.result(query);
 * }</pre>
 *
 * <p>Not thread-safe: one instance per query.
 */
public final class WindowMerger {

    /** Creates an empty instance. */
    public WindowMerger() {
    }

    private final TreeMap<Long, Stats> byWindow = new TreeMap<>();

    /** Adds one aggregate; aggregates of the same window are merged with {@link Stats#merge}. */
    public WindowMerger add(long windowStartEpochSecond, Stats stats) {
        if (!stats.isEmpty()) {
            byWindow.merge(windowStartEpochSecond, stats, Stats::merge);
        }
        return this;
    }

    /** Adds every row of an earlier result. */
    public WindowMerger addAll(List<WindowStats> rows) {
        for (WindowStats row : rows) {
            add(row.windowStartEpochSecond(), row.stats());
        }
        return this;
    }

    /** The merged rows inside the query's range, in its order, at most its limit. */
    public List<WindowStats> result(MetricQuery query) {
        var range = byWindow.subMap(query.fromEpochSecond(), true, query.toEpochSecond(), false);
        var ordered = query.order() == MetricQuery.Order.NEWEST_FIRST ? range.descendingMap() : range;
        List<WindowStats> rows = new ArrayList<>(Math.min(query.limit(), ordered.size()));
        for (Map.Entry<Long, Stats> e : ordered.entrySet()) {
            if (rows.size() == query.limit()) {
                break;
            }
            rows.add(new WindowStats(e.getKey(), e.getValue()));
        }
        return rows;
    }
}
