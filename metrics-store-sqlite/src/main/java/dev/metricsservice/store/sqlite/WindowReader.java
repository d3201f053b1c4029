package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.WindowMerger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The read side: one read-only connection and its prepared queries. Used by one reader thread at
 * a time (the store hands it out from a pool).
 *
 * <p>Merging happens here, in Java, with {@link WindowMerger} rather than with SQL
 * {@code GROUP BY}: it is the one merge the whole project uses ({@link Stats#merge}), so stored and
 * in-memory rows merge identically, and SQL's {@code SUM} would add in an unspecified order and
 * could round differently. The rows arrive in primary key order (forwards or backwards, so SQLite
 * never sorts), which lets the loop stop as soon as {@code limit} whole windows have been read.
 * Within a window the writers are always merged in ascending id order, so that both query orders
 * round a sum of three or more writers identically.
 */
final class WindowReader implements AutoCloseable {

    private static final String SELECT = """
            SELECT window_start, sample_count, value_sum, value_min, value_max
            FROM window_aggregate
            WHERE metric_name = ? AND window_start >= ? AND window_start < ?
            ORDER BY window_start %1$s, writer_id %1$s, amendment %1$s""";

    private final Connection connection;
    private final PreparedStatement newestFirst;
    private final PreparedStatement oldestFirst;
    private final PreparedStatement ready;

    WindowReader(Connection connection) throws SQLException {
        this.connection = connection;
        this.newestFirst = connection.prepareStatement(SELECT.formatted("DESC"));
        this.oldestFirst = connection.prepareStatement(SELECT.formatted("ASC"));
        this.ready = connection.prepareStatement("SELECT version FROM metrics_schema WHERE id = 1");
    }

    List<WindowStats> query(MetricQuery query) throws SQLException {
        PreparedStatement ps = query.order() == MetricQuery.Order.NEWEST_FIRST ? newestFirst : oldestFirst;
        ps.setString(1, query.series().name());
        ps.setLong(2, query.fromEpochSecond());
        ps.setLong(3, query.toEpochSecond());
        boolean backwards = query.order() == MetricQuery.Order.NEWEST_FIRST;
        WindowMerger merger = new WindowMerger();
        List<Stats> writers = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            int windows = 0;
            long current = 0;
            while (rs.next()) {
                long windowStart = rs.getLong(1);
                if (windows == 0 || windowStart != current) {
                    addWindow(merger, current, writers, backwards);
                    if (windows == query.limit()) {
                        break;
                    }
                    windows++;
                    current = windowStart;
                }
                long count = rs.getLong(2);
                double sum = rs.getDouble(3);
                if (rs.wasNull()) {
                    sum = Double.NaN;
                }
                writers.add(Stats.of(count, sum, rs.getDouble(4), rs.getDouble(5)));
            }
            addWindow(merger, current, writers, backwards);
        }
        return merger.result(query);
    }

    private static void addWindow(WindowMerger merger, long windowStart, List<Stats> writers, boolean backwards) {
        if (backwards) {
            Collections.reverse(writers);
        }
        for (Stats s : writers) {
            merger.add(windowStart, s);
        }
        writers.clear();
    }

    /** Reads the schema version: proves the file is still readable and still ours. */
    void checkReady() throws SQLException {
        try (ResultSet rs = ready.executeQuery()) {
            if (!rs.next() || rs.getInt(1) != Schema.CURRENT_VERSION) {
                throw new SQLException("the metrics_schema row is missing or changed", "HY000", SqlErrors.SQLITE_CORRUPT);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        Connections.closeAll(newestFirst, oldestFirst, ready, connection);
    }
}
