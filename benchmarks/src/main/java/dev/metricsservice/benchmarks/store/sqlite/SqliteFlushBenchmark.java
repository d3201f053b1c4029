package dev.metricsservice.benchmarks.store.sqlite;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.store.sqlite.SqliteMetricStore;
import dev.metricsservice.store.sqlite.SqliteStoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.lang.management.ManagementFactory;

/**
 * Flush throughput of {@link SqliteMetricStore}: items per second for one {@code write} of N
 * window aggregates, against a plain JDBC batch insert of the same rows into the same schema, in
 * one transaction, with the same pragmas and no store layer, once in the batch's (shuffled) order
 * and once pre-sorted into primary-key order outside the timed part ("plain-sorted", the ceiling:
 * the store sorts each batch that way itself, inside its timed write).
 *
 * <p>A small main rather than JMH: one flush of 100,000 rows is a single long operation, each
 * needs a fresh database file, and on a shared, loaded machine the two contenders must be
 * interleaved round by round (JMH would run them one after the other, so load changes between
 * them would show up as a difference). Each round writes one fresh file per contender, in
 * rotating order. Reported per contender: the median, best and worst wall-clock rate; and
 * the ratio store/plain as the median of the per-round ratios (each round's two runs are
 * back to back, so slow drifts in the machine's load cancel) and as the ratio of medians. The
 * process CPU time per item is reported too: it is much less disturbed by other processes on
 * a shared machine than wall-clock time, but the OS counts it in 10 ms steps, so it is coarse for
 * the 10,000-item flush (tens of milliseconds).
 *
 * <p>Run (from the repository root):
 * <pre>{@code
 * mvn -B -ntp -q -pl benchmarks -am package -DskipTests
 * benchmarks/store/run-sqlite.sh            # or: java -cp benchmarks/target/benchmarks.jar \
 *                                           #   dev.metricsservice.benchmarks.store.sqlite.SqliteFlushBenchmark [rounds] [dir]
 * }</pre>
 */
public final class SqliteFlushBenchmark {

    private static final int[] SIZES = {10_000, 100_000};
    private static final int WARMUP_ROUNDS = 3;

