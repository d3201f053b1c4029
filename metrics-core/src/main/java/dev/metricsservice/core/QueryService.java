package dev.metricsservice.core;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.SeriesListQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Answers queries with everything recorded: the store's rows merged with what the aggregator
 * still holds in memory (open windows, windows and amendments not yet stored), by the one merge
 * ({@link Stats#merge}), then grouped by tags, merged into steps, ordered and limited. Every front
 * end asks this service; none merges on its own.
 *
 * <pre>{@code
 * QueryService queries = new QueryService(aggregator, store);
 * queries.query(MetricQuery.latest("cpu", 20).groupBy(List.of("region")))
 *        .thenAccept(result -> render(result.groups()));
 * queries.listSeries(new SeriesListQuery(Optional.of("cpu"), List.of(), from, to, 100, Optional.empty()))
 *        .thenAccept(page -> render(page.series(), page.next()));
 * }</pre>
 *
 * <p>The store read and the memory read are two snapshots. A query that runs while a flush writes
 * and commits may, once, miss the newest part of a window (moved to the store after the store was
 * read) or count it twice (stored before the store read, still uncommitted at the memory read);
 * the next query is exact again.
 *
 * <p>Thread-safe and non-blocking: the store read is asynchronous, and the memory read (brief,
 * under each series' monitor) runs on the thread that completes it.
 */
public final class QueryService {

    /**
     * One page of a series listing.
     *
     * @param series the series, in {@link SeriesKey} order
     * @param next   the cursor for the next page (list after this series), empty on the last page
     */
    public record SeriesPage(List<SeriesInfo> series, Optional<SeriesKey> next) {
        public SeriesPage {
            series = List.copyOf(series);
        }
    }

    private final Aggregator aggregator;
    private final MetricStore store;

    public QueryService(Aggregator aggregator, MetricStore store) {
        this.aggregator = aggregator;
        this.store = store;
    }

    /**
     * The query's groups of windows (or steps), merged across writers, amendments, series, store
     * and memory.
     *
     * @return a future of the result, or failed with the store's
     *     {@link dev.metricsservice.core.store.StoreException}
     */
    public CompletableFuture<QueryResult> query(MetricQuery query) {
        CompletableFuture<List<SeriesWindow>> stored;
        try {
            stored = store.query(query);
        } catch (RuntimeException e) {
            // A store that broke its contract by throwing is treated like a failed read.
            return CompletableFuture.failedFuture(e);
        }
        return stored.thenApply(rows -> group(query, rows, aggregator.unflushed(query)));
    }

    /**
     * {@link #query(MetricQuery)} for a caller that wants {@code quantiles} of the rows
     * ({@link Quantiles#valuesOf}): the same result, or failed with {@link NotADistributionException}
     * when the metric is of another type (a metric with no data has no type and answers no rows).
     */
    public CompletableFuture<QueryResult> query(MetricQuery query, Quantiles quantiles) {
        java.util.Objects.requireNonNull(quantiles, "quantiles");
        java.util.Optional<MetricType> live = aggregator.typeOf(query.name());
        if (live.isPresent() && live.get() != MetricType.DISTRIBUTION) {
            return CompletableFuture.failedFuture(new NotADistributionException(query.name(), live.get()));
        }
        return query(query).thenApply(r -> {
            if (r.type().isPresent() && r.type().get() != MetricType.DISTRIBUTION) {
                throw new NotADistributionException(query.name(), r.type().get());
            }
            return r;
        });
    }

    /**
     * Groups, steps, orders and limits rows as {@link #query} does, for rows from any source (a
     * store's answer alone, say).
     */
    public static QueryResult group(MetricQuery query, List<SeriesWindow> rows) {
        return group(query, rows, List.of());
    }

    /** Groups, steps, orders and limits the rows of store and memory. */
    static QueryResult group(MetricQuery query, List<SeriesWindow> stored, List<SeriesWindow> memory) {
        if (query.groupBy().isEmpty()) {
            return merged(query, stored, memory);
        }
        return grouped(query, stored, memory);
    }

    /** The common case, one group: every row merged per window or step, without grouping keys. */
    private static QueryResult merged(MetricQuery query, List<SeriesWindow> stored, List<SeriesWindow> memory) {
        if (stored.isEmpty() && memory.isEmpty()) {
            return new QueryResult(Optional.empty(), List.of());
        }
        // Sorting the rows (already in order per series, which TimSort exploits) and merging
        // neighbours costs a fraction of building a tree: this is every untagged query's path.
        List<SeriesWindow> all = new ArrayList<>(stored.size() + memory.size());
        all.addAll(stored);
        all.addAll(memory);
        boolean newestFirst = query.order() == MetricQuery.Order.NEWEST_FIRST;
        all.sort(newestFirst
                ? (x, y) -> Long.compare(y.windowStartEpochSecond(), x.windowStartEpochSecond())
                : (x, y) -> Long.compare(x.windowStartEpochSecond(), y.windowStartEpochSecond()));
        MetricType type = (newestFirst ? all.get(0) : all.get(all.size() - 1)).type();
        List<WindowStats> rows = new ArrayList<>(Math.min(query.limit(), all.size()));
        long step = 0;
        Stats acc = null;
        for (SeriesWindow row : all) {
            long s = query.stepStart(row.windowStartEpochSecond());
            if (acc != null && s == step) {
                acc = acc.merge(row.stats());
                continue;
            }
            if (acc != null) {
                rows.add(new WindowStats(step, acc));
                if (rows.size() == query.limit()) {
                    acc = null;
                    break;
                }
            }
            step = s;
            acc = row.stats();
        }
        if (acc != null && rows.size() < query.limit()) {
            rows.add(new WindowStats(step, acc));
        }
        return new QueryResult(Optional.of(type), List.of(new QueryResult.Group(Tags.empty(), rows)));
    }

    private static List<WindowStats> limited(MetricQuery query, TreeMap<Long, Stats> windows) {
        NavigableMap<Long, Stats> ordered = query.order() == MetricQuery.Order.NEWEST_FIRST
                ? windows.descendingMap() : windows;
        List<WindowStats> rows = new ArrayList<>(Math.min(query.limit(), ordered.size()));
        for (Map.Entry<Long, Stats> e : ordered.entrySet()) {
            if (rows.size() == query.limit()) {
                break;
            }
            rows.add(new WindowStats(e.getKey(), e.getValue()));
        }
        return rows;
    }

    private static QueryResult grouped(MetricQuery query, List<SeriesWindow> stored, List<SeriesWindow> memory) {
        Map<String, Tags> groupTags = new TreeMap<>();
        Map<String, TreeMap<Long, Stats>> groups = new TreeMap<>();
        MetricType type = null;
        long typeWindow = Long.MIN_VALUE;
        for (List<SeriesWindow> source : List.of(stored, memory)) {
            for (SeriesWindow row : source) {
                Tags tags = row.series().tags().select(query.groupBy());
                String id = tags.canonical();
                groupTags.putIfAbsent(id, tags);
                groups.computeIfAbsent(id, k -> new TreeMap<>())
                        .merge(query.stepStart(row.windowStartEpochSecond()), row.stats(), Stats::merge);
                if (type == null || row.windowStartEpochSecond() > typeWindow) {
                    type = row.type();
                    typeWindow = row.windowStartEpochSecond();
                }
            }
        }
        List<QueryResult.Group> out = new ArrayList<>(groups.size());
        for (Map.Entry<String, TreeMap<Long, Stats>> g : groups.entrySet()) {
            out.add(new QueryResult.Group(groupTags.get(g.getKey()), limited(query, g.getValue())));
        }
        return new QueryResult(Optional.ofNullable(type), out);
    }

    /**
     * One page of the series the store holds in the query's range and the series live in memory,
     * matching its name and filters, in {@link SeriesKey} order.
     */
    public CompletableFuture<SeriesPage> listSeries(SeriesListQuery query) {
        CompletableFuture<List<SeriesInfo>> stored;
        SeriesListQuery oneMore = query.withLimit(query.limit() + 1);
        try {
            stored = store.listSeries(oneMore);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return stored.thenApply(rows -> {
            // Each source gave its first limit+1 in order, so the union's first limit+1 are right.
            TreeMap<SeriesKey, SeriesInfo> union = new TreeMap<>();
            for (SeriesInfo s : aggregator.liveSeries(oneMore)) {
                union.put(s.series(), s);
            }
            for (SeriesInfo s : rows) {
                union.putIfAbsent(s.series(), s);
            }
            List<SeriesInfo> page = new ArrayList<>(query.limit());
            for (SeriesInfo s : union.values()) {
                if (page.size() == query.limit()) {
                    break;
                }
                page.add(s);
            }
            Optional<SeriesKey> next = union.size() > query.limit()
                    ? Optional.of(page.get(page.size() - 1).series()) : Optional.empty();
            return new SeriesPage(page, next);
        });
    }
}
