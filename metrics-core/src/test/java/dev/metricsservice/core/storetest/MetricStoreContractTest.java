package dev.metricsservice.core.storetest;

import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.SeriesListQuery;
import dev.metricsservice.core.store.StoreException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.DistinctSketch;
import dev.metricsservice.core.QuantileSketch;
import dev.metricsservice.core.QueryResult;
import dev.metricsservice.core.QueryService;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.TagFilter;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MetricStore} must show. A backend's test extends this class and
 * supplies a fresh, empty store:
 *
 * <pre>{@code
 * class SqliteMetricStoreContractTest extends MetricStoreContractTest {
 *     @TempDir Path dir;
 *     @Override protected MetricStore newStore() {
 *         return SqliteMetricStore.open(dir.resolve("m.db"));
 *     }
 * }
 * }</pre>
 *
 * <p>Published in metrics-core's test-jar. Every number used is an integer-valued or otherwise
 * exactly representable double, so equality checks are exact.
 */
public abstract class MetricStoreContractTest {

    /** Window starts used below: aligned to 10 s, in late 2025. */
    protected static final long T0 = 1_764_000_000L;
    private static final long TIMEOUT_SECONDS = 60;

    protected MetricStore store;

    /** A new, empty store. Called once before each test; closed after it. */
    protected abstract MetricStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    protected void write(WindowAggregate... aggregates) throws Exception {
        await(store.write(List.of(aggregates)));
    }

    protected List<WindowStats> latest(String name, int limit) throws Exception {
        return rows(MetricQuery.latest(name, limit));
    }

    /** The store's answer to {@code q}, grouped and limited as the query service would. */
    protected List<WindowStats> rows(MetricQuery q) throws Exception {
        return result(q).rows();
    }

    protected QueryResult result(MetricQuery q) throws Exception {
        return QueryService.group(q, await(store.query(q)));
    }

    protected static WindowAggregate agg(String name, long window, String writer, long count, double sum,
                                         double min, double max) {
        return new WindowAggregate(SeriesKey.of(name), window, writer, Stats.of(count, sum, min, max));
    }

