package dev.metricsservice.core.store;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Stats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * <p>Items are kept per series in arrival order and sorted once at the end (stores deliver them
 * in key order, forwards or backwards, which costs the sort one comparison per item), then
 * neighbours of the same window are merged with {@link Stats#merge}, in arrival order. Not thread-safe: one
 * instance per query.
 */
public final class WindowMerger {

    /** One series' items in arrival order, as parallel arrays (no object per item). */
    private static final class Series {
        MetricType type;
        long typeWindow = Long.MIN_VALUE;
        long[] windows = new long[32];
        Stats[] stats = new Stats[32];
        int size;

        void add(long window, Stats s) {
            if (size == windows.length) {
                windows = java.util.Arrays.copyOf(windows, size * 2);
                stats = java.util.Arrays.copyOf(stats, size * 2);
            }
            windows[size] = window;
            stats[size] = s;
            size++;
        }

        /**
         * Stable insertion sort into the query's order. Stores deliver a series in key order
         * (forwards or backwards), which costs one comparison per item here.
         */
        void sort(boolean newestFirst) {
            if (inOrder(!newestFirst)) {
                // Delivered in the opposite order (an ascending scan for a newest-first query):
                // reverse, then restore arrival order inside each window, in linear time.
                reverse(0, size);
                for (int start = 0; start < size; ) {
                    int end = start + 1;
                    while (end < size && windows[end] == windows[start]) {
                        end++;
                    }
                    reverse(start, end);
                    start = end;
                }
                return;
            }
            for (int i = 1; i < size; i++) {
                long w = windows[i];
                Stats st = stats[i];
                int j = i - 1;
                while (j >= 0 && (newestFirst ? windows[j] < w : windows[j] > w)) {
                    windows[j + 1] = windows[j];
                    stats[j + 1] = stats[j];
                    j--;
                }
                windows[j + 1] = w;
                stats[j + 1] = st;
            }
        }

        /** True when the windows never decrease ({@code newestFirst} false) or never increase. */
        private boolean inOrder(boolean newestFirst) {
            for (int i = 1; i < size; i++) {
                if (newestFirst ? windows[i] > windows[i - 1] : windows[i] < windows[i - 1]) {
                    return false;
                }
            }
            return true;
        }

        private void reverse(int from, int to) {
            for (int i = from, j = to - 1; i < j; i++, j--) {
                long w = windows[i];
                windows[i] = windows[j];
                windows[j] = w;
                Stats t = stats[i];
                stats[i] = stats[j];
                stats[j] = t;
            }
        }
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
            s = new Series();
            bySeries.put(series, s);
        }
        if (s.type == null || windowStartEpochSecond > s.typeWindow) {
            s.type = type;
            s.typeWindow = windowStartEpochSecond;
        }
        s.add(windowStartEpochSecond, stats);
        return this;
    }

    /**
     * The merged rows inside the query's range; per series those of its first {@code limit}
     * steps in the query's order (which holds every row any group's first {@code limit} steps
     * need), each series' rows in that order.
     */
    public List<SeriesWindow> result(MetricQuery query) {
        int total = 0;
        for (Series series : bySeries.values()) {
            total += series.size;
        }
        List<SeriesWindow> rows = new ArrayList<>(total);
        boolean newestFirst = query.order() == MetricQuery.Order.NEWEST_FIRST;
        for (Map.Entry<SeriesKey, Series> e : bySeries.entrySet()) {
            Series series = e.getValue();
            series.sort(newestFirst);
            MetricType type = series.type;
            int steps = 0;
            long step = 0;
            long window = 0;
            Stats acc = null;
            for (int i = 0; i < series.size; i++) {
                long w = series.windows[i];
                if (!query.covers(w)) {
                    continue;
                }
                if (acc != null && w == window) {
                    acc = acc.merge(series.stats[i]);
                    continue;
                }
                if (acc != null) {
                    rows.add(new SeriesWindow(e.getKey(), type, window, acc));
                    acc = null;
                }
                long s = query.stepStart(w);
                if (steps == 0 || s != step) {
                    if (steps == query.limit()) {
                        break;
                    }
                    steps++;
                    step = s;
                }
                window = w;
                acc = series.stats[i];
            }
            if (acc != null) {
                rows.add(new SeriesWindow(e.getKey(), type, window, acc));
            }
        }
        return rows;
    }
}