    private SqliteFlushBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = Path.of(args.length > 1 ? args[1] : "benchmarks/target/sqlite-bench").toAbsolutePath();
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "SQLite flush benchmark: %d rounds (+%d warm-up), files in %s, %d CPUs, JDK %s%n",
                rounds, WARMUP_ROUNDS, dir, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%-8s %-12s %14s %14s %14s%n", "items", "contender", "median item/s", "best item/s",
                "worst item/s");
        for (int size : SIZES) {
            List<WindowAggregate> batch = batch(size);
            List<WindowAggregate> sorted = new ArrayList<>(batch);
            sorted.sort(BY_KEY);
            Run[] store = new Run[rounds];
            Run[] plain = new Run[rounds];
            Run[] plainSorted = new Run[rounds];
            for (int round = -WARMUP_ROUNDS; round < rounds; round++) {
                // Rotate who goes first, so no one always meets a warmer page cache.
                Run[] runs = new Run[3];
                for (int k = 0; k < 3; k++) {
                    int who = Math.floorMod(round + k, 3);
                    runs[who] = switch (who) {
                        case 0 -> viaStore(dir, batch);
                        case 1 -> viaPlainJdbc(dir, batch);
                        default -> viaPlainJdbc(dir, sorted);
                    };
                }
                if (round >= 0) {
                    store[round] = runs[0];
                    plain[round] = runs[1];
                    plainSorted[round] = runs[2];
                }
            }
            report(size, "store", store);
            report(size, "plain-jdbc", plain);
            report(size, "plain-sorted", plainSorted);
            ratios(size, "store/plain-jdbc", store, plain);
            ratios(size, "store/plain-sorted", store, plainSorted);
        }
    }

    /** The primary key order, as the store sorts a batch (the plain-sorted contender gets it for free). */
    private static final Comparator<WindowAggregate> BY_KEY = Comparator.comparing((WindowAggregate a) -> a.series().name())
            .thenComparingLong(WindowAggregate::windowStartEpochSecond).thenComparing(WindowAggregate::writerId);

    private static void ratios(int size, String label, Run[] a, Run[] b) {
        int rounds = a.length;
        double[] paired = new double[rounds];
        double[] cpu = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            paired[i] = a[i].itemsPerSecond() / b[i].itemsPerSecond();
            cpu[i] = b[i].cpuNanos() / (double) a[i].cpuNanos();
        }
        System.out.printf(Locale.ROOT, "%-8d ratio %-19s median of per-round ratios %.3f, ratio of medians %.3f,"
                + " CPU-time ratio (median) %.3f%n", size, label, median(paired), median(rates(a)) / median(rates(b)),
                median(cpu));
    }

    /** One timed flush: wall-clock items per second and process CPU time spent. */
    record Run(double itemsPerSecond, long cpuNanos) {
    }

    /** Synthetic aggregates: 1,000 names over as many 10 s windows as needed, in shuffled order. */
    static List<WindowAggregate> batch(int size) {
        List<WindowAggregate> batch = new ArrayList<>(size);
        Random random = new Random(size);
        long t0 = 1_764_000_000L;
        for (int i = 0; i < size; i++) {
            double v = random.nextDouble() * 1000;
            batch.add(new WindowAggregate(SeriesKey.of("service.metric-" + (i % 1000)), t0 + 10L * (i / 1000), "bench-writer",
                    Stats.of(1 + random.nextInt(100), v * 50, v / 2, v)));
        }
        Collections.shuffle(batch, random);
        return List.copyOf(batch);
    }

    private static Run viaStore(Path dir, List<WindowAggregate> batch) throws Exception {
        Path file = fresh(dir, "store.db");
        try (SqliteMetricStore store = SqliteMetricStore.open(SqliteStoreConfig.at(file))) {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            store.write(batch).get(10, TimeUnit.MINUTES);
            long nanos = System.nanoTime() - start;
            return new Run(batch.size() * 1e9 / nanos, processCpuNanos() - cpu);
        }
    }

    /**
     * The ceiling: the same schema (created by opening a store on the file, then closed), the same
     * pragmas, one transaction, one prepared INSERT with JDBC batching, on the calling thread.
     */
    private static Run viaPlainJdbc(Path dir, List<WindowAggregate> batch) throws Exception {
        Path file = fresh(dir, "plain.db");
        SqliteMetricStore.open(SqliteStoreConfig.at(file)).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = NORMAL");
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("PRAGMA temp_store = MEMORY");
            s.execute("PRAGMA cache_size = -16384");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO window_aggregate (metric_name, window_start,"
                    + " writer_id, amendment, sample_count, value_sum, value_min, value_max) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                long cpu = processCpuNanos();
                long start = System.nanoTime();
                s.execute("BEGIN IMMEDIATE");
                for (WindowAggregate a : batch) {
                    insert.setString(1, a.series().name());
                    insert.setLong(2, a.windowStartEpochSecond());
                    insert.setString(3, a.writerId());
                    insert.setLong(4, a.amendment());
                    insert.setLong(5, a.stats().count());
                    insert.setDouble(6, a.stats().sum());
                    insert.setDouble(7, a.stats().min());
                    insert.setDouble(8, a.stats().max());
                    insert.addBatch();
                }
                insert.executeBatch();
                s.execute("COMMIT");
                long nanos = System.nanoTime() - start;
                return new Run(batch.size() * 1e9 / nanos, processCpuNanos() - cpu);
            }
        }
    }

    private static Path fresh(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(dir.resolve(name + suffix));
        }
        return file;
    }

    private static void report(int size, String contender, Run[] runs) {
        double[] sorted = rates(runs);
        Arrays.sort(sorted);
        long[] cpu = Arrays.stream(runs).mapToLong(Run::cpuNanos).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-8d %-12s %,14.0f %,14.0f %,14.0f   CPU %,6.0f ns/item (median)%n", size,
                contender, median(sorted), sorted[sorted.length - 1], sorted[0], (double) cpu[cpu.length / 2] / size);
    }

    private static double[] rates(Run[] runs) {
        return Arrays.stream(runs).mapToDouble(Run::itemsPerSecond).toArray();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
