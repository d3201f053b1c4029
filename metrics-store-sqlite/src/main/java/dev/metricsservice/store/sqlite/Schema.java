package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the schema in a new database file, checks it in an existing one, and migrates a file of
 * an older schema version in place.
 *
 * <p>Versions: 1 keyed an aggregate by (metric, window, writer); 2 adds the amendment number to the
 * key (late samples of a window already final are stored as amendments beside it); 3 adds series
 * with tags and types: a {@code series} table (one row per metric name and canonical tag string,
 * with its type) and aggregates keyed by the series' id, with a gauge's last value and its time,
 * and an index on the window start for retention; 4 adds a {@code sketch} BLOB (a distribution
 * window's quantile sketch, {@code QuantileSketch.toBytes()}; NULL for other types and for rows
 * written before, which stay valid: they count, they just have no quantiles); 5 adds the {@code set}
 * type (the series table is rebuilt for its CHECK, ids kept) and a {@code distinct_sketch} BLOB (a
 * set window's {@code DistinctSketch.toBytes()}, NULL for other types). An older file is migrated step by step inside
 * the start-up transaction: version-1 rows become amendment 0 of their window, and every existing
 * name becomes one untagged summary series, so existing data reads back unchanged; a crash during
 * the migration leaves the file at its old version (SQLite's DDL is transactional).
 *
 * <p>The file is ours when it carries our {@code application_id} and a {@code metrics_schema}
 * row with a version this build understands. Anything else is refused rather than modified: an
 * empty file becomes ours; a file of another application, of a newer build, or with a table of
 * our name but another shape gives a {@link Kind#MISCONFIGURED} error naming the file.
 *
 * <p>Why {@code STRICT} tables with {@code ANY} columns for the doubles: SQLite stores a
 * {@code REAL} value that has no fractional part as an integer on disk to save space, and turns
 * it back into a double when read. That round trip loses the sign of {@code -0.0}. A value in an
 * {@code ANY} column of a {@code STRICT} table is stored exactly as bound (an 8-byte IEEE-754
 * double), and the {@code CHECK}s keep the column typed. NaN cannot be stored by SQLite at all (it
 * becomes NULL); only a sum can be NaN in a valid aggregate, so {@code value_sum} allows NULL and
 * NULL is read back as NaN.
 */
final class Schema {

    /** The schema version this build writes and reads. */
    static final int CURRENT_VERSION = 5;

    /** {@code PRAGMA application_id} of our files: "MTRC" in ASCII. */
    static final int APPLICATION_ID = 0x4D545243;

    static final String VERSION_TABLE = "metrics_schema";
    static final String AGGREGATE_TABLE = "window_aggregate";
    static final String SERIES_TABLE = "series";

    /** Columns of {@link #AGGREGATE_TABLE} in order; the first four form the primary key. */
    static final List<String> AGGREGATE_COLUMNS = List.of(
            "series_id", "window_start", "writer_id", "amendment", "sample_count", "value_sum", "value_min",
            "value_max", "last_value", "last_epoch_ms", "sketch", "distinct_sketch");
    private static final List<Integer> AGGREGATE_KEY_POSITIONS = List.of(1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The table as schema version 4 had it. */
    private static final List<String> V4_AGGREGATE_COLUMNS = AGGREGATE_COLUMNS.subList(0, 11);
    private static final List<Integer> V4_AGGREGATE_KEY_POSITIONS = AGGREGATE_KEY_POSITIONS.subList(0, 11);

    /** The table as schema version 3 had it. */
    private static final List<String> V3_AGGREGATE_COLUMNS = AGGREGATE_COLUMNS.subList(0, 10);
    private static final List<Integer> V3_AGGREGATE_KEY_POSITIONS = AGGREGATE_KEY_POSITIONS.subList(0, 10);
    static final List<String> SERIES_COLUMNS = List.of("series_id", "metric_name", "tags", "metric_type");
    private static final List<Integer> SERIES_KEY_POSITIONS = List.of(1, 0, 0, 0);

    /** The table as schema version 2 had it. */
    private static final List<String> V2_AGGREGATE_COLUMNS = List.of(
            "metric_name", "window_start", "writer_id", "amendment", "sample_count", "value_sum", "value_min",
            "value_max");
    private static final List<Integer> V2_AGGREGATE_KEY_POSITIONS = List.of(1, 2, 3, 4, 0, 0, 0, 0);

    /** The table as schema version 1 had it (for recognising a file to migrate). */
    private static final List<String> V1_AGGREGATE_COLUMNS = List.of(
            "metric_name", "window_start", "writer_id", "sample_count", "value_sum", "value_min", "value_max");
    private static final List<Integer> V1_AGGREGATE_KEY_POSITIONS = List.of(1, 2, 3, 0, 0, 0, 0);

    private static final String CREATE_VERSION_TABLE = """
            CREATE TABLE metrics_schema (
                id                      INTEGER PRIMARY KEY CHECK (id = 1),
                version                 INTEGER NOT NULL,
                created_at_epoch_second INTEGER NOT NULL
            ) STRICT""";

    // One row per series: names and tags are stored once, not in every aggregate, and listing
    // series or finding those that match a tag filter reads this small table only. The UNIQUE
    // index orders rows by (name, tags) in UTF-8 byte order, the order series are listed in.
    private static final String CREATE_SERIES_TABLE = """
            CREATE TABLE %s (
                series_id   INTEGER PRIMARY KEY,
                metric_name TEXT    NOT NULL,
                tags        TEXT    NOT NULL,
                metric_type TEXT    NOT NULL
                            CHECK (metric_type IN ('summary', 'counter', 'gauge', 'distribution', 'set')),
                UNIQUE (metric_name, tags)
            ) STRICT""";

    // WITHOUT ROWID: the table is clustered on its primary key, so a query for one series and a
    // time range reads one contiguous run of pages, and the upsert needs no second index. The
    // index on window_start serves retention, which deletes by age across all series.
    private static final String CREATE_AGGREGATE_TABLE = """
            CREATE TABLE %s (
                series_id     INTEGER NOT NULL,
                window_start  INTEGER NOT NULL,
                writer_id     TEXT    NOT NULL,
                amendment     INTEGER NOT NULL CHECK (amendment >= 0),
                sample_count  INTEGER NOT NULL CHECK (sample_count > 0),
                value_sum     ANY              CHECK (value_sum IS NULL OR typeof(value_sum) = 'real'),
                value_min     ANY     NOT NULL CHECK (typeof(value_min) = 'real'),
                value_max     ANY     NOT NULL CHECK (typeof(value_max) = 'real'),
                last_value    ANY              CHECK (last_value IS NULL OR typeof(last_value) = 'real'),
                last_epoch_ms INTEGER,
                sketch        BLOB,
                distinct_sketch BLOB,
                PRIMARY KEY (series_id, window_start, writer_id, amendment)
            ) STRICT, WITHOUT ROWID""";

    private static final String CREATE_AGE_INDEX =
            "CREATE INDEX window_aggregate_by_start ON window_aggregate (window_start)";

    /** The aggregate table of version 2, the target of the version 1 step. */
    private static final String CREATE_V2_AGGREGATE_TABLE = """
            CREATE TABLE %s (
                metric_name  TEXT    NOT NULL,
                window_start INTEGER NOT NULL,
                writer_id    TEXT    NOT NULL,
                amendment    INTEGER NOT NULL CHECK (amendment >= 0),
                sample_count INTEGER NOT NULL CHECK (sample_count > 0),
                value_sum    ANY              CHECK (value_sum IS NULL OR typeof(value_sum) = 'real'),
                value_min    ANY     NOT NULL CHECK (typeof(value_min) = 'real'),
                value_max    ANY     NOT NULL CHECK (typeof(value_max) = 'real'),
                PRIMARY KEY (metric_name, window_start, writer_id, amendment)
            ) STRICT, WITHOUT ROWID""";

    private Schema() {
    }

    /**
     * Creates or checks the schema inside one write transaction, which also proves that the file
     * is writable.
     *
     * @throws StoreException MISCONFIGURED when the file is not (or no longer) ours
     * @throws SQLException   when SQLite fails; the caller maps it
     */
    static void ensure(Connection c, Path file) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            boolean committed = false;
            try {
                int applicationId = queryInt(s, "PRAGMA application_id");
                List<String> tables = userTables(s);
                if (tables.isEmpty() && applicationId == 0) {
                    create(s);
                } else {
                    int version = check(s, file, applicationId, tables);
                    if (version < CURRENT_VERSION) {
                        migrate(s, file, version);
                    }
                    // A no-op write: fails now, at start-up, when the file is read-only.
                    s.executeUpdate("UPDATE metrics_schema SET version = version WHERE id = 1");
                }
                s.execute("COMMIT");
                committed = true;
            } finally {
                if (!committed) {
                    rollbackQuietly(s);
                }
            }
        }
    }

    private static void create(Statement s) throws SQLException {
        s.execute(CREATE_VERSION_TABLE);
        s.execute(CREATE_SERIES_TABLE.formatted(SERIES_TABLE));
        s.execute(CREATE_AGGREGATE_TABLE.formatted(AGGREGATE_TABLE));
        s.execute(CREATE_AGE_INDEX);
        s.executeUpdate("INSERT INTO metrics_schema (id, version, created_at_epoch_second) VALUES (1, "
                + CURRENT_VERSION + ", unixepoch())");
        s.execute("PRAGMA application_id = " + APPLICATION_ID);
    }

    /** Checks that the file is ours and its tables have the shape of its version; returns the version. */
    private static int check(Statement s, Path file, int applicationId, List<String> tables) throws SQLException {
        if (applicationId != APPLICATION_ID && applicationId != 0) {
            throw misconfigured(file, "belongs to another application (its application_id is 0x"
                    + Integer.toHexString(applicationId) + ", ours is 0x" + Integer.toHexString(APPLICATION_ID) + ")");
        }
        if (!tables.contains(VERSION_TABLE)) {
            throw misconfigured(file, "is a SQLite database of another application (tables " + tables
                    + ") without a " + VERSION_TABLE + " table");
        }
        Long version = null;
        try (ResultSet rs = s.executeQuery("SELECT version FROM metrics_schema WHERE id = 1")) {
            if (rs.next()) {
                version = rs.getLong(1);
            }
        } catch (SQLException e) {
            throw misconfigured(file, "has a " + VERSION_TABLE + " table of another shape (" + e.getMessage() + ")");
        }
        if (version == null) {
            throw misconfigured(file, "has an empty " + VERSION_TABLE + " table, so its schema version is unknown");
        }
        if (version > CURRENT_VERSION) {
            throw misconfigured(file, "was written by a newer metrics-service (schema version " + version
                    + ", this build understands up to " + CURRENT_VERSION + "); run the newer build, or use"
                    + " another file");
        }
        if (version < 1) {
            throw misconfigured(file, "has an unknown schema version " + version);
        }
        int v = (int) (long) version;
        checkTable(s, file, v, AGGREGATE_TABLE,
                v == 1 ? V1_AGGREGATE_COLUMNS : v == 2 ? V2_AGGREGATE_COLUMNS : v == 3 ? V3_AGGREGATE_COLUMNS
                        : v == 4 ? V4_AGGREGATE_COLUMNS : AGGREGATE_COLUMNS,
                v == 1 ? V1_AGGREGATE_KEY_POSITIONS : v == 2 ? V2_AGGREGATE_KEY_POSITIONS : v == 3
                        ? V3_AGGREGATE_KEY_POSITIONS : v == 4 ? V4_AGGREGATE_KEY_POSITIONS : AGGREGATE_KEY_POSITIONS);
        if (v >= 3) {
            checkTable(s, file, v, SERIES_TABLE, SERIES_COLUMNS, SERIES_KEY_POSITIONS);
        }
        return v;
    }

    private static void checkTable(Statement s, Path file, int version, String table, List<String> wantColumns,
                                   List<Integer> wantKey) throws SQLException {
        List<String> columns = new ArrayList<>();
        List<Integer> keyPositions = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                columns.add(rs.getString("name"));
                keyPositions.add(rs.getInt("pk"));
            }
        }
        if (!columns.equals(wantColumns) || !keyPositions.equals(wantKey)) {
            throw misconfigured(file, "has a " + table + " table with columns " + columns
                    + " (primary key positions " + keyPositions + "), but schema version " + version
                    + " needs " + wantColumns + " (primary key positions " + wantKey + ")");
        }
    }

    /**
     * Brings a file from {@code version} to {@link #CURRENT_VERSION}, inside the caller's
     * transaction. Version 1 to 2: the table is rebuilt with the amendment column in its key
     * (SQLite cannot change a primary key in place); every row becomes amendment 0.
     */
    private static void migrate(Statement s, Path file, int version) throws SQLException {
        if (version == 1) {
            s.execute(CREATE_V2_AGGREGATE_TABLE.formatted("window_aggregate_v2"));
            int rows = s.executeUpdate("""
                    INSERT INTO window_aggregate_v2
                        (metric_name, window_start, writer_id, amendment, sample_count, value_sum, value_min, value_max)
                    SELECT metric_name, window_start, writer_id, 0, sample_count, value_sum, value_min, value_max
                    FROM window_aggregate""");
            s.execute("DROP TABLE window_aggregate");
            s.execute("ALTER TABLE window_aggregate_v2 RENAME TO window_aggregate");
            s.executeUpdate("UPDATE metrics_schema SET version = 2 WHERE id = 1");
            org.slf4j.LoggerFactory.getLogger(Schema.class).info(
                    "migrated SQLite database {} from schema version 1 to 2 ({} rows kept as amendment 0)", file, rows);
            version = 2;
        }
        if (version == 2) {
            s.execute(CREATE_SERIES_TABLE.formatted(SERIES_TABLE));
            int series = s.executeUpdate(
                    "INSERT INTO series (metric_name, tags, metric_type)"
                            + " SELECT DISTINCT metric_name, '', 'summary' FROM window_aggregate ORDER BY metric_name");
            s.execute(CREATE_AGGREGATE_TABLE.formatted("window_aggregate_v3"));
            int rows = s.executeUpdate("""
                    INSERT INTO window_aggregate_v3
                        (series_id, window_start, writer_id, amendment, sample_count, value_sum, value_min, value_max,
                         last_value, last_epoch_ms)
                    SELECT s.series_id, w.window_start, w.writer_id, w.amendment, w.sample_count, w.value_sum,
                           w.value_min, w.value_max, NULL, NULL
                    FROM window_aggregate w JOIN series s ON s.metric_name = w.metric_name AND s.tags = ''""");
            s.execute("DROP TABLE window_aggregate");
            s.execute("ALTER TABLE window_aggregate_v3 RENAME TO window_aggregate");
            s.execute(CREATE_AGE_INDEX);
            s.executeUpdate("UPDATE metrics_schema SET version = 5 WHERE id = 1");
            org.slf4j.LoggerFactory.getLogger(Schema.class).info(
                    "migrated SQLite database {} from schema version 2 to 5 ({} metric names became untagged summary"
                            + " series, {} rows kept)", file, series, rows);
            return; // the tables were created in the current shape, sketch columns included
        }
        if (version == 3) {
            // Adding a nullable column rewrites nothing: existing rows read NULL, "no sketch".
            s.execute("ALTER TABLE window_aggregate ADD COLUMN sketch BLOB");
            s.executeUpdate("UPDATE metrics_schema SET version = 4 WHERE id = 1");
            org.slf4j.LoggerFactory.getLogger(Schema.class).info(
                    "migrated SQLite database {} from schema version 3 to 4 (a sketch column for quantiles)", file);
            version = 4;
        }
        if (version == 4) {
            // SQLite cannot change a CHECK in place: the series table is copied into the new shape
            // with its ids, so every aggregate still points at its series.
            s.execute("ALTER TABLE window_aggregate ADD COLUMN distinct_sketch BLOB");
            s.execute(CREATE_SERIES_TABLE.formatted("series_v5"));
            int series = s.executeUpdate("INSERT INTO series_v5 (series_id, metric_name, tags, metric_type)"
                    + " SELECT series_id, metric_name, tags, metric_type FROM series");
            s.execute("DROP TABLE series");
            s.execute("ALTER TABLE series_v5 RENAME TO series");
            s.executeUpdate("UPDATE metrics_schema SET version = 5 WHERE id = 1");
            org.slf4j.LoggerFactory.getLogger(Schema.class).info(
                    "migrated SQLite database {} from schema version 4 to 5 (the set type; {} series kept)", file,
                    series);
        }
    }

    private static StoreException misconfigured(Path file, String problem) {
        return new StoreException(Kind.MISCONFIGURED, "SQLite database " + file + " " + problem
                + ". Point the store at a new file (it is created on start) or move this one away.");
    }

    private static List<String> userTables(Statement s) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                        + " ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static int queryInt(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    static void rollbackQuietly(Statement s) {
        try {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // Nothing to undo: SQLite already rolled back, or never began. The original failure
            // is what the caller reports.
        }
    }
}
