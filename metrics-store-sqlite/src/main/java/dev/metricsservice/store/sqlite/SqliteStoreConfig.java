package dev.metricsservice.store.sqlite;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link SqliteMetricStore}: one source of truth with defaults, validated when built.
 *
 * <pre>{@code
 * SqliteStoreConfig config = SqliteStoreConfig.builder()
 *         .path(Path.of("/var/lib/metrics/metrics.db"))
 *         .busyTimeout(Duration.ofSeconds(5))
 *         .build();
 * try (SqliteMetricStore store = SqliteMetricStore.open(config)) { ... }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param path            the database file; its parent directories are created on open.
 *                        Default {@code ./data/metrics.db}
 * @param busyTimeout     how long a statement waits for a lock held by another connection
 *                        (another process on the same file, or a checkpoint) before failing with
 *                        {@code TIMEOUT}. Default 5 s; between 0 and 10 minutes
 * @param readConnections number of read-only connections (and threads) that serve queries beside
 *                        the single writer connection. Default 2; between 1 and 64
 * @param synchronous     how hard a commit pushes data to the disk; see {@link Synchronous}.
 *                        Default {@link Synchronous#NORMAL}
 * @param closeTimeout    how long {@link SqliteMetricStore#close()} waits for queued work to
 *                        finish. Default 30 s
 * @param retention       how long a window is kept after its start; older windows are not read
 *                        and are deleted in the background, in small transactions. Zero (the
 *                        default) keeps everything
 */
public record SqliteStoreConfig(Path path, Duration busyTimeout, int readConnections,
                                Synchronous synchronous, Duration closeTimeout, Duration retention) {

    /** The default database file, relative to the working directory. */
    public static final Path DEFAULT_PATH = Path.of("data", "metrics.db");

    private static final Duration MAX_BUSY_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_READ_CONNECTIONS = 64;

    /**
     * SQLite's {@code synchronous} setting in WAL mode.
     *
     * <p>With {@link #NORMAL} a commit is written to the write-ahead log without an fsync; the log
     * is synced at each checkpoint. The database can never be corrupted by a crash, and a process
     * crash loses nothing (the log is in the OS page cache), but a power loss or OS crash may roll
     * back the last transactions committed before it. For metrics that is the right trade: the
     * aggregates of the last seconds are at stake, not the file, and a commit costs no fsync.
     * {@link #FULL} fsyncs the log on every commit, so a commit survives power loss too, at the
     * cost of one fsync per written batch.
     */
    public enum Synchronous {
        /** No fsync per commit; survives process crashes, may lose the last commits on power loss. */
        NORMAL,
        /** One fsync of the log per commit; every commit survives power loss. */
        FULL
    }

    public SqliteStoreConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Objects.requireNonNull(synchronous, "synchronous");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative (zero keeps everything), was " + retention);
        }
        if (path.toString().isBlank()) {
            throw new IllegalArgumentException("path must name a database file, was blank");
        }
        if (busyTimeout.isNegative() || busyTimeout.compareTo(MAX_BUSY_TIMEOUT) > 0) {
            throw new IllegalArgumentException(
                    "busyTimeout must be between 0 and " + MAX_BUSY_TIMEOUT + ", was " + busyTimeout);
        }
        if (readConnections < 1 || readConnections > MAX_READ_CONNECTIONS) {
            throw new IllegalArgumentException(
                    "readConnections must be between 1 and " + MAX_READ_CONNECTIONS + ", was " + readConnections);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative, was " + closeTimeout);
        }
    }

    /** The defaults: {@code ./data/metrics.db}, 5 s busy timeout, 2 read connections, NORMAL, kept forever. */
    public static SqliteStoreConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults with another database file. */
    public static SqliteStoreConfig at(Path path) {
        return builder().path(path).build();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().path(path).busyTimeout(busyTimeout).readConnections(readConnections)
                .synchronous(synchronous).closeTimeout(closeTimeout).retention(retention);
    }

    /** Builds a {@link SqliteStoreConfig}; not thread-safe. */
    public static final class Builder {
        private Path path = DEFAULT_PATH;
        private Duration busyTimeout = Duration.ofSeconds(5);
        private int readConnections = 2;
        private Synchronous synchronous = Synchronous.NORMAL;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration retention = Duration.ZERO;

        private Builder() {
        }

        /** The database file (default {@code ./data/metrics.db}). */
        public Builder path(Path path) {
            this.path = path;
            return this;
        }

        /** How long to wait for another connection's lock (default 5 s). */
        public Builder busyTimeout(Duration busyTimeout) {
            this.busyTimeout = busyTimeout;
            return this;
        }

        /** Read connections serving queries (default 2). */
        public Builder readConnections(int readConnections) {
            this.readConnections = readConnections;
            return this;
        }

        /** Durability of a commit (default {@link Synchronous#NORMAL}). */
        public Builder synchronous(Synchronous synchronous) {
            this.synchronous = synchronous;
            return this;
        }

        /** How long close waits for queued work (default 30 s). */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** How long windows are kept (default zero: forever). */
        public Builder retention(Duration retention) {
            this.retention = retention;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public SqliteStoreConfig build() {
            return new SqliteStoreConfig(path, busyTimeout, readConnections, synchronous, closeTimeout, retention);
        }
    }
}
