package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.store.SeriesListQuery;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MetricStore} in one embedded SQLite database file: the default store of the app.
 *
 * <pre>{@code
 * try (SqliteMetricStore store = SqliteMetricStore.open(SqliteStoreConfig.at(Path.of("data/metrics.db")))) {
 *     store.write(batch.aggregates()).thenRun(batch::commit);
 *     List<SeriesWindow> rows = store.query(MetricQuery.latest("cpu", 20)).join();
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Everything in the {@link MetricStore} contract: idempotent replace per (name, window,
 *       writer), writers merged with {@code Stats.merge}, exact doubles (including {@code -0.0},
 *       subnormals and infinities; a NaN sum reads back as NaN), failures only as
 *       {@link StoreException}.</li>
 *   <li><b>Atomic writes.</b> One {@link #write} is one SQLite transaction: after a failure none
 *       of its aggregates is stored.</li>
 *   <li><b>Ordered writes.</b> Writes are applied one at a time in the order {@code write} was
 *       called (one writer thread, first in first out).</li>
 *   <li><b>Never on the caller's thread.</b> SQL runs on the store's threads: one writer thread
 *       owning the only write connection, and {@code readConnections} reader threads each owning a
 *       read-only connection. In WAL mode readers see the last committed state and are never
 *       blocked by a running write, so a query does not wait behind a large flush. Futures are
 *       completed by the store's threads, including failures found before any SQL runs.</li>
 *   <li><b>Durability.</b> A completed write survives a crash of the process; with
 *       {@link SqliteStoreConfig.Synchronous#FULL} it also survives power loss.</li>
 *   <li><b>Start-up checks.</b> {@link #open} fails with {@link Kind#MISCONFIGURED} and a message
 *       naming the file when it cannot be created or written, is not a SQLite database, belongs to
 *       another application, or has a schema this build does not know.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #open} blocks (it creates or checks the file) and is meant for start-up,
 * not an event loop; every other method returns at once.
 */
public final class SqliteMetricStore implements MetricStore {

    private static final Logger log = LoggerFactory.getLogger(SqliteMetricStore.class);

    private final Path file;
    private final SqliteStoreConfig config;
    private final ExecutorService writerThread;
    private final ExecutorService readerThreads;
    /** Idle readers; as many as reader threads, so a reader task never waits for one. */
    private final BlockingQueue<WindowReader> idleReaders;
    /** Touched only on the writer thread after open. */
    private final AggregateWriter writer;
    private boolean writerClosed;
    /** Set (under the idleReaders lock) once close() has closed the idle readers. */
    private boolean readersClosed;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqliteMetricStore(Path file, SqliteStoreConfig config, AggregateWriter writer, List<WindowReader> readers) {
        this.file = file;
        this.config = config;
        this.writer = writer;
        this.idleReaders = new ArrayBlockingQueue<>(readers.size(), false, readers);
        String base = "sqlite-store-" + file.getFileName();
        this.writerThread = Executors.newSingleThreadExecutor(threads(base + "-writer"));
        this.readerThreads = Executors.newFixedThreadPool(readers.size(), threads(base + "-reader"));
        if (config.retention().isZero()) {
            this.sweeper = null;
        } else {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(threads(base + "-retention"));
            sweeper.scheduleWithFixedDelay(() -> {
                try {
                    sweepExpired().get();
                } catch (Exception e) {
                    log.warn("SQLite store {}: retention sweep failed: {}", file, e.toString());
                }
            }, 0, RETENTION_SWEEP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** How often windows past the retention are deleted. */
    static final java.time.Duration RETENTION_SWEEP_INTERVAL = java.time.Duration.ofMinutes(1);
    /** Schedules retention sweeps; null without a retention. */
    private final ScheduledExecutorService sweeper;

    /**
     * Opens (creating if needed) the database file of the configuration: creates its parent
     * directories, switches it to WAL mode, creates or checks the schema, and opens the
     * connections. Blocks; call at start-up.
     *
     * @throws StoreException MISCONFIGURED naming the file and what to do when the location is
     *     unusable or the file is not a compatible database; TIMEOUT when another process holds a
     *     lock on it for longer than the busy timeout
     */
    public static SqliteMetricStore open(SqliteStoreConfig config) {
        return open(config, List.of());
    }

    /**
     * As {@link #open(SqliteStoreConfig)}, running extra statements on the writer connection after
     * the schema check. A test seam: lets tests cap the file size to provoke a real "disk full".
     */
    static SqliteMetricStore open(SqliteStoreConfig config, List<String> extraWriterStatements) {
        Path file = config.path().toAbsolutePath().normalize();
        prepareLocation(file);
        AggregateWriter writer = null;
        List<WindowReader> readers = new ArrayList<>();
        try {
            Connection wc = Connections.openWriter(file, config);
            try {
                Schema.ensure(wc, file);
                try (var s = wc.createStatement()) {
                    for (String sql : extraWriterStatements) {
                        s.execute(sql);
                    }
                }
                writer = new AggregateWriter(wc);
            } finally {
                if (writer == null) {
                    wc.close();
                }
            }
            for (int i = 0; i < config.readConnections(); i++) {
                Connection rc = Connections.openReader(file, config);
                try {
                    readers.add(new WindowReader(rc, config.retention().toSeconds()));
                } catch (SQLException e) {
                    rc.close();
                    throw e;
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeAfterFailedOpen(writer, readers, e);
            if (e instanceof StoreException se) {
                throw se;
            }
            if (e instanceof SQLException sql) {
                throw atStartUp(SqlErrors.map(file, "opening", sql));
            }
            throw new StoreException(Kind.INTERNAL, "could not open SQLite database " + file + ": " + e, e);
        }
        log.info("SQLite metric store opened at {} ({} read connections, synchronous={})",
                file, config.readConnections(), config.synchronous());
        return new SqliteMetricStore(file, config, writer, readers);
    }

    /** Opens a store on {@code file} with the default settings. */
    public static SqliteMetricStore open(Path file) {
        return open(SqliteStoreConfig.at(file));
    }

    @Override
    public CompletableFuture<Void> write(List<WindowAggregate> aggregates) {
        if (closed.get()) {
            return failedAsync(closedError());
        }
        List<WindowAggregate> copy;
        try {
            // The caller may reuse its list once we return; the write runs later.
            copy = List.copyOf(aggregates);
        } catch (NullPointerException e) {
            return failedAsync(new StoreException(Kind.INVALID_REQUEST,
                    "write needs a list of aggregates without nulls, got " + (aggregates == null ? "null" : "a null element"), e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        submit(writerThread, result, () -> {
            if (writerClosed) {
                throw closedError();
            }
            try {
                writer.write(copy);
            } catch (SQLException e) {
                throw SqlErrors.map(file, "writing " + copy.size() + " aggregates", e);
            }
            return null;
        });
        return result;
    }

    @Override
    public CompletableFuture<List<SeriesWindow>> query(MetricQuery query) {
        if (query == null) {
            return failedAsync(new StoreException(Kind.INVALID_REQUEST, "query must not be null"));
        }
        return onReader("querying " + query.name(), reader -> reader.query(query));
    }

    @Override
    public CompletableFuture<List<SeriesInfo>> listSeries(SeriesListQuery query) {
        if (query == null) {
            return failedAsync(new StoreException(Kind.INVALID_REQUEST, "query must not be null"));
        }
        return onReader("listing series", reader -> reader.listSeries(query));
    }

    /** Rows deleted per retention transaction: small, so a flush never waits long behind one. */
    static final int RETENTION_BATCH_ROWS = 1_000;

    /**
     * Deletes every aggregate past the retention, in transactions of {@link #RETENTION_BATCH_ROWS}
     * rows queued one at a time on the writer thread, so that writes interleave with them. Runs on
     * open and then every {@link #RETENTION_SWEEP_INTERVAL}; a test calls it directly.
     *
     * @return the number of rows deleted by this sweep
     */
    CompletableFuture<Long> sweepExpired() {
        CompletableFuture<Long> done = new CompletableFuture<>();
        long retention = config.retention().toSeconds();
        if (retention == 0 || closed.get()) {
            done.complete(0L);
            return done;
        }
        long before = System.currentTimeMillis() / 1000 - retention;
        sweepBatch(before, 0, done);
        return done;
    }

    private void sweepBatch(long before, long deletedSoFar, CompletableFuture<Long> done) {
        CompletableFuture<Integer> batch = new CompletableFuture<>();
        submit(writerThread, batch, () -> writerClosed ? 0 : writer.deleteExpired(before, RETENTION_BATCH_ROWS));
        batch.whenComplete((n, error) -> {
            if (error != null) {
                log.warn("SQLite store {}: deleting windows past the retention failed, retried at the next sweep: {}",
                        file, error.toString());
                done.complete(deletedSoFar);
            } else if (n == RETENTION_BATCH_ROWS && !closed.get()) {
                sweepBatch(before, deletedSoFar + n, done);
            } else {
                done.complete(deletedSoFar + n);
            }
        });
    }

    @Override
    public CompletableFuture<Void> checkReady() {
        return onReader("checking readiness", reader -> {
            if (!Files.isRegularFile(file)) {
                // SQLite keeps working on a deleted file's inode, and everything written after the
                // deletion would vanish with the process.
                throw new StoreException(Kind.UNAVAILABLE, "SQLite database " + file
                        + " no longer exists (deleted or moved while open); restart to create a new one");
            }
            reader.checkReady();
            return null;
        });
    }

    /** {@code "sqlite "} and the absolute path of the database file. */
    @Override
    public String describe() {
        return "sqlite " + file;
    }

    /** The absolute path of the database file. */
    public Path file() {
        return file;
    }

    /** The configuration this store was opened with. */
    public SqliteStoreConfig config() {
        return config;
    }

    /**
     * Stops accepting calls (they fail with {@link Kind#CLOSED}), lets the writes and queries
     * already accepted finish, waiting up to {@code closeTimeout}, then closes the connections.
     * The last connection to close checkpoints the log into the database file. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Queued behind every accepted write (one thread, FIFO), so those still complete.
        try {
            writerThread.execute(this::closeWriter);
        } catch (RejectedExecutionException impossible) {
            throw new IllegalStateException("writer thread stopped before close", impossible);
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        writerThread.shutdown();
        readerThreads.shutdown();
        if (Thread.currentThread() instanceof StoreThread t && t.owner == this) {
            // Called from a callback of one of our own futures: waiting for our threads would
            // wait for ourselves. The queued writes still run, and the connections are closed
            // by the writer's close task and by the last use of each reader.
            closeIdleReaders();
            return;
        }
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        boolean drained = awaitUntil(writerThread, deadline) & awaitUntil(readerThreads, deadline);
        if (!drained) {
            log.warn("SQLite store {}: work still running {} after close; its connections close when it ends",
                    file, config.closeTimeout());
        }
        closeIdleReaders();
    }

    private void closeIdleReaders() {
        synchronized (idleReaders) {
            readersClosed = true;
            for (WindowReader r; (r = idleReaders.poll()) != null; ) {
                closeQuietly(r);
            }
        }
    }

    private void closeWriter() {
        writerClosed = true;
        closeQuietly(writer);
    }

    private interface ReadTask<T> {
        T run(WindowReader reader) throws SQLException;
    }

    private interface Task<T> {
        T run() throws SQLException;
    }

    private <T> CompletableFuture<T> onReader(String operation, ReadTask<T> task) {
        if (closed.get()) {
            return failedAsync(closedError());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        submit(readerThreads, result, () -> {
            WindowReader reader = idleReaders.poll();
            if (reader == null) {
                // Only after close gave the idle readers back: the store is closing.
                throw closedError();
            }
            try {
                return task.run(reader);
            } catch (SQLException e) {
                throw SqlErrors.map(file, operation, e);
            } finally {
                release(reader);
            }
        });
        return result;
    }

    private void release(WindowReader reader) {
        synchronized (idleReaders) {
            if (readersClosed) {
                // close() gave up waiting for this query; the reader is closed by its last user.
                closeQuietly(reader);
            } else {
                idleReaders.add(reader);
            }
        }
    }

    private <T> void submit(ExecutorService executor, CompletableFuture<T> result, Task<T> task) {
        try {
            executor.execute(() -> {
                try {
                    result.complete(task.run());
                } catch (StoreException e) {
                    result.completeExceptionally(e);
                } catch (SQLException | RuntimeException e) {
                    result.completeExceptionally(new StoreException(Kind.INTERNAL,
                            "unexpected failure in SQLite store " + file + ": " + e, e));
                }
            });
        } catch (RejectedExecutionException e) {
            StoreException closedError = closedError();
            CompletableFuture.runAsync(() -> result.completeExceptionally(closedError));
        }
    }

    private StoreException closedError() {
        return new StoreException(Kind.CLOSED, "the SQLite store " + file + " is closed");
    }

    /** A failed future completed by another thread, so that callbacks never run on the caller's. */
    private static <T> CompletableFuture<T> failedAsync(StoreException error) {
        CompletableFuture<T> f = new CompletableFuture<>();
        CompletableFuture.runAsync(() -> f.completeExceptionally(error));
        return f;
    }

    private static void prepareLocation(Path file) {
        if (file.toString().indexOf('?') >= 0) {
            throw new StoreException(Kind.MISCONFIGURED, "SQLite database path " + file
                    + " contains '?', which the SQLite driver reads as the start of connection options;"
                    + " choose a path without '?'");
        }
        if (Files.isDirectory(file)) {
            throw new StoreException(Kind.MISCONFIGURED, "SQLite database path " + file
                    + " is a directory; set the path to a file inside it, e.g. " + file.resolve("metrics.db"));
        }
        Path parent = file.getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException | SecurityException e) {
            throw new StoreException(Kind.MISCONFIGURED, "cannot create the directory " + parent
                    + " for SQLite database " + file + " (" + e + "); create it, or choose a writable location", e);
        }
    }

    /** At start-up, anything that retrying cannot fix is a configuration problem of the file. */
    private static StoreException atStartUp(StoreException e) {
        if (e.isRetryable() || e.kind() == Kind.MISCONFIGURED) {
            return e;
        }
        return new StoreException(Kind.MISCONFIGURED, e.getMessage(), e.getCause());
    }

    private static void closeAfterFailedOpen(AggregateWriter writer, List<WindowReader> readers, Exception failure) {
        for (AutoCloseable c : readers) {
            closeInto(c, failure);
        }
        if (writer != null) {
            closeInto(writer, failure);
        }
    }

    private static void closeInto(AutoCloseable c, Exception failure) {
        try {
            c.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    private void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Close is best effort: the data is committed already, and the next open recovers the
            // log. Logged once, not rethrown, because close() has no caller to act on it.
            log.warn("SQLite store {}: closing a connection failed: {}", file, e.toString());
        }
    }

    private static boolean awaitUntil(ExecutorService executor, long deadlineNanos) {
        try {
            return executor.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> new StoreThread(this, r, prefix + "-" + n.incrementAndGet());
    }

    /** A thread of this store, so that close() can tell when it is called from one. */
    private static final class StoreThread extends Thread {
        final SqliteMetricStore owner;

        StoreThread(SqliteMetricStore owner, Runnable task, String name) {
            super(task, name);
            this.owner = owner;
            // Daemon: a store that was never closed must not keep the JVM alive. close() is what
            // guarantees that accepted writes finish.
            setDaemon(true);
        }
    }
}
