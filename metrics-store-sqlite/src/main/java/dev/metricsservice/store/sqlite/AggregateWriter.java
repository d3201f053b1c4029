package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The write side: one connection and its prepared upsert. Confined to the store's single writer
 * thread, so it needs no locking; SQLite admits one writer per file anyway, so a second writer
 * thread would only queue on the file lock.
 */
final class AggregateWriter implements AutoCloseable {

    /**
     * Rows bound per {@code executeBatch}. The whole write is still one transaction; chunking only
     * bounds the memory the driver holds for bound parameters.
     */
    static final int ROWS_PER_BATCH = 1024;

    static final String UPSERT = """
            INSERT INTO window_aggregate
                (series_id, window_start, writer_id, amendment, sample_count, value_sum, value_min, value_max,
                 last_value, last_epoch_ms, sketch, distinct_sketch)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (series_id, window_start, writer_id, amendment) DO UPDATE SET
                sample_count  = excluded.sample_count,
                value_sum     = excluded.value_sum,
                value_min     = excluded.value_min,
                value_max     = excluded.value_max,
                last_value    = excluded.last_value,
                last_epoch_ms = excluded.last_epoch_ms,
                sketch        = excluded.sketch,
                distinct_sketch = excluded.distinct_sketch""";

    /** Creates a series row, or gives an existing one the type it is written with now. */
    static final String UPSERT_SERIES = """
            INSERT INTO series (metric_name, tags, metric_type) VALUES (?, ?, ?)
            ON CONFLICT (metric_name, tags) DO UPDATE SET metric_type = excluded.metric_type
            WHERE metric_type <> excluded.metric_type""";

    static final String SELECT_SERIES = "SELECT series_id FROM series WHERE metric_name = ? AND tags = ?";

    static final String DELETE_EXPIRED = """
            DELETE FROM window_aggregate
            WHERE (series_id, window_start, writer_id, amendment) IN (
                SELECT series_id, window_start, writer_id, amendment FROM window_aggregate
                WHERE window_start < ? LIMIT ?)""";

    /** Most series ids remembered; beyond it the cache starts over (a miss costs one lookup). */
    static final int MAX_CACHED_SERIES = 1_000_000;

    /** A series' row id and the type its row holds. */
    private record SeriesRow(long id, MetricType type) {
    }

    /** An aggregate with its series' row id resolved. */
    private record Row(long seriesId, WindowAggregate aggregate) {
    }

    /**
     * The primary key's order. Inserting in it visits the B-tree's leaf pages in one forward pass
     * instead of jumping between them: little gain while the table fits in the page cache, much
     * once it is larger. Written out rather than composed from {@code Comparator.comparing}, which
     * costs noticeably more per comparison.
     */
    private static final Comparator<Row> KEY_ORDER = (x, y) -> {
        int bySeries = Long.compare(x.seriesId, y.seriesId);
        if (bySeries != 0) {
            return bySeries;
        }
        WindowAggregate a = x.aggregate;
        WindowAggregate b = y.aggregate;
        int byWindow = Long.compare(a.windowStartEpochSecond(), b.windowStartEpochSecond());
        if (byWindow != 0) {
            return byWindow;
        }
        int byWriter = a.writerId().compareTo(b.writerId());
        return byWriter != 0 ? byWriter : Long.compare(a.amendment(), b.amendment());
    };

    private final Connection connection;
    private final Statement control;
    private final PreparedStatement upsert;
    private final PreparedStatement upsertSeries;
    private final PreparedStatement selectSeries;
    private final PreparedStatement deleteExpired;
    /** Series rows known to be committed; only ever changed after a commit. */
    private final Map<SeriesKey, SeriesRow> committedSeries = new HashMap<>();

    AggregateWriter(Connection connection) throws SQLException {
        this.connection = connection;
        this.control = connection.createStatement();
        this.upsert = connection.prepareStatement(UPSERT);
        this.upsertSeries = connection.prepareStatement(UPSERT_SERIES);
        this.selectSeries = connection.prepareStatement(SELECT_SERIES);
        this.deleteExpired = connection.prepareStatement(DELETE_EXPIRED);
    }

