package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.DistinctSketch;
import dev.metricsservice.core.QuantileSketch;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.TagFilter;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.SeriesListQuery;
import dev.metricsservice.core.store.StoreException;
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
 * <p>A query first finds the metric's series in the small {@code series} table (tag filters are
 * applied there, in SQL, with an exact match on the canonical tag string), then reads each
 * matching series' windows through the primary key.
 *
 * <p>Merging happens here, in Java, with {@link WindowMerger} rather than with SQL
 * {@code GROUP BY}: it is the one merge the whole project uses ({@link Stats#merge}), so stored and
 * in-memory rows merge identically, and SQL's {@code SUM} would add in an unspecified order and
 * could round differently. The rows arrive in primary key order (forwards or backwards, so SQLite
 * never sorts), which lets the loop stop as soon as {@code limit} whole steps have been read.
 * Within a window the writers are always merged in ascending id order, so that both query orders
 * round a sum of three or more writers identically.
 */
final class WindowReader implements AutoCloseable {

    private static final String SELECT_WINDOWS = """
            SELECT window_start, sample_count, value_sum, value_min, value_max, last_value, last_epoch_ms, sketch,
                   distinct_sketch
            FROM window_aggregate
            WHERE series_id = ? AND window_start >= ? AND window_start < ?
            ORDER BY window_start %1$s, writer_id %1$s, amendment %1$s""";

    private static final String SELECT_SERIES =
            "SELECT series_id, tags, metric_type FROM series WHERE metric_name = ?";

    /**
     * One tag condition on the canonical tag string: pairs are separated by U+001E and a key from
     * its value by U+001F, neither of which a valid tag contains, so "the string, fenced by
     * separators, contains the fenced pair" is an exact test.
     */
    private static final String TAG_CONDITION = " AND instr(char(30) || tags || char(30), char(30) || ? || char(30)) > 0";

    private final Connection connection;
    private final PreparedStatement newestFirst;
    private final PreparedStatement oldestFirst;
    private final PreparedStatement seriesOfName;
    private final PreparedStatement ready;
    private final long retentionSeconds;

    WindowReader(Connection connection, long retentionSeconds) throws SQLException {
        this.connection = connection;
        this.retentionSeconds = retentionSeconds;
        this.newestFirst = connection.prepareStatement(SELECT_WINDOWS.formatted("DESC"));
        this.oldestFirst = connection.prepareStatement(SELECT_WINDOWS.formatted("ASC"));
        this.seriesOfName = connection.prepareStatement(SELECT_SERIES);
        this.ready = connection.prepareStatement("SELECT version FROM metrics_schema WHERE id = 1");
    }

    /** The oldest window start still kept under the retention. */
    private long oldestKept() {
        return retentionSeconds == 0 ? Long.MIN_VALUE : System.currentTimeMillis() / 1000 - retentionSeconds;
    }

    private record Found(long id, SeriesKey key, MetricType type) {
    }

    List<SeriesWindow> query(MetricQuery query) throws SQLException {
        long from = Math.max(query.fromEpochSecond(), oldestKept());
        WindowMerger merger = new WindowMerger();
        if (from >= query.toEpochSecond()) {
            return merger.result(query);
        }
        for (Found series : findSeries(query)) {
            readWindows(query, from, series, merger);
        }
        return merger.result(query);
    }

    private List<Found> findSeries(MetricQuery query) throws SQLException {
        PreparedStatement ps;
        boolean dynamic = !query.filters().isEmpty();
        if (dynamic) {
            StringBuilder sql = new StringBuilder(SELECT_SERIES);
            for (int i = 0; i < query.filters().size(); i++) {
                sql.append(TAG_CONDITION);
            }
            ps = connection.prepareStatement(sql.toString());
        } else {
            ps = seriesOfName;
        }
        try {
            ps.setString(1, query.name());
            for (int i = 0; i < query.filters().size(); i++) {
                TagFilter f = query.filters().get(i);
                ps.setString(2 + i, Tags.of(f.key(), f.value()).canonical());
            }
            List<Found> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SeriesKey key = SeriesKey.of(query.name(), Tags.fromCanonical(rs.getString(2)));
                    if (query.matches(key)) {
                        found.add(new Found(rs.getLong(1), key, MetricType.parse(rs.getString(3)).orElseThrow()));
                    }
                }
            }
            return found;
        } finally {
            if (dynamic) {
                ps.close();
            }
        }
    }

    private void readWindows(MetricQuery query, long from, Found series, WindowMerger merger) throws SQLException {
        boolean backwards = query.order() == MetricQuery.Order.NEWEST_FIRST;
        PreparedStatement ps = backwards ? newestFirst : oldestFirst;
        ps.setLong(1, series.id);
        ps.setLong(2, from);
        ps.setLong(3, query.toEpochSecond());
        List<Stats> writers = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            int steps = 0;
            long step = 0;
            long current = 0;
            boolean any = false;
            while (rs.next()) {
                long windowStart = rs.getLong(1);
                if (!any || windowStart != current) {
                    addWindow(merger, series, current, writers, backwards);
                    long s = query.stepStart(windowStart);
                    if (!any || s != step) {
                        if (steps == query.limit()) {
                            break;
                        }
                        steps++;
                        step = s;
                    }
                    any = true;
                    current = windowStart;
                }
                writers.add(stats(rs));
            }
            addWindow(merger, series, current, writers, backwards);
        }
    }

    private static Stats stats(ResultSet rs) throws SQLException {
        long count = rs.getLong(2);
        double sum = rs.getDouble(3);
        if (rs.wasNull()) {
            sum = Double.NaN;
        }
        double min = rs.getDouble(4);
        double max = rs.getDouble(5);
        double last = rs.getDouble(6);
        boolean noLast = rs.wasNull();
        long lastMillis = rs.getLong(7);
        QuantileSketch sketch = blob(rs.getBytes(8), QuantileSketch::fromBytes, "quantile sketch");
        DistinctSketch distinct = blob(rs.getBytes(9), DistinctSketch::fromBytes, "distinct sketch");
        return noLast ? new Stats(count, sum, min, max, Double.NaN, Stats.NO_LAST, sketch, distinct)
                : new Stats(count, sum, min, max, last, lastMillis, sketch, distinct);
    }

    /** A stored sketch read with {@code parse}; null for a NULL column; a damaged one fails naming {@code what}. */
    private static <T> T blob(byte[] bytes, java.util.function.Function<byte[], T> parse, String what) {
        if (bytes == null) {
            return null;
        }
        try {
            return parse.apply(bytes);
        } catch (IllegalArgumentException e) {
            throw new StoreException(StoreException.Kind.INTERNAL, "a stored " + what + " cannot be read ("
                    + e.getMessage() + "): the database holds a damaged row or one from a newer build");
        }
    }

    private static void addWindow(WindowMerger merger, Found series, long windowStart, List<Stats> writers,
                                  boolean backwards) {
        if (backwards) {
            Collections.reverse(writers);
        }
        for (Stats s : writers) {
            merger.add(series.key, series.type, windowStart, s);
        }
        writers.clear();
    }

    /** One page of the series listing (see {@link dev.metricsservice.core.store.MetricStore#listSeries}). */
    List<SeriesInfo> listSeries(SeriesListQuery query) throws SQLException {
        long from = Math.max(query.fromEpochSecond(), oldestKept());
        List<SeriesInfo> out = new ArrayList<>();
        if (from >= query.toEpochSecond()) {
            return out;
        }
        StringBuilder sql = new StringBuilder("SELECT metric_name, tags, metric_type FROM series WHERE 1 = 1");
        if (query.name().isPresent()) {
            sql.append(" AND metric_name = ?");
        }
        if (query.after().isPresent()) {
            sql.append(" AND (metric_name, tags) > (?, ?)");
        }
        for (int i = 0; i < query.filters().size(); i++) {
            sql.append(TAG_CONDITION);
        }
        sql.append(" AND EXISTS (SELECT 1 FROM window_aggregate w WHERE w.series_id = series.series_id"
                + " AND w.window_start >= ? AND w.window_start < ?) ORDER BY metric_name, tags LIMIT ?");
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            int p = 1;
            if (query.name().isPresent()) {
                ps.setString(p++, query.name().get());
            }
            if (query.after().isPresent()) {
                ps.setString(p++, query.after().get().name());
                ps.setString(p++, query.after().get().tags().canonical());
            }
            for (TagFilter f : query.filters()) {
                ps.setString(p++, Tags.of(f.key(), f.value()).canonical());
            }
            ps.setLong(p++, from);
            ps.setLong(p++, query.toEpochSecond());
            ps.setInt(p, query.limit());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SeriesKey key = SeriesKey.of(rs.getString(1), Tags.fromCanonical(rs.getString(2)));
                    out.add(new SeriesInfo(key, MetricType.parse(rs.getString(3)).orElseThrow()));
                }
            }
        }
        return out;
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
        Connections.closeAll(newestFirst, oldestFirst, seriesOfName, ready, connection);
    }
}
