package dev.metricsservice.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import org.sqlite.JDBC;

/**
 * Opens connections to the database file with our pragmas. Every connection is confined to one
 * store thread at a time.
 *
 * <p>Pragmas and why:
 * <ul>
 *   <li>{@code busy_timeout}: a lock held by another connection (another process, or a
 *       checkpoint) is waited for instead of failing at once.</li>
 *   <li>{@code journal_mode = WAL}: readers never block the writer nor the writer the readers,
 *       and a commit appends to one log file instead of rewriting pages twice. It is a property of
 *       the file, set once by the writer.</li>
 *   <li>{@code synchronous}: see {@link SqliteStoreConfig.Synchronous}; NORMAL is safe from
 *       corruption in WAL mode and skips the fsync per commit.</li>
 *   <li>{@code journal_size_limit}: truncates the log after a checkpoint so that one huge batch
 *       does not leave a huge {@code -wal} file behind.</li>
 *   <li>{@code temp_store = MEMORY}: sorting scratch space stays off the disk.</li>
 *   <li>{@code query_only} on read connections: a bug can never write through them.</li>
 * </ul>
 */
final class Connections {

    private static final long JOURNAL_SIZE_LIMIT_BYTES = 64L * 1024 * 1024;
    private static final int WRITER_CACHE_KIB = 16 * 1024;

    private Connections() {
    }

    /** The writer connection: switches the file to WAL mode. */
    static Connection openWriter(Path file, SqliteStoreConfig config) throws SQLException {
        Connection c = open(file, config);
        boolean ok = false;
        try (Statement s = c.createStatement()) {
            String mode = queryString(s, "PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new SQLException("SQLite refused write-ahead-log mode (journal_mode is " + mode
                        + "); the file system may not support the shared memory it needs", "HY000",
                        SqlErrors.SQLITE_CANTOPEN);
            }
            s.execute("PRAGMA journal_size_limit = " + JOURNAL_SIZE_LIMIT_BYTES);
            s.execute("PRAGMA cache_size = -" + WRITER_CACHE_KIB);
            ok = true;
            return c;
        } finally {
            if (!ok) {
                c.close();
            }
        }
    }

    /** A read connection: may only read. */
    static Connection openReader(Path file, SqliteStoreConfig config) throws SQLException {
        Connection c = open(file, config);
        boolean ok = false;
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA query_only = 1");
            ok = true;
            return c;
        } finally {
            if (!ok) {
                c.close();
            }
        }
    }

    private static Connection open(Path file, SqliteStoreConfig config) throws SQLException {
        // Straight to the driver rather than DriverManager: no global registry lookup, and no
        // dependence on the service loader finding the driver in a shaded jar.
        Connection c = JDBC.createConnection(JDBC.PREFIX + file, new Properties());
        if (c == null) {
            throw new SQLException("sqlite-jdbc did not accept the path " + file);
        }
        boolean ok = false;
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + config.busyTimeout().toMillis());
            s.execute("PRAGMA synchronous = " + config.synchronous().name().toLowerCase(Locale.ROOT));
            s.execute("PRAGMA temp_store = MEMORY");
            ok = true;
            return c;
        } finally {
            if (!ok) {
                c.close();
            }
        }
    }

    /**
     * Closes each in order, even when an earlier one fails; the first failure is thrown with the
     * later ones suppressed.
     */
    static void closeAll(AutoCloseable... resources) throws SQLException {
        SQLException first = null;
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                SQLException wrapped = e instanceof SQLException se ? se : new SQLException(e);
                if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(wrapped);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static String queryString(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
