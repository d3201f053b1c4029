package dev.metricsservice.loadgen;

import dev.metricsservice.core.QueryService;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the {@link Verifier} reads what the service stored: windows of one series (a metric name, with
 * its tags as filters: the series whose tags include them, merged) whose start lies in
 * {@code [fromEpochSecond, toEpochSecond)}, at most {@code limit} of them, newest first or oldest first.
 *
 * <pre>{@code
 * StoredWindows overHttp = StoredWindows.http(URI.create("http://127.0.0.1:3001"), Duration.ofSeconds(10));
 * StoredWindows direct = StoredWindows.store(metricStore);   // e.g. in the app after the final flush
 * }</pre>
 * Implementations must be safe to call from one thread at a time.
 */
@FunctionalInterface
public interface StoredWindows {

    /**
     * @throws Exception with a message saying what failed (connection, status, malformed answer)
     */
    List<WindowStats> query(SeriesKey series, long fromEpochSecond, long toEpochSecond, int limit) throws Exception;

    /**
     * {@link #query(SeriesKey, long, long, int)} of a series whose type the caller knows (null when
     * it does not): a source that cannot carry sketches checks a distribution's instead (see
     * {@link #carriesSketches}).
     */
    default List<WindowStats> query(SeriesKey series, dev.metricsservice.core.MetricType type, long fromEpochSecond,
                                    long toEpochSecond, int limit) throws Exception {
        return query(series, fromEpochSecond, toEpochSecond, limit);
    }

    /**
     * True when a distribution's rows carry their quantile sketches (a store read directly); false
     * when they cannot (over HTTP), in which case the source itself fails a row whose sketch does
     * not hold exactly the row's samples.
     */
    default boolean carriesSketches() {
        return true;
    }

    /** {@code GET /metrics/{name}?from=..&to=..&limit=..} on the service. */
    static StoredWindows http(java.net.URI target, java.time.Duration timeout) {
        return new HttpStoredWindows(target, timeout);
    }

    /** Reads a {@link MetricStore} directly (only what has been flushed to it). */
    static StoredWindows store(MetricStore store) {
        return (series, from, to, limit) -> {
            MetricQuery q = new MetricQuery(series, from, to, limit, MetricQuery.Order.OLDEST_FIRST);
            return QueryService.group(q, store.query(q).get(30, TimeUnit.SECONDS)).rows();
        };
    }
}
