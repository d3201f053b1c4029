package dev.metricsservice.core.store;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link MetricStore} that keeps everything on the heap: for tests, demos and embedders that
 * only need in-process queries. Nothing survives the process; a retention, when given, drops
 * windows older than it.
 *
 * <pre>{@code
 * MetricStore store = new InMemoryMetricStore();
 * }</pre>
 *
 * <p>Thread-safe. Operations complete before the returned future is handed back, and are
 * non-blocking in the sense of the {@link MetricStore} contract (no I/O, only short map
 * operations; a query scans the metric's series).
 */
public final class InMemoryMetricStore implements MetricStore {

    private final long retentionSeconds;

    /** Creates an empty instance that keeps everything for its whole life. */
    public InMemoryMetricStore() {
        this(Duration.ZERO);
    }

    /**
     * Creates an empty instance that keeps a window for {@code retention} after its start (by the
     * system clock) and drops it afterwards; {@link Duration#ZERO} keeps everything.
     */
    public InMemoryMetricStore(Duration retention) {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative, was " + retention);
        }
        this.retentionSeconds = retention.toSeconds();
    }

    /** The windows of one series in {@code [from, to)} that the retention still keeps. */
    private java.util.NavigableMap<Long, Item[]> kept(ConcurrentSkipListMap<Long, Item[]> windows, long from, long to) {
        long start = Math.max(from, oldestKept());
        return start >= to ? java.util.Collections.emptyNavigableMap() : windows.subMap(start, true, to, false);
    }

    /** The oldest window start still kept. */
    private long oldestKept() {
        return retentionSeconds == 0 ? Long.MIN_VALUE : System.currentTimeMillis() / 1000 - retentionSeconds;
    }

    /** One writer's item of a window: the window itself (amendment 0) or an amendment. */
    private record ItemKey(String writerId, long amendment) {
    }

    private record Item(ItemKey key, Stats stats, MetricType type) {
    }

    /**
     * series -> window start -> the window's items (one per writer and amendment), sorted by
     * series. A window's items are an immutable array replaced whole on each write, so that reads
     * (every query) walk a plain array.
     */
    private final ConcurrentSkipListMap<SeriesKey, ConcurrentSkipListMap<Long, Item[]>> data =
            new ConcurrentSkipListMap<>();
    private volatile boolean closed;

    @Override
    public CompletableFuture<Void> write(List<WindowAggregate> aggregates) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        long oldest = oldestKept();
        for (WindowAggregate a : aggregates) {
            if (a.windowStartEpochSecond() < oldest) {
                continue; // already past retention: stored and expired at once
            }
            Item item = new Item(new ItemKey(a.writerId(), a.amendment()), a.stats(), a.type());
            data.computeIfAbsent(a.series(), n -> new ConcurrentSkipListMap<>())
                    .compute(a.windowStartEpochSecond(), (w, items) -> with(items, item));
        }
        if (retentionSeconds > 0) {
            for (var windows : data.values()) {
                windows.headMap(oldest).clear();
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** {@code items} with {@code item} replacing the one of the same key, or added. */
    private static Item[] with(Item[] items, Item item) {
        if (items == null) {
            return new Item[] {item};
        }
        for (int i = 0; i < items.length; i++) {
            if (items[i].key().equals(item.key())) {
                Item[] copy = items.clone();
                copy[i] = item;
                return copy;
            }
        }
        Item[] grown = Arrays.copyOf(items, items.length + 1);
        grown[items.length] = item;
        return grown;
    }

    @Override
    public CompletableFuture<List<SeriesWindow>> query(MetricQuery query) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        WindowMerger merger = new WindowMerger();
        SeriesKey first = SeriesKey.of(query.name());
        for (var series : data.tailMap(first, true).entrySet()) {
            if (!series.getKey().name().equals(query.name())) {
                break;
            }
            if (!query.matches(series.getKey())) {
                continue;
            }
            for (var e : kept(series.getValue(), query.fromEpochSecond(), query.toEpochSecond()).entrySet()) {
                for (Item item : e.getValue()) {
                    merger.add(series.getKey(), item.type(), e.getKey(), item.stats());
                }
            }
        }
        return CompletableFuture.completedFuture(merger.result(query));
    }

    @Override
    public CompletableFuture<List<SeriesInfo>> listSeries(SeriesListQuery query) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        List<SeriesInfo> out = new ArrayList<>();
        var candidates = query.after().isPresent() ? data.tailMap(query.after().get(), false) : data;
        for (var series : candidates.entrySet()) {
            if (out.size() == query.limit()) {
                break;
            }
            if (!query.matches(series.getKey())) {
                continue;
            }
            var inRange = kept(series.getValue(), query.fromEpochSecond(), query.toEpochSecond());
            if (!inRange.isEmpty()) {
                out.add(new SeriesInfo(series.getKey(), inRange.lastEntry().getValue()[0].type()));
            }
        }
        return CompletableFuture.completedFuture(out);
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
