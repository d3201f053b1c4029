package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Turns the driver's {@link SQLException}s into {@link StoreException}s that say what happened to
 * which file and what to do about it. Classification uses SQLite's primary result code (the low
 * byte of the extended code that sqlite-jdbc reports), so every extended variant of a code is
 * covered.
 */
final class SqlErrors {

    // SQLite primary result codes (https://sqlite.org/rescode.html), as reported by the driver.
    static final int SQLITE_PERM = 3;
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_NOMEM = 7;
    static final int SQLITE_READONLY = 8;
    static final int SQLITE_INTERRUPT = 9;
    static final int SQLITE_IOERR = 10;
    static final int SQLITE_CORRUPT = 11;
    static final int SQLITE_FULL = 13;
    static final int SQLITE_CANTOPEN = 14;
    static final int SQLITE_PROTOCOL = 15;
    static final int SQLITE_SCHEMA = 17;
    static final int SQLITE_TOOBIG = 18;
    static final int SQLITE_CONSTRAINT = 19;
    static final int SQLITE_MISMATCH = 20;
    static final int SQLITE_NOLFS = 22;
    static final int SQLITE_AUTH = 23;
    static final int SQLITE_RANGE = 25;
    static final int SQLITE_NOTADB = 26;

    private SqlErrors() {
    }

    /**
     * Maps a failure of an operation on the database file.
     *
     * @param operation what was being done, e.g. "writing 120 aggregates"
     */
    static StoreException map(Path file, String operation, SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        String head = "SQLite database " + file + " (" + operation + "): ";
        String cause = " [" + e.getMessage() + "]. ";
        return switch (primary) {
            case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL -> new StoreException(Kind.TIMEOUT, head
                    + "the database stayed locked by another connection for longer than the busy timeout" + cause
                    + "Retry later; if it persists, find the other process using the file", e);
            case SQLITE_FULL -> new StoreException(Kind.UNAVAILABLE, head
                    + "the disk (or the file system's quota) is full" + cause
                    + "Free space on that file system; the write can then be retried", e);
            case SQLITE_IOERR, SQLITE_NOMEM, SQLITE_INTERRUPT, SQLITE_SCHEMA, SQLITE_NOLFS -> new StoreException(
                    Kind.UNAVAILABLE, head + "I/O or resource failure" + cause
                    + "Retrying may help; check the disk and the system log if it persists", e);
            case SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH -> new StoreException(Kind.ACCESS_DENIED, head
                    + "the database cannot be written" + cause
                    + "Give this process write access to the file, its -wal and -shm files and their directory", e);
            case SQLITE_CANTOPEN -> new StoreException(Kind.MISCONFIGURED, head
                    + "the database file cannot be opened" + cause
                    + "Check that the path names a file (not a directory) in a directory this process can write", e);
            case SQLITE_CORRUPT, SQLITE_NOTADB -> new StoreException(Kind.MISCONFIGURED, head
                    + "the file is not a SQLite database or is corrupt" + cause
                    + "Move it away (or restore a backup) and restart; a new empty database is then created", e);
            case SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE -> new StoreException(
                    Kind.INVALID_REQUEST, head + "the database rejected the data" + cause.trim(), e);
            default -> new StoreException(Kind.INTERNAL, head + "unexpected SQLite failure" + cause.trim(), e);
        };
    }
}
