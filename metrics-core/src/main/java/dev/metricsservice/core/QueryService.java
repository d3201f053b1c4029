package dev.metricsservice.core;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.WindowMerger;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Answers queries with everything recorded: the store's rows merged with what the aggregator
 * still holds in memory (open windows, windows and amendments not yet stored), by the one merge
 * ({@link Stats#merge}). Every front end asks this service; none merges on its own.
 *
 * <pre>{@code
 * QueryService queries = new QueryService(aggregator, store);
 * queries.query(MetricQuery.latest("cpu", 20))
 *        .thenAccept(rows -> render(rows));
 * }</pre>
 *
 * <p>The store read and the memory read are two snapshots. A query that runs while a flush writes
 * and commits may, once, miss the newest part of a window (moved to the store after the store was
 * read) or count it twice (stored before the store read, still uncommitted at the memory read);
 * the next query is exact again.
 *
 * <p>Thread-safe and non-blocking: the store read is asynchronous, and the memory read (brief,
 * under the series' monitor) runs on the thread that completes it.
 */
public final class QueryService {

    private final Aggregator aggregator;
    private final MetricStore store;

    public QueryService(Aggregator aggregator, MetricStore store) {
        this.aggregator = aggregator;
        this.store = store;
    }

    /**
     * The query's windows, merged across writers, amendments, store and memory.
     *
     * @return a future of the rows, or failed with the store's
     *     {@link dev.metricsservice.core.store.StoreException}
     */
    public CompletableFuture<List<WindowStats>> query(MetricQuery query) {
        CompletableFuture<List<WindowStats>> stored;
        try {
            stored = store.query(query);
        } catch (RuntimeException e) {
            // A store that broke its contract by throwing is treated like a failed read.
            return CompletableFuture.failedFuture(e);
        }
        return stored.thenApply(rows -> new WindowMerger()
                .addAll(rows)
                .addAll(aggregator.unflushed(query))
                .result(query));
    }
}
