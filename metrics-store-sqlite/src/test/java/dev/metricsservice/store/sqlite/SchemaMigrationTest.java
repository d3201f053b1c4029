package dev.metricsservice.store.sqlite;

import static dev.metricsservice.store.sqlite.SqliteTestSupport.await;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.rawConnection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.QuantileSketch;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.SeriesListQuery;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens database files written by the code of every earlier schema version (see
 * {@code fixtures/README.md} for how each was made) and checks that they migrate in place with
 * every row readable.
 */
class SchemaMigrationTest {

    private static final long T0 = 1_764_000_000L;

    @TempDir
    Path dir;

    private Path copyOf(String fixture) throws Exception {
        Path file = dir.resolve(fixture);
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + fixture)) {
            assertThat(in).as("fixture on the test class path").isNotNull();
            Files.copy(in, file);
        }
        return file;
    }

    private static int version(Path file) throws Exception {
        try (Connection c = rawConnection(file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM metrics_schema WHERE id = 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void open_version1File_migratesInPlaceAndReadsEveryRowBack() throws Exception {
        Path file = copyOf("schema-v1.db");
        assertThat(version(file)).isEqualTo(1);

        try (SqliteMetricStore store = SqliteMetricStore.open(file)) {
            assertThat(SqliteTestSupport.rows(store, MetricQuery.latest("cpu", 20))).containsExactly(
                    new WindowStats(T0 + 10, Stats.of(1, -0.0, -0.0, -0.0)),
                    new WindowStats(T0, Stats.of(5, 16.0, 1.0, 6.0)));
            assertThat(SqliteTestSupport.rows(store, MetricQuery.latest("mem", 20)))
                    .containsExactly(new WindowStats(T0, Stats.of(4, 400.0, 50.0, 150.0)));
        }
        assertThat(version(file)).isEqualTo(Schema.CURRENT_VERSION);
    }

    @Test
    void open_version2File_migratesToUntaggedSummarySeriesWithAmendmentsKept() throws Exception {
        Path file = copyOf("schema-v2.db");
        assertThat(version(file)).isEqualTo(2);

        try (SqliteMetricStore store = SqliteMetricStore.open(file)) {
            assertThat(await(store.query(MetricQuery.latest("cpu", 20)))).containsExactly(
                    new SeriesWindow(SeriesKey.of("cpu"), MetricType.SUMMARY, T0 + 10, Stats.of(1, -0.0, -0.0, -0.0)),
                    new SeriesWindow(SeriesKey.of("cpu"), MetricType.SUMMARY, T0,
                            Stats.of(3 + 2 + 1, 6.0 + 10.0 + 100.0, 1.0, 100.0)));
            assertThat(SqliteTestSupport.rows(store, MetricQuery.latest("mem", 20)))
                    .containsExactly(new WindowStats(T0, Stats.of(4, 400.0, 50.0, 150.0)));
            assertThat(await(store.listSeries(new SeriesListQuery(Optional.empty(), List.of(), 0, Long.MAX_VALUE / 2,
                    10, Optional.empty())))).containsExactly(
                    new SeriesInfo(SeriesKey.of("cpu"), MetricType.SUMMARY),
                    new SeriesInfo(SeriesKey.of("mem"), MetricType.SUMMARY));
        }
        assertThat(version(file)).isEqualTo(Schema.CURRENT_VERSION);
    }

    @Test
    void open_version3File_addsTheSketchColumnAndOldDistributionRowsReadWithoutSketch() throws Exception {
        Path file = copyOf("schema-v3.db");
        assertThat(version(file)).isEqualTo(3);

        try (SqliteMetricStore store = SqliteMetricStore.open(file)) {
            assertThat(await(store.query(new MetricQuery("latency", List.of(), List.of(), 0, 0, Long.MAX_VALUE / 2, 20,
                    MetricQuery.Order.NEWEST_FIRST)))).containsExactlyInAnyOrder(
                    new SeriesWindow(SeriesKey.of("latency"), MetricType.DISTRIBUTION, T0, Stats.of(3, 6.0, 1.0, 3.0)),
                    new SeriesWindow(SeriesKey.of("latency", Tags.of("host", "a")), MetricType.DISTRIBUTION, T0,
                            Stats.of(2, 10.0, 4.0, 6.0)));
            assertThat(await(store.query(MetricQuery.latest("temp", 5)))).containsExactly(new SeriesWindow(
                    SeriesKey.of("temp"), MetricType.GAUGE, T0, new Stats(2, 41.0, 20.0, 21.0, 21.0, 1_764_000_005_000L)));
            assertThat(await(store.query(new MetricQuery(SeriesKey.of("cpu", Tags.of("host", "a")), 0, Long.MAX_VALUE / 2,
                    5, MetricQuery.Order.NEWEST_FIRST)))).extracting(SeriesWindow::stats)
                    .containsExactly(Stats.of(4, 400.0, 50.0, 150.0));

            // A new writer's sketch lands beside the old row of the same window; the merge keeps it.
            QuantileSketch sketch = new QuantileSketch(0.01, 2048);
            sketch.add(5.0);
            sketch.add(7.0);
            await(store.write(List.of(new WindowAggregate(SeriesKey.of("latency"), T0, "writer-new", 0,
                    Stats.of(2, 12.0, 5.0, 7.0).withSketch(sketch), MetricType.DISTRIBUTION))));
            Stats merged = await(store.query(new MetricQuery(SeriesKey.of("latency"), 0, Long.MAX_VALUE / 2, 5,
                    MetricQuery.Order.NEWEST_FIRST))).stream().filter(r -> r.series().tags().isEmpty())
                    .findFirst().orElseThrow().stats();
            assertThat(merged.count()).isEqualTo(5);
            assertThat(merged.sketchCount()).isEqualTo(2);
            assertThat(merged.sketch()).isEqualTo(sketch);
        }
        assertThat(version(file)).isEqualTo(Schema.CURRENT_VERSION);
    }

    @Test
    void open_version4File_keepsEverySeriesAndRowAndTakesSets() throws Exception {
        Path file = copyOf("schema-v4.db");
        assertThat(version(file)).isEqualTo(4);

        QuantileSketch sketch = new QuantileSketch(0.01, 2048);
        sketch.add(1.0);
        sketch.add(2.0);
        sketch.add(3.0);
        try (SqliteMetricStore store = SqliteMetricStore.open(file)) {
            assertThat(await(store.query(MetricQuery.latest("latency", 5)))).containsExactly(new SeriesWindow(
                    SeriesKey.of("latency", Tags.of("host", "a")), MetricType.DISTRIBUTION, T0,
                    Stats.of(3, 6.0, 1.0, 3.0).withSketch(sketch)));
            assertThat(await(store.query(MetricQuery.latest("temp", 5)))).containsExactly(new SeriesWindow(
                    SeriesKey.of("temp"), MetricType.GAUGE, T0, new Stats(2, 41.0, 20.0, 21.0, 21.0, 1_764_000_005_000L)));
            // The old counter's row is updated in place by the same identity, through the rebuilt series table.
            await(store.write(List.of(new WindowAggregate(SeriesKey.of("hits", Tags.of("route", "/")), T0 + 10,
                    "writer-b", 0, Stats.of(5, 12.0, 1.0, 4.0), MetricType.COUNTER))));
            assertThat(await(store.query(MetricQuery.latest("hits", 5)))).containsExactly(new SeriesWindow(
                    SeriesKey.of("hits", Tags.of("route", "/")), MetricType.COUNTER, T0 + 10, Stats.of(5, 12.0, 1.0, 4.0)));

            dev.metricsservice.core.DistinctSketch members = new dev.metricsservice.core.DistinctSketch();
            members.add(7);
            members.add(8);
            await(store.write(List.of(new WindowAggregate(SeriesKey.of("users"), T0, "writer-new", 0,
                    Stats.of(3, 22.0, 7.0, 8.0).withDistinct(members), MetricType.SET))));
            assertThat(await(store.query(MetricQuery.latest("users", 5)))).singleElement().satisfies(r -> {
                assertThat(r.type()).isEqualTo(MetricType.SET);
                assertThat(r.stats().distinctEstimate()).isEqualTo(2);
            });
            assertThat(await(store.listSeries(new SeriesListQuery(Optional.empty(), List.of(), 0, Long.MAX_VALUE / 2,
                    10, Optional.empty())))).containsExactly(
                    new SeriesInfo(SeriesKey.of("hits", Tags.of("route", "/")), MetricType.COUNTER),
                    new SeriesInfo(SeriesKey.of("latency", Tags.of("host", "a")), MetricType.DISTRIBUTION),
                    new SeriesInfo(SeriesKey.of("temp"), MetricType.GAUGE),
                    new SeriesInfo(SeriesKey.of("users"), MetricType.SET));
        }
        assertThat(version(file)).isEqualTo(Schema.CURRENT_VERSION);
    }

    @Test
    void open_migratedFile_rewritesOldRowsInPlaceAndTakesTaggedSeriesBeside() throws Exception {
        Path file = copyOf("schema-v1.db");
        try (SqliteMetricStore store = SqliteMetricStore.open(file)) {
            await(store.write(List.of(
                    // the same identity the old code wrote: replaces, does not add
                    new WindowAggregate(SeriesKey.of("cpu"), T0, "writer-a", Stats.of(4, 10.0, 1.0, 4.0)),
                    // an amendment: adds
                    new WindowAggregate(SeriesKey.of("cpu"), T0, "writer-a", 99, Stats.of(1, 100.0, 100.0, 100.0)),
                    // a tagged series of the same name: merged by an untagged query
                    new WindowAggregate(SeriesKey.of("cpu", Tags.of("host", "a")), T0, "writer-a", 0,
                            Stats.of(1000.0), MetricType.SUMMARY))));
        }
        // Reopening a migrated file is a plain start: nothing migrates twice.
        try (SqliteMetricStore store = SqliteMetricStore.open(file)) {
            assertThat(SqliteTestSupport.rows(store, MetricQuery.latest("cpu", 1)))
                    .containsExactly(new WindowStats(T0 + 10, Stats.of(1, -0.0, -0.0, -0.0)));
            assertThat(SqliteTestSupport.rows(store, new MetricQuery(SeriesKey.of("cpu"), T0, T0 + 1, 5,
                    MetricQuery.Order.NEWEST_FIRST))).containsExactly(
                    new WindowStats(T0, Stats.of(4 + 2 + 1 + 1, 10.0 + 10.0 + 100.0 + 1000.0, 1.0, 1000.0)));
            assertThat(SqliteTestSupport.rows(store, MetricQuery.latest("cpu", 5).where("host", "a")))
                    .containsExactly(new WindowStats(T0, Stats.of(1000.0)));
        }
        assertThat(version(file)).isEqualTo(Schema.CURRENT_VERSION);
    }
}
