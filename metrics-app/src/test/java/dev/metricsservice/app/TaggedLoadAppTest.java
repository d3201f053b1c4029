package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.loadgen.LoadGenerator;
import dev.metricsservice.loadgen.LoadModel;
import dev.metricsservice.loadgen.LoadReport;
import dev.metricsservice.loadgen.Profile;
import dev.metricsservice.loadgen.ProfileConstants;
import dev.metricsservice.loadgen.SeriesPlan;
import dev.metricsservice.loadgen.StoredWindows;
import dev.metricsservice.loadgen.Verification;
import dev.metricsservice.loadgen.Verifier;
import dev.metricsservice.store.sqlite.SqliteMetricStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tagged, typed load through the real app on SQLite: 3 names x 8 tag combinations, one counter and
 * one gauge, verified per series over HTTP while serving and again from the file after shutdown.
 */
class TaggedLoadAppTest {

    @TempDir
    Path dir;

    private final AppHarness harness = new AppHarness();

    @Test
    void load_withTagsAndTypes_isVerifiedPerSeriesOverHttpAndFromTheFile() throws Exception {
        SeriesPlan plan = SeriesPlan.parse(List.of("cpu", "requests", "queue"), "host=4,region=2",
                "requests=counter,queue=gauge");
        Path db = dir.resolve("metrics.db");
        LoadReport report;
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--duration", "0", "--flush-interval", "300ms"))) {
            URI base = app.baseUri();
            Verifier overHttp = Verifier.overHttp(base);
            Verifier.Baseline before = overHttp.baseline(plan.series(), Duration.ofSeconds(20));
            report = LoadGenerator.builder()
                    .target(base)
                    .profile(Profile.preset("smoke", new ProfileConstants(2, 6, 12), Duration.ofSeconds(6)))
                    .model(LoadModel.closed())
                    .batchSize(5)
                    .plan(plan)
                    .build()
                    .run();

            Verification live = overHttp.verify(report, before);
            assertThat(live.verified()).as(live.table()).isTrue();
            assertThat(live.checks()).hasSize(24);
            assertThat(live.summaryLine()).startsWith("VERIFIED: 24 series");
            assertThat(report.tallies()).allSatisfy(t -> assertThat(t.acknowledgedCount()).isPositive());

            String grouped = harness.get(base, "/metrics/cpu?group_by=region&limit=1").body();
            assertThat(grouped).contains("\"tags\":{\"region\":\"region-0\"}", "\"tags\":{\"region\":\"region-1\"}");
            String series = harness.get(base, "/series?name=queue&limit=100").body();
            assertThat(series.split("\"type\":\"gauge\"", -1)).hasSize(8 + 1);
            app.shutdown();
        }
        try (SqliteMetricStore reopened = SqliteMetricStore.open(db)) {
            Verification stored = Verifier.of(StoredWindows.store(reopened)).verify(report);
            assertThat(stored.verified()).as(stored.table()).isTrue();
        }
    }

    @Test
    void series_listingAndTaggedQueries_answerTheSameAfterARestart() throws Exception {
        String body = "[{\"name\":\"cpu\",\"value\":1,\"tags\":{\"host\":\"a\",\"region\":\"eu\"}},"
                + "{\"name\":\"cpu\",\"value\":2,\"tags\":{\"host\":\"b\",\"region\":\"eu\"}},"
                + "{\"name\":\"hits\",\"type\":\"counter\",\"value\":5}]";
        String seriesBefore;
        String groupedBefore;
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--duration", "0"))) {
            assertThat(harness.post(app.baseUri(), "application/json", body).statusCode()).isEqualTo(202);
            seriesBefore = harness.get(app.baseUri(), "/series").body();
            groupedBefore = harness.get(app.baseUri(), "/metrics/cpu?group_by=host").body();
            app.shutdown();
        }
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--duration", "0"))) {
            assertThat(harness.get(app.baseUri(), "/series").body()).isEqualTo(seriesBefore)
                    .contains("{\"name\":\"cpu\",\"type\":\"summary\",\"tags\":{\"host\":\"a\",\"region\":\"eu\"}}",
                            "{\"name\":\"hits\",\"type\":\"counter\",\"tags\":{}}");
            assertThat(harness.get(app.baseUri(), "/metrics/cpu?group_by=host").body()).isEqualTo(groupedBefore)
                    .contains("\"tags\":{\"host\":\"a\"}", "\"tags\":{\"host\":\"b\"}");
            app.shutdown();
        }
    }
}
