package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

final class SqliteTestSupport {

    static final long T0 = 1_764_000_000L;

    private SqliteTestSupport() {
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    /** The store's answer to {@code q}, merged and limited as the query service would. */
    static java.util.List<dev.metricsservice.core.WindowStats> rows(dev.metricsservice.core.store.MetricStore store,
            dev.metricsservice.core.store.MetricQuery q) throws Exception {
        return dev.metricsservice.core.QueryService.group(q, await(store.query(q))).rows();
    }

    /** The store exception a future failed with; fails the test if it succeeded. */
    static StoreException failure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return StoreException.of(e);
        }
        throw new AssertionError("expected the future to fail, but it succeeded");
    }

    static WindowAggregate agg(String name, long window, String writer, long count, double sum, double min, double max) {
        return new WindowAggregate(SeriesKey.of(name), window, writer, Stats.of(count, sum, min, max));
    }

    /** A plain connection of the test's own, as another process would have. */
    static Connection rawConnection(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
