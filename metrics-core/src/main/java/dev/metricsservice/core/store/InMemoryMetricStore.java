package dev.metricsservice.core.store;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link MetricStore} that keeps everything on the heap: for tests, demos and embedders that
 * only need in-process queries. Nothing survives the process.
 *
 * <pre>{@code
 * MetricStore store = new InMemoryMetricStore();
 * }</pre>
 *
 * <p>Thread-safe. Operations complete before the returned future is handed back, and are
 * non-blocking in the sense of the {@link MetricStore} contract (no I/O, only short
 * lock-free map operations).
 */
public final class InMemoryMetricStore implements MetricStore {

    /** Creates an empty instance. */
    public InMemoryMetricStore() {
    }

    /** One writer's item of a window: the window itself (amendment 0) or an amendment. */
    private record ItemKey(String writerId, long amendment) {
    }

    /** series -> window start -> (writer id, amendment) -> aggregate. */
    private final Map<SeriesKey, ConcurrentSkipListMap<Long, Map<ItemKey, Stats>>> data = new ConcurrentHashMap<>();
    private volatile boolean closed;

    @Override
    public CompletableFuture<Void> write(List<WindowAggregate> aggregates) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        for (WindowAggregate a : aggregates) {
            data.computeIfAbsent(a.series(), n -> new ConcurrentSkipListMap<>())
                    .computeIfAbsent(a.windowStartEpochSecond(), w -> new ConcurrentHashMap<>())
                    .put(new ItemKey(a.writerId(), a.amendment()), a.stats());
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<WindowStats>> query(MetricQuery query) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        var windows = data.get(query.series());
        WindowMerger merger = new WindowMerger();
        if (windows != null) {
            for (var e : windows.subMap(query.fromEpochSecond(), true, query.toEpochSecond(), false).entrySet()) {
                for (Stats s : e.getValue().values()) {
                    merger.add(e.getKey(), s);
                }
            }
        }
        return CompletableFuture.completedFuture(merger.result(query));
    }

    @Override
    public CompletableFuture<Void> checkReady() {
        return closed ? CompletableFuture.failedFuture(closedError()) : CompletableFuture.completedFuture(null);
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {
        closed = true;
    }

    private static StoreException closedError() {
        return new StoreException(StoreException.Kind.CLOSED, "the in-memory store is closed");
    }
}
