package dev.metricsservice.core.store;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Stats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Merges stored items (one per writer and amendment) into one row per (series, window), keeps the
 * query's range and, per series, the windows of its first {@code limit} steps in the query's
 * order: what a backend answers {@link MetricStore#query} with.
 *
 * <pre>{@code
 * WindowMerger merger = new WindowMerger();
 * for (Item item : page) merger.add(item.series(), item.type(), item.windowStart(), item.stats());
 * List<SeriesWindow> rows = merger.result(query);
 * }</pre>
 *
 * <p>Not thread-safe: one instance per query.
 */
public final class WindowMerger {

    private record Series(MetricType type, TreeMap<Long, Stats> windows) {
    }

    private final Map<SeriesKey, Series> bySeries = new HashMap<>();

    /** Creates an empty instance. */
    public WindowMerger() {
    }

    /**
     * Adds one aggregate; aggregates of the same series and window are merged with
     * {@link Stats#merge}. The type of a series is the one of its newest window.
     */
    public WindowMerger add(SeriesKey series, MetricType type, long windowStartEpochSecond, Stats stats) {
        if (stats.isEmpty()) {
            return this;
        }
        Series s = bySeries.get(series);
        if (s == null) {
            s = new Series(type, new TreeMap<>());
            bySeries.put(series, s);
        } else if (s.type != type && windowStartEpochSecond > s.windows.lastKey()) {
            s = new Series(type, s.windows);
            bySeries.put(series, s);
        }
        s.windows.merge(windowStartEpochSecond, stats, Stats::merge);
        return this;
    }

    /**
     * The merged rows inside the query's range; per series those of its first {@code limit}
     * steps in the query's order (which holds every row any group's first {@code limit} steps
     * need), each series' rows in that order.
     */
    public List<SeriesWindow> result(MetricQuery query) {
        List<SeriesWindow> rows = new ArrayList<>();
        for (Map.Entry<SeriesKey, Series> e : bySeries.entrySet()) {
            NavigableMap<Long, Stats> range = e.getValue().windows
                    .subMap(query.fromEpochSecond(), true, query.toEpochSecond(), false);
            if (query.order() == MetricQuery.Order.NEWEST_FIRST) {
                range = range.descendingMap();
            }
            int steps = 0;
            long step = 0;
            for (Map.Entry<Long, Stats> w : range.entrySet()) {
                long s = query.stepStart(w.getKey());
                if (steps == 0 || s != step) {
                    if (steps == query.limit()) {
                        break;
                    }
                    steps++;
                    step = s;
                }
                rows.add(new SeriesWindow(e.getKey(), e.getValue().type, w.getKey(), w.getValue()));
            }
        }
        return rows;
    }
}
