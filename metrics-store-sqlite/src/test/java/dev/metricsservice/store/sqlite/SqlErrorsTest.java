package dev.metricsservice.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The classification of SQLite result codes. Most of these (a full disk, an I/O error) cannot be
 * produced on demand by a real file in a unit test, so the driver's exception is built by hand,
 * with the extended codes sqlite-jdbc reports.
 */
class SqlErrorsTest {

    @ParameterizedTest
    @CsvSource({
            "5, TIMEOUT, true",            // SQLITE_BUSY
            "517, TIMEOUT, true",          // SQLITE_BUSY_SNAPSHOT
            "6, TIMEOUT, true",            // SQLITE_LOCKED
            "13, UNAVAILABLE, true",       // SQLITE_FULL
            "10, UNAVAILABLE, true",       // SQLITE_IOERR
            "3850, UNAVAILABLE, true",     // SQLITE_IOERR_LOCK
            "7, UNAVAILABLE, true",        // SQLITE_NOMEM
            "8, ACCESS_DENIED, false",     // SQLITE_READONLY
            "1288, ACCESS_DENIED, false",  // SQLITE_READONLY_DIRECTORY
            "14, MISCONFIGURED, false",    // SQLITE_CANTOPEN
            "26, MISCONFIGURED, false",    // SQLITE_NOTADB
            "11, MISCONFIGURED, false",    // SQLITE_CORRUPT
            "19, INVALID_REQUEST, false",  // SQLITE_CONSTRAINT
            "275, INVALID_REQUEST, false", // SQLITE_CONSTRAINT_CHECK
            "18, INVALID_REQUEST, false",  // SQLITE_TOOBIG
            "1, INTERNAL, false",          // SQLITE_ERROR
            "0, INTERNAL, false"})         // not from SQLite at all
    void map_resultCode_givesKind(int code, Kind kind, boolean retryable) {
        Path file = Path.of("/var/lib/metrics/metrics.db");

        StoreException e = SqlErrors.map(file, "writing 3 aggregates", new SQLException("boom", "HY000", code));

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.getMessage()).startsWith("SQLite database " + file + " (writing 3 aggregates): ").contains("boom");
        assertThat(e.getCause()).isInstanceOf(SQLException.class);
    }

    @ParameterizedTest
    @CsvSource({"13, Free space", "26, Move it away", "8, write access"})
    void map_resultCode_saysWhatToDo(int code, String advice) {
        assertThat(SqlErrors.map(Path.of("m.db"), "x", new SQLException("boom", "HY000", code)).getMessage())
                .contains(advice);
    }
}
