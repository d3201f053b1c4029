package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.SeriesKey;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.T0;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.agg;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.await;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.failure;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.rawConnection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteMetricStoreTest {

    @TempDir
    Path dir;

    private final List<SqliteMetricStore> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(SqliteMetricStore::close);
    }

    private SqliteMetricStore open(SqliteStoreConfig config) {
        SqliteMetricStore store = SqliteMetricStore.open(config);
        opened.add(store);
        return store;
    }

    private SqliteMetricStore open() {
        return open(SqliteStoreConfig.at(dir.resolve("m.db")));
    }

    private static List<WindowStats> all(SqliteMetricStore store, String name) throws Exception {
        return SqliteTestSupport.rows(store, MetricQuery.latest(name, 100_000));
    }

    @Test
    void write_trickyDoubles_roundTripBitForBit() throws Exception {
        double[] values = {-0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
                Math.nextDown(Double.MIN_NORMAL), 2.2250738585072009E-308, Double.MAX_VALUE, -Double.MAX_VALUE,
                0.1, 0.30000000000000004, 1.0000000000000002, 123456789.12345679, 9007199254740993.0,
                -9007199254740991.0, 1e300, -1e-300, 1e22, 5e-324, 140737488355328.0, -1.0, 3.0,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 4.35e-321, 0.1 + 0.7, 1.7976931348623155E308};
        SqliteMetricStore store = open();
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            batch.add(agg("d" + i, T0, "w1", 1, values[i], values[i], values[i]));
        }
        await(store.write(batch));

        for (int i = 0; i < values.length; i++) {
            Stats s = all(store, "d" + i).get(0).stats();
            long expected = Double.doubleToRawLongBits(values[i]);
            assertThat(Double.doubleToRawLongBits(s.sum())).as("sum %s came back as %s", values[i], s.sum()).isEqualTo(expected);
            assertThat(Double.doubleToRawLongBits(s.min())).as("min %s", values[i]).isEqualTo(expected);
            assertThat(Double.doubleToRawLongBits(s.max())).as("max %s", values[i]).isEqualTo(expected);
        }
    }

    @Test
    void write_trickyDoubles_areStoredAsRealsNotIntegers() throws Exception {
        SqliteMetricStore store = open();
        await(store.write(List.of(agg("z", T0, "w1", 1, -0.0, -0.0, -0.0), agg("i", T0, "w1", 2, 6.0, 2.0, 4.0))));

        // What another tool reading the file sees: typed doubles, so SQL over the file works too.
        try (Connection c = rawConnection(store.file()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT typeof(value_sum) || typeof(value_min) || typeof(value_max)"
                     + " FROM window_aggregate")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("realrealreal");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void write_nanSum_readsBackAsNaN() throws Exception {
        SqliteMetricStore store = open();
        await(store.write(List.of(agg("n", T0, "w1", 2, Double.NaN, 1.0, 2.0))));

        Stats s = all(store, "n").get(0).stats();
        assertThat(s.sum()).isNaN();
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.min()).isEqualTo(1.0);
    }

    @Test
    void write_closeAndReopen_dataPersists() throws Exception {
        Path file = dir.resolve("nested/deeper/m.db");
        SqliteMetricStore first = SqliteMetricStore.open(file);
        await(first.write(List.of(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0), agg("cpu", T0 + 10, "w1", 1, -0.0, -0.0, -0.0))));
        first.close();

        SqliteMetricStore second = open(SqliteStoreConfig.at(file));
        await(second.write(List.of(agg("cpu", T0, "w2", 1, 1.0, 1.0, 1.0))));

        assertThat(all(second, "cpu")).containsExactly(
                new WindowStats(T0 + 10, Stats.of(1, -0.0, -0.0, -0.0)),
                new WindowStats(T0, Stats.of(4, 61.0, 1.0, 30.0)));
        assertThat(Files.isRegularFile(file)).isTrue();
    }

    @Test
    void close_drainsAcceptedWrites() throws Exception {
        Path file = dir.resolve("drain.db");
        SqliteMetricStore store = SqliteMetricStore.open(file);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(store.write(List.of(agg("drain", T0 + 10L * i, "w1", i + 1, i, 0.0, i))));
        }
        store.close();

        for (CompletableFuture<Void> w : writes) {
            assertThat(await(w)).isNull();
        }
        SqliteMetricStore reopened = open(SqliteStoreConfig.at(file));
        List<WindowStats> rows = all(reopened, "drain");
        assertThat(rows).hasSize(200);
        assertThat(rows.stream().mapToLong(r -> r.stats().count()).sum()).isEqualTo(200L * 201 / 2);
    }

    @Test
    void close_thenEveryCall_failsWithClosed() throws Exception {
        SqliteMetricStore store = open();
        store.close();
        store.close(); // idempotent

        assertThat(failure(store.write(List.of())).kind()).isEqualTo(StoreException.Kind.CLOSED);
        assertThat(failure(store.query(MetricQuery.latest("x", 1))).kind()).isEqualTo(StoreException.Kind.CLOSED);
        assertThat(failure(store.checkReady()).kind()).isEqualTo(StoreException.Kind.CLOSED);
    }

    @Test
    void describe_namesTheAbsoluteFile() {
        SqliteMetricStore store = open();

        assertThat(store.describe()).isEqualTo("sqlite " + dir.resolve("m.db").toAbsolutePath());
    }

    @Test
    void write_nullsAndUnpairedSurrogates_failAsInvalidRequest() throws Exception {
        SqliteMetricStore store = open();

        assertThat(failure(store.write(null)).kind()).isEqualTo(StoreException.Kind.INVALID_REQUEST);
        assertThat(failure(store.write(Arrays.asList(agg("a", T0, "w1", 1, 1, 1, 1), null))).kind())
                .isEqualTo(StoreException.Kind.INVALID_REQUEST);
        StoreException bad = failure(store.write(List.of(
                agg("good", T0, "w1", 1, 1, 1, 1), agg("bad\uD800name", T0, "w1", 1, 1, 1, 1))));
        assertThat(bad.kind()).isEqualTo(StoreException.Kind.INVALID_REQUEST);
        assertThat(bad.getMessage()).contains("aggregate 1 of 2", "unpaired UTF-16 surrogate");
        assertThat(failure(store.write(List.of(agg("n", T0, "w\uDC00", 1, 1, 1, 1)))).getMessage()).contains("writer id");
        // All or nothing: the good aggregate of the rejected batch was not stored.
        assertThat(all(store, "good")).isEmpty();
        assertThat(failure(store.query(null)).kind()).isEqualTo(StoreException.Kind.INVALID_REQUEST);
    }

    @Test
    void write_lockHeldLongerThanBusyTimeout_failsRetryableThenSucceeds() throws Exception {
        SqliteMetricStore store = open(SqliteStoreConfig.builder().path(dir.resolve("busy.db"))
                .busyTimeout(Duration.ofMillis(100)).build());
        await(store.write(List.of(agg("b", T0, "w1", 1, 1, 1, 1))));
        try (Connection other = rawConnection(store.file()); Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");

            StoreException e = failure(store.write(List.of(agg("b", T0, "w1", 2, 2, 1, 1))));

            assertThat(e.kind()).isEqualTo(StoreException.Kind.TIMEOUT);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains(store.file().toString(), "locked");
            s.execute("ROLLBACK");
        }
        await(store.write(List.of(agg("b", T0, "w1", 2, 2, 1, 1))));
        assertThat(all(store, "b")).containsExactly(new WindowStats(T0, Stats.of(2, 2, 1, 1)));
    }

    @Test
    void query_whileAWriteWaitsForTheLock_isNotBlockedAndSeesCommittedData() throws Exception {
        SqliteMetricStore store = open(SqliteStoreConfig.builder().path(dir.resolve("wal.db"))
                .busyTimeout(Duration.ofSeconds(60)).build());
        await(store.write(List.of(agg("r", T0, "w1", 1, 1, 1, 1))));
        AtomicReference<String> completedOn = new AtomicReference<>();
        CountDownLatch callbackRan = new CountDownLatch(1);
        CompletableFuture<Void> pending;
        try (Connection other = rawConnection(store.file()); Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            pending = store.write(List.of(agg("r", T0, "w1", 5, 5, 1, 1)));
            // The write cannot finish while the lock is held, so this callback runs when it completes.
            pending.whenComplete((ok, err) -> {
                completedOn.set(Thread.currentThread().getName());
                callbackRan.countDown();
            });

            assertThat(all(store, "r")).containsExactly(new WindowStats(T0, Stats.of(1, 1, 1, 1)));
            assertThat(await(store.checkReady())).isNull();
            assertThat(pending).isNotDone();
            s.execute("COMMIT");
        }
        // Wait on a latch, not on the future: a thread blocked in get() may itself run the
        // callbacks once the future completes, which would hide the completing thread.
        assertThat(callbackRan.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(completedOn.get()).startsWith("sqlite-store-wal.db-writer");
        assertThat(pending).isCompleted();
        assertThat(all(store, "r")).containsExactly(new WindowStats(T0, Stats.of(5, 5, 1, 1)));
    }

    @Test
    void checkReady_fileDeletedWhileOpen_failsUnavailable() throws Exception {
        SqliteMetricStore store = open();
        Files.delete(store.file());

        StoreException e = failure(store.checkReady());

        assertThat(e.kind()).isEqualTo(StoreException.Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains(store.file().toString(), "no longer exists");
    }

    @Test
    void query_threeWritersBothOrders_mergeIdentically() throws Exception {
        SqliteMetricStore store = open();
        // Sums whose rounding depends on the order of addition.
        await(store.write(List.of(agg("o", T0, "a", 1, 1e16, 1, 1), agg("o", T0, "b", 1, 1.0, 1, 1),
                agg("o", T0, "c", 1, -1e16, 1, 1), agg("o", T0 + 10, "a", 1, 1, 1, 1))));

        Stats expected = Stats.of(1, 1e16, 1, 1).merge(Stats.of(1, 1.0, 1, 1)).merge(Stats.of(1, -1e16, 1, 1));
        List<WindowStats> newest = SqliteTestSupport.rows(store, new MetricQuery(SeriesKey.of("o"), T0, T0 + 20, 10, MetricQuery.Order.NEWEST_FIRST));
        List<WindowStats> oldest = SqliteTestSupport.rows(store, new MetricQuery(SeriesKey.of("o"), T0, T0 + 20, 10, MetricQuery.Order.OLDEST_FIRST));

        assertThat(newest.get(1)).isEqualTo(new WindowStats(T0, expected));
        assertThat(oldest.get(0)).isEqualTo(new WindowStats(T0, expected));
    }

    @Test
    void write_synchronousFull_works() throws Exception {
        SqliteMetricStore store = open(SqliteStoreConfig.builder().path(dir.resolve("full.db"))
                .synchronous(SqliteStoreConfig.Synchronous.FULL).readConnections(1).build());
        await(store.write(List.of(agg("f", T0, "w1", 1, 1, 1, 1))));

        assertThat(all(store, "f")).hasSize(1);
        try (Connection c = rawConnection(store.file()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void write_diskFull_failsRetryableAndStoresNothingOfTheBatch() throws Exception {
        Path file = dir.resolve("full-disk.db");
        SqliteMetricStore.open(file).close();
        // max_page_count caps the file like a full disk would: SQLite answers SQLITE_FULL.
        SqliteMetricStore store = SqliteMetricStore.open(SqliteStoreConfig.at(file), List.of("PRAGMA max_page_count = 16"));
        opened.add(store);
        await(store.write(List.of(agg("small", T0, "w1", 1, 1, 1, 1))));
        List<WindowAggregate> big = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            big.add(agg("big-" + i, T0, "w1", 1, i, i, i));
        }

        StoreException e = failure(store.write(big));

        assertThat(e.kind()).isEqualTo(StoreException.Kind.UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains(file.toString(), "full", "Free space");
        assertThat(all(store, "big-0")).isEmpty();
        assertThat(all(store, "big-19999")).isEmpty();
        // The store stays usable: what fits is still written.
        await(store.write(List.of(agg("small", T0 + 10, "w1", 2, 2, 1, 1))));
        assertThat(all(store, "small")).hasSize(2);
    }

    @Test
    void close_fromACallbackOnTheStoresOwnThread_doesNotWaitForItself() throws Exception {
        Path file = dir.resolve("self-close.db");
        // A close that waited for its own thread would hang for the whole close timeout.
        SqliteMetricStore store = SqliteMetricStore.open(SqliteStoreConfig.builder().path(file)
                .busyTimeout(Duration.ofSeconds(60)).closeTimeout(Duration.ofMinutes(10)).build());
        AtomicReference<String> closedOn = new AtomicReference<>();
        CompletableFuture<Void> closedInCallback;
        CompletableFuture<Void> queuedBehind;
        try (Connection other = rawConnection(file); Statement s = other.createStatement()) {
            // Holding the lock keeps the first write pending, so its callback surely runs on the
            // writer thread, and the second write is surely accepted before the close.
            s.execute("BEGIN IMMEDIATE");
            CompletableFuture<Void> first = store.write(List.of(agg("s", T0, "w1", 1, 1, 1, 1)));
            closedInCallback = first.thenRun(() -> {
                closedOn.set(Thread.currentThread().getName());
                store.close();
            });
            queuedBehind = store.write(List.of(agg("s", T0 + 10, "w1", 2, 2, 1, 1)));
            s.execute("ROLLBACK");
        }

        await(closedInCallback);
        await(queuedBehind);
        assertThat(closedOn.get()).startsWith("sqlite-store-self-close.db-writer");
        assertThat(failure(store.write(List.of())).kind()).isEqualTo(StoreException.Kind.CLOSED);
        SqliteMetricStore reopened = open(SqliteStoreConfig.at(file));
        assertThat(all(reopened, "s")).hasSize(2);
    }

    @Test
    void write_repeatedIdentitiesInterleavedInOneBatch_lastOneWins() throws Exception {
        SqliteMetricStore store = open();
        // The store sorts a batch into key order before inserting; the sort must keep batch order
        // among equal identities.
        await(store.write(List.of(agg("z", T0, "w1", 1, 1, 1, 1), agg("a", T0, "w1", 9, 9, 1, 1),
                agg("z", T0, "w1", 2, 2, 1, 1), agg("m", T0 + 10, "w2", 5, 5, 1, 1), agg("z", T0, "w1", 3, 3, 1, 1),
                agg("a", T0, "w1", 4, 4, 1, 1))));

        assertThat(all(store, "z")).containsExactly(new WindowStats(T0, Stats.of(3, 3, 1, 1)));
        assertThat(all(store, "a")).containsExactly(new WindowStats(T0, Stats.of(4, 4, 1, 1)));
        assertThat(all(store, "m")).containsExactly(new WindowStats(T0 + 10, Stats.of(5, 5, 1, 1)));
    }

    private static long rowCount(Path file) throws Exception {
        try (Connection c = rawConnection(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM window_aggregate")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void sweepExpired_deletesOldWindowsInSmallTransactionsAndKeepsTheRest() throws Exception {
        Path file = dir.resolve("retention.db");
        long now = System.currentTimeMillis() / 1000 / 10 * 10;
        try (SqliteMetricStore s = SqliteMetricStore.open(
                SqliteStoreConfig.builder().path(file).retention(Duration.ofDays(2)).build())) {
            await(s.sweepExpired()); // the sweep at open found nothing; make sure it is over
            List<WindowAggregate> batch = new ArrayList<>();
            int expired = 2 * SqliteMetricStore.RETENTION_BATCH_ROWS + 500;
            for (int i = 0; i < expired; i++) {
                batch.add(agg("old-" + (i % 7), now - 3 * 86_400 - 10L * i, "w1", 1, 1, 1, 1));
            }
            batch.add(agg("fresh", now - 60, "w1", 1, 1, 1, 1));
            await(s.write(batch));

            assertThat(await(s.sweepExpired())).isEqualTo(expired);
            assertThat(rowCount(file)).isEqualTo(1);
            assertThat(await(s.sweepExpired())).isZero();
        }
    }
}