    @Test
    void write_thenQuery_returnsTheAggregate() throws Exception {
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(3, 60.0, 10.0, 30.0)));
    }

    @Test
    void write_emptyBatch_completes() throws Exception {
        await(store.write(List.of()));

        assertThat(latest("cpu", 20)).isEmpty();
    }

    @Test
    void write_sameIdentityAgain_replacesInsteadOfAdding() throws Exception {
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0));
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0));
        write(agg("cpu", T0, "w1", 5, 100.0, 5.0, 40.0));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(5, 100.0, 5.0, 40.0)));
    }

    @Test
    void write_sameIdentityWithinOneBatch_lastOneWins() throws Exception {
        await(store.write(List.of(agg("cpu", T0, "w1", 1, 1.0, 1.0, 1.0), agg("cpu", T0, "w1", 2, 4.0, 1.0, 3.0))));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(2, 4.0, 1.0, 3.0)));
    }

    @Test
    void query_severalWriters_mergesTheirAggregates() throws Exception {
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0),
                agg("cpu", T0, "w2", 2, 5.0, 1.0, 4.0),
                agg("cpu", T0, "w3", 1, 100.0, 100.0, 100.0));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(6, 165.0, 1.0, 100.0)));
    }

    @Test
    void query_rewriteByOneWriter_keepsTheOthers() throws Exception {
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0), agg("cpu", T0, "w2", 2, 5.0, 1.0, 4.0));
        write(agg("cpu", T0, "w2", 4, 12.0, 1.0, 6.0));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(7, 72.0, 1.0, 30.0)));
    }

    // ------------------------------------------------------------------ amendments

    protected static WindowAggregate amendment(String name, long window, String writer, long amendment, long count,
                                               double sum, double min, double max) {
        return new WindowAggregate(SeriesKey.of(name), window, writer, amendment, Stats.of(count, sum, min, max));
    }

    @Test
    void write_amendment_mergesIntoItsWindow() throws Exception {
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0));
        write(amendment("cpu", T0, "w1", 1_764_000_100_000L, 2, 5.0, 1.0, 4.0));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(5, 65.0, 1.0, 30.0)));
    }

    @Test
    void write_sameAmendmentAgain_replacesIt() throws Exception {
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0));
        write(amendment("cpu", T0, "w1", 7, 2, 5.0, 1.0, 4.0));
        write(amendment("cpu", T0, "w1", 7, 2, 5.0, 1.0, 4.0));
        write(amendment("cpu", T0, "w1", 7, 4, 9.0, 1.0, 4.0));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(7, 69.0, 1.0, 30.0)));
    }

    @Test
    void write_rewriteOfTheWindow_keepsItsAmendments() throws Exception {
        write(agg("cpu", T0, "w1", 3, 60.0, 10.0, 30.0), amendment("cpu", T0, "w1", 7, 1, 2.0, 2.0, 2.0));
        write(agg("cpu", T0, "w1", 4, 61.0, 1.0, 30.0));

        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(5, 63.0, 1.0, 30.0)));
    }

    @Test
    void write_manyAmendmentsOfOneWindow_allCount() throws Exception {
        List<WindowAggregate> batch = new ArrayList<>();
        batch.add(agg("cpu", T0, "w1", 1, 1.0, 1.0, 1.0));
        long expectedCount = 1;
        double expectedSum = 1.0;
        for (int i = 1; i <= 60; i++) {
            batch.add(amendment("cpu", T0, "w1", 1_764_000_000_000L + i, i, i * 2.0, 0.5, 100.0 + i));
            expectedCount += i;
            expectedSum += i * 2.0;
        }
        await(store.write(batch));

        assertThat(latest("cpu", 20)).containsExactly(
                new WindowStats(T0, Stats.of(expectedCount, expectedSum, 0.5, 160.0)));
    }

    @Test
    void write_amendmentsFromSeveralWriters_allCount() throws Exception {
        write(agg("cpu", T0, "w1", 1, 1.0, 1.0, 1.0), agg("cpu", T0, "w2", 1, 2.0, 2.0, 2.0),
                amendment("cpu", T0, "w1", 5, 1, 4.0, 4.0, 4.0), amendment("cpu", T0, "w2", 5, 1, 8.0, 8.0, 8.0),
                amendment("cpu", T0, "w2", 6, 1, 16.0, 16.0, 16.0));
        // A neighbouring window's amendment stays in its own window.
        write(amendment("cpu", T0 + 10, "w1", 5, 1, 32.0, 32.0, 32.0));

        assertThat(latest("cpu", 20)).containsExactly(
                new WindowStats(T0 + 10, Stats.of(32.0)),
                new WindowStats(T0, Stats.of(5, 31.0, 1.0, 16.0)));
    }

    @Test
    void query_amendmentOnlyWindow_countsAsAWindowForTheLimit() throws Exception {
        write(agg("cpu", T0, "w1", 1, 1.0, 1.0, 1.0), amendment("cpu", T0 + 10, "w1", 3, 1, 2.0, 2.0, 2.0),
                agg("cpu", T0 + 20, "w1", 1, 4.0, 4.0, 4.0));

        assertThat(latest("cpu", 2)).containsExactly(
                new WindowStats(T0 + 20, Stats.of(4.0)), new WindowStats(T0 + 10, Stats.of(2.0)));
    }

    @Test
    void query_newestFirst_isOrderedAndLimited() throws Exception {
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            batch.add(agg("mem", T0 + 10L * i, "w1", i + 1, i, 0.0, i));
        }
        await(store.write(batch));

        List<WindowStats> rows = latest("mem", 20);

        assertThat(rows).hasSize(20);
        assertThat(rows.get(0).windowStartEpochSecond()).isEqualTo(T0 + 290);
        assertThat(rows.get(19).windowStartEpochSecond()).isEqualTo(T0 + 100);
        assertThat(rows).extracting(WindowStats::windowStartEpochSecond).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(rows.get(0).stats()).isEqualTo(Stats.of(30, 29.0, 0.0, 29.0));
    }

    @Test
    void query_oldestFirst_startsAtTheRangeStart() throws Exception {
        for (int i = 0; i < 5; i++) {
            write(agg("mem", T0 + 10L * i, "w1", 1, i, i, i));
        }

        List<WindowStats> rows = rows(
                new MetricQuery(SeriesKey.of("mem"), T0, T0 + 1000, 3, MetricQuery.Order.OLDEST_FIRST));

        assertThat(rows).extracting(WindowStats::windowStartEpochSecond).containsExactly(T0, T0 + 10, T0 + 20);
    }

    @Test
    void query_limitCountsWindowsAfterMergingWriters() throws Exception {
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            for (int w = 0; w < 5; w++) {
                batch.add(agg("q", T0 + 10L * i, "w" + w, 1, 1.0, 1.0, 1.0));
            }
        }
        await(store.write(batch));

        List<WindowStats> rows = latest("q", 3);

        assertThat(rows).extracting(WindowStats::windowStartEpochSecond).containsExactly(T0 + 30, T0 + 20, T0 + 10);
        assertThat(rows).allSatisfy(r -> assertThat(r.stats().count()).isEqualTo(5));
    }

    @Test
    void query_range_includesFromAndExcludesTo() throws Exception {
        for (int i = 0; i < 6; i++) {
            write(agg("r", T0 + 10L * i, "w1", 1, i, i, i));
        }

        List<WindowStats> rows = rows(
                new MetricQuery(SeriesKey.of("r"), T0 + 10, T0 + 40, 100, MetricQuery.Order.NEWEST_FIRST));

        assertThat(rows).extracting(WindowStats::windowStartEpochSecond).containsExactly(T0 + 30, T0 + 20, T0 + 10);
    }

    @Test
    void query_emptyRange_returnsNothing() throws Exception {
        write(agg("r", T0, "w1", 1, 1.0, 1.0, 1.0));

        assertThat(rows(new MetricQuery(SeriesKey.of("r"), T0 + 10, T0 + 10, 5, MetricQuery.Order.NEWEST_FIRST)))
                .isEmpty();
    }

    @Test
    void query_unknownName_returnsEmptyList() throws Exception {
        write(agg("cpu", T0, "w1", 1, 1.0, 1.0, 1.0));

        assertThat(latest("no-such-metric", 20)).isEmpty();
    }

    @Test
    void query_namesThatShareAPrefix_areKeptApart() throws Exception {
        write(agg("cpu", T0, "w1", 1, 1.0, 1.0, 1.0),
                agg("cpu2", T0, "w1", 2, 2.0, 1.0, 1.0),
                agg("cp", T0, "w1", 3, 3.0, 1.0, 1.0),
                agg("cpu#w1", T0, "w1", 4, 4.0, 1.0, 1.0));

        assertThat(latest("cpu", 20)).extracting(r -> r.stats().count()).containsExactly(1L);
        assertThat(latest("cpu2", 20)).extracting(r -> r.stats().count()).containsExactly(2L);
        assertThat(latest("cp", 20)).extracting(r -> r.stats().count()).containsExactly(3L);
        assertThat(latest("cpu#w1", 20)).extracting(r -> r.stats().count()).containsExactly(4L);
    }

    @Test
    void write_unusualButValidNames_roundTrip() throws Exception {
        List<String> names = List.of(
                "with space", "slash/and\\back", "quote\"and'apostrophe", "percent%20and+plus", "hash#and|pipe",
                "ünïcödé", "日本語のメトリクス", "emoji \uD83D\uDE80 rocket", "a".repeat(200), "é".repeat(100),
                "sql'; DROP TABLE metrics; --", "{\"json\":true}", "x");
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            batch.add(agg(names.get(i), T0, "w1", i + 1, i, 0.0, i));
        }
        await(store.write(batch));

        for (int i = 0; i < names.size(); i++) {
            assertThat(latest(names.get(i), 20)).as(names.get(i))
                    .containsExactly(new WindowStats(T0, Stats.of(i + 1, i, 0.0, i)));
        }
    }

    /** Negative zero is left out: DynamoDB's number type has no sign for zero. */
    @Test
    void write_doubles_roundTripExactly() throws Exception {
        double[] values = {0.1, 1.0 / 3.0, -2.5e-300, Double.MIN_VALUE, Double.MIN_NORMAL, 1.7976931348623157e308,
                -1.7976931348623157e308, 123456789.12345679, 9007199254740992.0, 4.9e-324, 0.30000000000000004,
                6.02214076e23, 1e-7, 2.2250738585072014E-308};
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            batch.add(agg("d" + i, T0, "w1", 1, v, v, v));
        }
        await(store.write(batch));

        for (int i = 0; i < values.length; i++) {
            Stats s = latest("d" + i, 1).get(0).stats();
            assertThat(Double.doubleToLongBits(s.sum()))
                    .as("sum of d%d was %s, came back as %s", i, values[i], s.sum())
                    .isEqualTo(Double.doubleToLongBits(values[i]));
            assertThat(Double.doubleToLongBits(s.min())).as("min of d%d", i).isEqualTo(Double.doubleToLongBits(values[i]));
            assertThat(Double.doubleToLongBits(s.max())).as("max of d%d", i).isEqualTo(Double.doubleToLongBits(values[i]));
        }
    }

    @Test
    void write_largeBatch_storesEveryAggregate() throws Exception {
        int names = 20;
        int windows = 150; // 3,000 aggregates: more than any backend writes in one request
        List<WindowAggregate> batch = new ArrayList<>();
        for (int n = 0; n < names; n++) {
            for (int w = 0; w < windows; w++) {
                batch.add(agg("big-" + n, T0 + 10L * w, "w1", w + 1, 2.0 * (w + 1), 1.0, 3.0));
            }
        }
        await(store.write(batch));

        for (int n = 0; n < names; n++) {
            List<WindowStats> rows = rows(
                    new MetricQuery(SeriesKey.of("big-" + n), T0, T0 + 10L * windows, 1000, MetricQuery.Order.OLDEST_FIRST));
            assertThat(rows).hasSize(windows);
            long count = rows.stream().mapToLong(r -> r.stats().count()).sum();
            double sum = rows.stream().mapToDouble(r -> r.stats().sum()).sum();
            assertThat(count).isEqualTo((long) windows * (windows + 1) / 2);
            assertThat(sum).isEqualTo(2.0 * windows * (windows + 1) / 2);
        }
    }

    @Test
    void write_concurrentWriters_areAllMerged() throws Exception {
        int threads = 8;
        int windows = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String writer = "writer-" + t;
                int weight = t + 1;
                done.add(pool.submit(() -> {
                    for (int w = 0; w < windows; w++) {
                        // Each writer rewrites its window twice, as a flush worker would.
                        await(store.write(List.of(agg("shared", T0 + 10L * w, writer, 1, weight, weight, weight))));
                        await(store.write(List.of(agg("shared", T0 + 10L * w, writer, weight, weight * weight,
                                weight, weight))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<WindowStats> rows = rows(
                new MetricQuery(SeriesKey.of("shared"), T0, T0 + 10L * windows, 1000, MetricQuery.Order.OLDEST_FIRST));
        assertThat(rows).hasSize(windows);
        long expectedCount = 0;
        double expectedSum = 0;
        for (int t = 1; t <= threads; t++) {
            expectedCount += t;
            expectedSum += (double) t * t;
        }
        for (WindowStats row : rows) {
            assertThat(row.stats()).isEqualTo(Stats.of(expectedCount, expectedSum, 1.0, threads));
        }
    }

    // ------------------------------------------------------------------ tags, types, listing

    protected static WindowAggregate tagged(String name, Tags tags, long window, String writer, Stats stats,
                                            MetricType type) {
        return new WindowAggregate(SeriesKey.of(name, tags), window, writer, 0, stats, type);
    }

    @Test
    void write_taggedSeries_areKeptApartAndAnUntaggedQueryMergesThem() throws Exception {
        write(tagged("cpu", Tags.of("host", "a", "region", "eu"), T0, "w1", Stats.of(1), MetricType.SUMMARY),
                tagged("cpu", Tags.of("host", "b", "region", "eu"), T0, "w1", Stats.of(2), MetricType.SUMMARY),
                tagged("cpu", Tags.of("host", "c", "region", "us"), T0, "w2", Stats.of(4), MetricType.SUMMARY),
                agg("cpu", T0, "w1", 1, 8.0, 8.0, 8.0));

        List<SeriesWindow> raw = await(store.query(MetricQuery.latest("cpu", 20)));
        assertThat(raw).extracting(SeriesWindow::series).containsExactlyInAnyOrder(
                SeriesKey.of("cpu", Tags.of("host", "a", "region", "eu")),
                SeriesKey.of("cpu", Tags.of("host", "b", "region", "eu")),
                SeriesKey.of("cpu", Tags.of("host", "c", "region", "us")),
                SeriesKey.of("cpu"));
        assertThat(latest("cpu", 20)).containsExactly(new WindowStats(T0, Stats.of(4, 15.0, 1.0, 8.0)));
    }

    @Test
    void query_tagFilters_allMustMatch() throws Exception {
        write(tagged("cpu", Tags.of("host", "a", "region", "eu"), T0, "w1", Stats.of(1), MetricType.SUMMARY),
                tagged("cpu", Tags.of("host", "b", "region", "eu"), T0, "w1", Stats.of(2), MetricType.SUMMARY),
                tagged("cpu", Tags.of("host", "a", "region", "us"), T0, "w1", Stats.of(4), MetricType.SUMMARY),
                tagged("cpu2", Tags.of("host", "a", "region", "eu"), T0, "w1", Stats.of(8), MetricType.SUMMARY));

        assertThat(rows(MetricQuery.latest("cpu", 5).where("host", "a")))
                .containsExactly(new WindowStats(T0, Stats.of(2, 5.0, 1.0, 4.0)));
        assertThat(rows(MetricQuery.latest("cpu", 5).where("host", "a").where("region", "eu")))
                .containsExactly(new WindowStats(T0, Stats.of(1)));
        assertThat(rows(MetricQuery.latest("cpu", 5).where("host", "z"))).isEmpty();
        assertThat(rows(MetricQuery.latest("cpu", 5).where("host", "a").where("host", "b"))).isEmpty();
    }

    @Test
    void query_groupByAndStep_overStoredRows() throws Exception {
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batch.add(tagged("lat", Tags.of("region", i % 2 == 0 ? "eu" : "us", "host", "h" + (i % 3)),
                    T0 + 10L * i, "w1", Stats.of(i + 1), MetricType.DISTRIBUTION));
        }
        await(store.write(batch));

        QueryResult r = result(MetricQuery.latest("lat", 5).groupBy(List.of("region")).step(60));

        assertThat(r.type()).contains(MetricType.DISTRIBUTION);
        assertThat(r.groups()).containsExactly(
                new QueryResult.Group(Tags.of("region", "eu"), List.of(
                        new WindowStats(T0 + 60, Stats.of(3, 7.0 + 9 + 11, 7.0, 11.0)),
                        new WindowStats(T0, Stats.of(3, 1.0 + 3 + 5, 1.0, 5.0)))),
                new QueryResult.Group(Tags.of("region", "us"), List.of(
                        new WindowStats(T0 + 60, Stats.of(3, 8.0 + 10 + 12, 8.0, 12.0)),
                        new WindowStats(T0, Stats.of(3, 2.0 + 4 + 6, 2.0, 6.0)))));
    }

    @Test
    void query_limit_holdsEveryWindowTheNewestStepsOfAnySeriesNeed() throws Exception {
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(tagged("m", Tags.of("s", "a"), T0 + 10L * i, "w1", Stats.of(1), MetricType.SUMMARY));
        }
        batch.add(tagged("m", Tags.of("s", "b"), T0 + 50, "w1", Stats.of(10), MetricType.SUMMARY));
        batch.add(tagged("m", Tags.of("s", "b"), T0, "w1", Stats.of(100), MetricType.SUMMARY));
        await(store.write(batch));

        assertThat(rows(MetricQuery.latest("m", 2))).containsExactly(
                new WindowStats(T0 + 50, Stats.of(2, 11.0, 1.0, 10.0)), new WindowStats(T0 + 40, Stats.of(1)));
        assertThat(rows(new MetricQuery(SeriesKey.of("m"), T0, T0 + 100, 1, MetricQuery.Order.OLDEST_FIRST)))
                .containsExactly(new WindowStats(T0, Stats.of(2, 101.0, 1.0, 100.0)));
    }

    @Test
    void write_everyType_roundTripsWithTheGaugesLastValue() throws Exception {
        write(tagged("c", Tags.empty(), T0, "w1", Stats.of(3, 6.0, 1.0, 3.0), MetricType.COUNTER),
                tagged("g", Tags.empty(), T0, "w1", new Stats(2, 3.5, 1.5, 2.0, 1.5, T0 * 1000 + 9_999), MetricType.GAUGE),
                tagged("d", Tags.empty(), T0, "w1", Stats.of(2.0), MetricType.DISTRIBUTION));

        List<SeriesWindow> g = await(store.query(MetricQuery.latest("g", 1)));
        assertThat(g).containsExactly(new SeriesWindow(SeriesKey.of("g"), MetricType.GAUGE, T0,
                new Stats(2, 3.5, 1.5, 2.0, 1.5, T0 * 1000 + 9_999)));
        assertThat(await(store.query(MetricQuery.latest("c", 1)))).extracting(SeriesWindow::type)
                .containsExactly(MetricType.COUNTER);
        assertThat(await(store.query(MetricQuery.latest("d", 1)))).extracting(SeriesWindow::type)
                .containsExactly(MetricType.DISTRIBUTION);
        assertThat(await(store.query(MetricQuery.latest("c", 1))).get(0).stats().hasLast()).isFalse();
    }

    @Test
    void query_gaugeFromSeveralWriters_takesTheLatestTimestamp() throws Exception {
        long ms = T0 * 1000;
        write(tagged("g", Tags.empty(), T0, "w1", new Stats(1, 7, 7, 7, 7, ms + 5_000), MetricType.GAUGE),
                tagged("g", Tags.empty(), T0, "w2", new Stats(1, 3, 3, 3, 3, ms + 8_000), MetricType.GAUGE),
                tagged("g", Tags.empty(), T0, "w3", new Stats(1, 9, 9, 9, 9, ms + 1_000), MetricType.GAUGE));

        assertThat(latest("g", 1)).containsExactly(new WindowStats(T0, new Stats(3, 19, 3, 9, 3, ms + 8_000)));
    }

    @Test
    void write_unusualTags_roundTrip() throws Exception {
        Tags t = Tags.of("path", "/a,b=c:d e", "quote", "\"'%+#|", "unicode", "日本 \uD83D\uDE80", "empty-ish", " ");
        write(tagged("u", t, T0, "w1", Stats.of(1), MetricType.SUMMARY));

        assertThat(await(store.query(MetricQuery.latest("u", 1)))).extracting(SeriesWindow::series)
                .containsExactly(SeriesKey.of("u", t));
        assertThat(rows(MetricQuery.latest("u", 1).where("path", "/a,b=c:d e"))).hasSize(1);
    }

    private List<SeriesInfo> list(Optional<String> name, List<TagFilter> filters, long from, long to, int limit,
                                  Optional<SeriesKey> after) throws Exception {
        return await(store.listSeries(new SeriesListQuery(name, filters, from, to, limit, after)));
    }

    @Test
    void listSeries_ordersFiltersPagesAndHonoursTheRange() throws Exception {
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            batch.add(tagged("cpu", Tags.of("h", "s" + i, "r", i < 4 ? "eu" : "us"), T0, "w1", Stats.of(1),
                    MetricType.SUMMARY));
        }
        batch.add(tagged("hits", Tags.empty(), T0, "w1", Stats.of(1), MetricType.COUNTER));
        batch.add(tagged("old", Tags.empty(), T0 - 86_400, "w1", Stats.of(1), MetricType.SUMMARY));
        await(store.write(batch));
        long from = T0 - 3_600;
        long to = T0 + 3_600;

        List<SeriesInfo> page1 = list(Optional.of("cpu"), List.of(), from, to, 3, Optional.empty());
        List<SeriesInfo> page2 = list(Optional.of("cpu"), List.of(), from, to, 3, Optional.of(page1.get(2).series()));
        List<SeriesInfo> page3 = list(Optional.of("cpu"), List.of(), from, to, 3, Optional.of(page2.get(2).series()));

        assertThat(page1).extracting(s -> s.series().tags().get("h").orElseThrow()).containsExactly("s0", "s1", "s2");
        assertThat(page2).extracting(s -> s.series().tags().get("h").orElseThrow()).containsExactly("s3", "s4", "s5");
        assertThat(page3).extracting(s -> s.series().tags().get("h").orElseThrow()).containsExactly("s6");
        assertThat(list(Optional.of("cpu"), List.of(new TagFilter("r", "us")), from, to, 10, Optional.empty()))
                .hasSize(3);
        assertThat(list(Optional.empty(), List.of(), from, to, 100, Optional.empty()))
                .hasSize(8).last().isEqualTo(new SeriesInfo(SeriesKey.of("hits"), MetricType.COUNTER));
        assertThat(list(Optional.empty(), List.of(), T0 - 100_000, to, 100, Optional.empty())).hasSize(9);
        assertThat(list(Optional.of("nope"), List.of(), from, to, 10, Optional.empty())).isEmpty();
    }

    // ------------------------------------------------------------------ retention

    /**
     * A new, empty store that keeps data for {@code retention} (by the system clock, against the
     * window start). Called by the retention test only; closed by it.
     */
    protected abstract MetricStore newStoreWithRetention(Duration retention) throws Exception;

    @Test
    void retention_expiredWindowsAreNeitherReturnedNorListed() throws Exception {
        long now = System.currentTimeMillis() / 1000 / 10 * 10;
        try (MetricStore kept = newStoreWithRetention(Duration.ofDays(1))) {
            await(kept.write(List.of(
                    agg("r", now - 3 * 86_400, "w1", 1, 1.0, 1.0, 1.0),
                    agg("r", now - 3_600, "w1", 2, 2.0, 1.0, 1.0),
                    agg("gone", now - 2 * 86_400, "w1", 1, 1.0, 1.0, 1.0))));

            MetricQuery q = new MetricQuery(SeriesKey.of("r"), 0, now + 10, 10, MetricQuery.Order.NEWEST_FIRST);
            assertThat(QueryService.group(q, await(kept.query(q))).rows())
                    .containsExactly(new WindowStats(now - 3_600, Stats.of(2, 2.0, 1.0, 1.0)));
            assertThat(await(kept.listSeries(new SeriesListQuery(Optional.empty(), List.of(), 0, now + 10, 10,
                    Optional.empty())))).extracting(SeriesInfo::series).containsExactly(SeriesKey.of("r"));
        }
    }

    @Test
    void checkReady_openStore_succeeds() throws Exception {
        assertThat(await(store.checkReady())).isNull();
    }

    @Test
    void describe_isNotBlank() {
        assertThat(store.describe()).isNotBlank();
    }

    @Test
    void write_afterClose_failsWithClosedKind() {
        store.close();

        assertThatThrownBy(() -> await(store.write(List.of(agg("cpu", T0, "w1", 1, 1.0, 1.0, 1.0)))))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(StoreException.of(e).kind()).isEqualTo(StoreException.Kind.CLOSED));
        store = null;
    }

    private static Stats distribution(double... values) {
        QuantileSketch sketch = new QuantileSketch(0.01, 2048);
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            sketch.add(v);
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return Stats.of(values.length, sum, min, max).withSketch(sketch);
    }

    @Test
    void write_distributionSketches_roundTripAndMergeAcrossWritersAmendmentsTagsAndSteps() throws Exception {
        SeriesKey a = SeriesKey.of("lat", Tags.of("host", "a"));
        SeriesKey b = SeriesKey.of("lat", Tags.of("host", "b"));
        Stats a1 = distribution(1, 2, 3, -4, 0);
        Stats a2 = distribution(1000, 2000.5);
        Stats late = distribution(1e-6, 1e9);
        Stats b1 = distribution(7, 7, 7);
        Stats next = distribution(0.25);
        write(new WindowAggregate(a, T0, "w1", 0, a1, MetricType.DISTRIBUTION),
                new WindowAggregate(a, T0, "w2", 0, a2, MetricType.DISTRIBUTION),
                new WindowAggregate(a, T0, "w1", 3, late, MetricType.DISTRIBUTION),
                new WindowAggregate(b, T0, "w1", 0, b1, MetricType.DISTRIBUTION),
                new WindowAggregate(b, T0 + 10, "w2", 0, next, MetricType.DISTRIBUTION));

        // Per series and window: the writers' and the amendment's sketches, merged bucket by bucket.
        List<SeriesWindow> perSeries = await(store.query(new MetricQuery("lat", List.of(), List.of(), 0, 0,
                Long.MAX_VALUE / 2, 10, MetricQuery.Order.OLDEST_FIRST)));
        Stats expectedA = a1.merge(a2).merge(late);
        assertThat(perSeries).filteredOn(r -> r.series().equals(a)).singleElement()
                .satisfies(r -> assertThat(r.stats()).isEqualTo(expectedA));
        assertThat(expectedA.sketchCount()).isEqualTo(9);

        // One group over both tags and one step over both windows: everything in one sketch. Sorted:
        // -4, 0, 1e-6, 0.25, 1, 2, 3, 7, 7, 7, 1000, 2000.5, 1e9; the median (rank 6) is 3.
        MetricQuery all = new MetricQuery("lat", List.of(), List.of(), 60, 0, Long.MAX_VALUE / 2, 10,
                MetricQuery.Order.OLDEST_FIRST);
        List<WindowStats> rows = rows(all);
        assertThat(rows).hasSize(1);
        Stats merged = rows.get(0).stats();
        Stats expected = expectedA.merge(b1).merge(next);
        assertThat(merged.count()).isEqualTo(13);
        assertThat(merged.sketchCount()).isEqualTo(13);
        assertThat(merged.sketch()).isEqualTo(expected.sketch());
        assertThat(merged.quantile(0)).isEqualTo(-4.0);
        assertThat(merged.quantile(1)).isEqualTo(1e9);
        assertThat(merged.quantile(0.5)).isCloseTo(3.0, org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void write_distributionRewrittenByTheSameWriter_replacesItsSketch() throws Exception {
        SeriesKey k = SeriesKey.of("lat");
        write(new WindowAggregate(k, T0, "w1", 0, distribution(1, 2), MetricType.DISTRIBUTION));
        Stats whole = distribution(1, 2, 30, 40);
        write(new WindowAggregate(k, T0, "w1", 0, whole, MetricType.DISTRIBUTION));

        assertThat(latest("lat", 5)).extracting(WindowStats::stats).containsExactly(whole);
    }

    private static Stats set(long... members) {
        DistinctSketch d = new DistinctSketch();
        double sum = 0;
        for (long m : members) {
            d.add(m);
            sum += m;
        }
        long min = java.util.Arrays.stream(members).min().orElseThrow();
        long max = java.util.Arrays.stream(members).max().orElseThrow();
        return Stats.of(members.length, sum, min, max).withDistinct(d);
    }

    @Test
    void write_setSketches_roundTripAndMergeAsAUnionAcrossWritersAmendmentsAndSteps() throws Exception {
        SeriesKey k = SeriesKey.of("users", Tags.of("app", "web"));
        Stats w1 = set(1, 2, 3, 3, 4);
        Stats w2 = set(3, 4, 5, 6);
        Stats late = set(6, 7);
        Stats next = set(1, 100);
        write(new WindowAggregate(k, T0, "w1", 0, w1, MetricType.SET),
                new WindowAggregate(k, T0, "w2", 0, w2, MetricType.SET),
                new WindowAggregate(k, T0, "w1", 2, late, MetricType.SET),
                new WindowAggregate(k, T0 + 10, "w1", 0, next, MetricType.SET));

        List<SeriesWindow> windows = await(store.query(MetricQuery.latest("users", 5)));
        assertThat(windows).extracting(SeriesWindow::type).containsOnly(MetricType.SET);
        Stats first = windows.get(1).stats();
        assertThat(first).isEqualTo(w1.merge(w2).merge(late));
        assertThat(first.count()).isEqualTo(11);
        assertThat(first.distinctEstimate()).isEqualTo(7); // 1..7, each once
        assertThat(windows.get(0).stats().distinctEstimate()).isEqualTo(2);

        MetricQuery oneStep = new MetricQuery("users", List.of(), List.of(), 60, 0, Long.MAX_VALUE / 2, 10,
                MetricQuery.Order.OLDEST_FIRST);
        assertThat(rows(oneStep)).singleElement()
                .satisfies(r -> assertThat(r.stats().distinctEstimate()).isEqualTo(8)); // 1..7 and 100
    }
}
