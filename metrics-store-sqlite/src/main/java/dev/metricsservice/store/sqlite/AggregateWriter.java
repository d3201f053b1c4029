package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
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
                (metric_name, window_start, writer_id, amendment, sample_count, value_sum, value_min, value_max)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (metric_name, window_start, writer_id, amendment) DO UPDATE SET
                sample_count = excluded.sample_count,
                value_sum    = excluded.value_sum,
                value_min    = excluded.value_min,
                value_max    = excluded.value_max""";

    /**
     * The primary key's order. Inserting in it visits the B-tree's leaf pages in one forward pass
     * instead of jumping between them: little gain while the table fits in the page cache, much
     * once it is larger. Written out rather than composed from {@code Comparator.comparing}, which
     * costs noticeably more per comparison. (Java orders names by UTF-16 unit and SQLite by UTF-8
     * byte; they differ only around supplementary characters, which costs locality, never
     * correctness.)
     */
    static final Comparator<WindowAggregate> KEY_ORDER = (a, b) -> {
        int byName = a.series().name().compareTo(b.series().name());
        if (byName != 0) {
            return byName;
        }
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

    AggregateWriter(Connection connection) throws SQLException {
        this.connection = connection;
        this.control = connection.createStatement();
        this.upsert = connection.prepareStatement(UPSERT);
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
        List<WindowAggregate> inKeyOrder = new ArrayList<>(aggregates);
        // Stable, so of two equal identities in one batch the later one is still written last.
        inKeyOrder.sort(KEY_ORDER);
        // IMMEDIATE takes the write lock up front, so a lock held by another process is waited
        // for (busy_timeout) here instead of failing half-way through the transaction.
        control.execute("BEGIN IMMEDIATE");
        boolean committed = false;
        try {
            int pending = 0;
            for (WindowAggregate a : inKeyOrder) {
                bind(a);
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
    }

    private void bind(WindowAggregate a) throws SQLException {
        Stats s = a.stats();
        upsert.setString(1, a.series().name());
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

    /** Closes the statements and the connection; the last connection to close checkpoints the log. */
    @Override
    public void close() throws SQLException {
        try {
            // Lets SQLite refresh its planner statistics, cheaply, as its documentation advises
            // before closing a long-lived connection.
            control.execute("PRAGMA optimize");
        } finally {
            Connections.closeAll(upsert, control, connection);
        }
    }
}