    /**
     * Upserts every aggregate in one transaction: all are stored, or (on an exception) none.
     *
     * @throws StoreException INVALID_REQUEST when an aggregate cannot be stored as given
     */
    void write(List<WindowAggregate> aggregates) throws SQLException {
        if (aggregates.isEmpty()) {
            return;
        }
        for (int i = 0; i < aggregates.size(); i++) {
            int index = i;
            problem(aggregates.get(i)).ifPresent(problem -> {
                throw new StoreException(StoreException.Kind.INVALID_REQUEST,
                        "aggregate " + index + " of " + aggregates.size() + " cannot be stored: " + problem
                                + "; nothing of this write was stored");
            });
        }
        // IMMEDIATE takes the write lock up front, so a lock held by another process is waited
        // for (busy_timeout) here instead of failing half-way through the transaction.
        control.execute("BEGIN IMMEDIATE");
        boolean committed = false;
        Map<SeriesKey, SeriesRow> resolved = new HashMap<>();
        try {
            List<Row> rows = new ArrayList<>(aggregates.size());
            for (WindowAggregate a : aggregates) {
                rows.add(new Row(seriesId(a, resolved), a));
            }
            // Stable, so of two equal identities in one batch the later one is still written last.
            rows.sort(KEY_ORDER);
            int pending = 0;
            for (Row r : rows) {
                bind(r);
                upsert.addBatch();
                if (++pending == ROWS_PER_BATCH) {
                    upsert.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                upsert.executeBatch();
            }
            control.execute("COMMIT");
            committed = true;
        } finally {
            if (!committed) {
                upsert.clearBatch();
                Schema.rollbackQuietly(control);
            }
        }
        if (committedSeries.size() + resolved.size() > MAX_CACHED_SERIES) {
            committedSeries.clear();
        }
        committedSeries.putAll(resolved);
    }

    /**
     * The row id of the aggregate's series, creating the row (or updating its type) inside the
     * current transaction when the committed cache does not already say so.
     */
    private long seriesId(WindowAggregate a, Map<SeriesKey, SeriesRow> resolved) throws SQLException {
        SeriesRow known = resolved.get(a.series());
        if (known == null) {
            known = committedSeries.get(a.series());
        }
        if (known != null && known.type == a.type()) {
            return known.id;
        }
        String tags = a.series().tags().canonical();
        upsertSeries.setString(1, a.series().name());
        upsertSeries.setString(2, tags);
        upsertSeries.setString(3, a.type().wireName());
        upsertSeries.executeUpdate();
        selectSeries.setString(1, a.series().name());
        selectSeries.setString(2, tags);
        long id;
        try (ResultSet rs = selectSeries.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("series row of " + a.series() + " missing right after its upsert");
            }
            id = rs.getLong(1);
        }
        resolved.put(a.series(), new SeriesRow(id, a.type()));
        return id;
    }

    private void bind(Row r) throws SQLException {
        WindowAggregate a = r.aggregate;
        Stats s = a.stats();
        upsert.setLong(1, r.seriesId);
        upsert.setLong(2, a.windowStartEpochSecond());
        upsert.setString(3, a.writerId());
        upsert.setLong(4, a.amendment());
        upsert.setLong(5, s.count());
        if (Double.isNaN(s.sum())) {
            // SQLite has no NaN; NULL stands for it (see Schema).
            upsert.setNull(6, Types.REAL);
        } else {
            upsert.setDouble(6, s.sum());
        }
        upsert.setDouble(7, s.min());
        upsert.setDouble(8, s.max());
        if (s.hasLast()) {
            upsert.setDouble(9, s.last());
            upsert.setLong(10, s.lastEpochMillis());
        } else {
            upsert.setNull(9, Types.REAL);
            upsert.setNull(10, Types.INTEGER);
        }
        if (s.hasSketch()) {
            upsert.setBytes(11, s.sketchBytes());
        } else {
            upsert.setNull(11, Types.BLOB);
        }
        if (s.hasDistinct()) {
            upsert.setBytes(12, s.distinctBytes());
        } else {
            upsert.setNull(12, Types.BLOB);
        }
    }

    /**
     * Why an aggregate cannot be stored exactly, if it cannot. Text goes to SQLite as UTF-8, in which
     * an unpaired surrogate has no encoding: it would be stored as a replacement character and read
     * back as another name.
     */
    static Optional<String> problem(WindowAggregate a) {
        if (hasUnpairedSurrogate(a.series().name())) {
            return Optional.of("the metric name contains an unpaired UTF-16 surrogate");
        }
        for (int i = 0; i < a.series().tags().size(); i++) {
            if (hasUnpairedSurrogate(a.series().tags().key(i)) || hasUnpairedSurrogate(a.series().tags().value(i))) {
                return Optional.of("tag '" + a.series().tags().key(i) + "' contains an unpaired UTF-16 surrogate");
            }
        }
        if (hasUnpairedSurrogate(a.writerId())) {
            return Optional.of("the writer id contains an unpaired UTF-16 surrogate");
        }
        return Optional.empty();
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deletes up to {@code maxRows} aggregates of windows that started before
     * {@code beforeEpochSecond}, in one short transaction of its own (so a flush waits for at most
     * one such batch), through the window-start index.
     *
     * @return how many rows were deleted; fewer than {@code maxRows} means none are left
     */
    int deleteExpired(long beforeEpochSecond, int maxRows) throws SQLException {
        deleteExpired.setLong(1, beforeEpochSecond);
        deleteExpired.setInt(2, maxRows);
        control.execute("BEGIN IMMEDIATE");
        boolean committed = false;
        try {
            int n = deleteExpired.executeUpdate();
            control.execute("COMMIT");
            committed = true;
            return n;
        } finally {
            if (!committed) {
                Schema.rollbackQuietly(control);
            }
        }
    }

    /** Closes the statements and the connection; the last connection to close checkpoints the log. */
    @Override
    public void close() throws SQLException {
        try {
            // Lets SQLite refresh its planner statistics, cheaply, as its documentation advises
            // before closing a long-lived connection.
            control.execute("PRAGMA optimize");
        } finally {
            Connections.closeAll(upsert, upsertSeries, selectSeries, deleteExpired, control, connection);
        }
    }
}
