package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.loadgen.Verification;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The full pipeline in-process: real HTTP server, store, flush worker, load generator and telemetry. */
class AppEndToEndTest {

    @TempDir
    Path dir;

    private final AppHarness harness = new AppHarness();

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void runDemo_smokeProfile_endsVerifiedWithReportsAndTraces(String store) throws Exception {
        MetricsApp.DemoOutcome outcome;
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--store", store))) {
            outcome = app.runDemo();
        }

        assertThat(outcome.verified()).as(harness.output()).isTrue();
        assertThat(outcome.report().total().post().successes()).isPositive();
        assertThat(harness.output()).contains("VERIFIED", "final flush: stored", "traces:");
        assertThat(Files.readString(outcome.htmlReport())).contains("<svg");
        assertThat(Files.size(outcome.jsonReport())).isPositive();
        try (var files = Files.list(dir.resolve("traces"))) {
            assertThat(files.filter(f -> f.getFileName().toString().matches("trace\\.\\d+\\.bin(\\.gz)?")))
                    .isNotEmpty();
        }
    }

    @Test
    void runDemo_restartOnSameSqliteFile_keepsEarlierDataQueryable() throws Exception {
        MetricsApp.DemoOutcome first;
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir))) {
            first = app.runDemo();
        }
        assertThat(first.verified()).as(harness.output()).isTrue();
        long firstCpu = first.verification().checks().stream().filter(c -> c.name().equals("cpu"))
                .mapToLong(Verification.MetricCheck::storedCount).sum();

        try (MetricsApp second = harness.start(AppHarness.baseArgs(dir, "--duration", "0"))) {
            URI base = second.baseUri();
            HttpResponse<String> rows = harness.get(base, "/metrics/cpu?from=0&to=9999999999&limit=1000");
            HttpResponse<String> stats = harness.get(base, "/stats");

            assertThat(rows.statusCode()).isEqualTo(200);
            assertThat(sumOfCounts(rows.body())).isEqualTo(firstCpu);
            assertThat(stats.statusCode()).isEqualTo(200);
            assertThat(stats.body()).contains("\"flush\":{\"healthy\":true", "\"telemetry\":{\"enabled\":true",
                    "\"aggregator\":", "\"server\":");
        }
    }

    @Test
    void runDemo_garbageDuringTheLoad_isRejectedAndChangesNoTotals() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--store", "memory", "--max-body-bytes", "4KiB"))) {
            URI base = app.baseUri();
            Future<MetricsApp.DemoOutcome> demo = pool.submit(app::runDemo);
            List<Integer> statuses = new ArrayList<>();
            String huge = "{\"name\":\"cpu\",\"value\":1,\"pad\":\"" + "x".repeat(10_000) + "\"}";
            // Only while the load is surely still running (the smoke profile lasts 5 s).
            long sendUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            for (int round = 0; round < 20 && System.nanoTime() < sendUntil; round++) {
                statuses.add(harness.post(base, "application/json", "{\"name\": \"cpu\", \"value\": ").statusCode());
                statuses.add(harness.post(base, "application/json", "{\"name\": \"cpu\", \"value\": \"NaN\"}").statusCode());
                statuses.add(harness.post(base, "application/json", "{\"name\": \"\", \"value\": 1}").statusCode());
                statuses.add(harness.post(base, "text/plain", "cpu 1").statusCode());
                statuses.add(harness.post(base, "application/json", huge).statusCode());
                // All or none: one valid sample beside an invalid one must not be recorded.
                statuses.add(harness.post(base, "application/json",
                        "[{\"name\":\"cpu\",\"value\":1},{\"name\":\"cpu\",\"value\":1e999}]").statusCode());
                Thread.sleep(100);
            }
            MetricsApp.DemoOutcome outcome = demo.get(2, TimeUnit.MINUTES);

            assertThat(statuses).isNotEmpty().allSatisfy(s -> assertThat(s).isBetween(400, 499));
            assertThat(statuses).contains(400, 413, 415, 422);
            assertThat(outcome.verified()).as(harness.output()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runDemo_withAuthToken_generatorAuthenticatesAndStrangersGet401() throws Exception {
        String token = "s3cret-token-0123456789";
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--store", "memory", "--auth-token", token))) {
            HttpResponse<String> stranger = harness.post(app.baseUri(), "application/json", "{\"name\":\"cpu\",\"value\":1}");
            MetricsApp.DemoOutcome outcome = app.runDemo();

            assertThat(stranger.statusCode()).isEqualTo(401);
            assertThat(outcome.verified()).as(harness.output()).isTrue();
            assertThat(outcome.report().total().post().failures()).isZero();
        }
    }

    /** Sums the "count" fields of a GET /metrics/{name} answer. */
    static long sumOfCounts(String json) {
        long total = 0;
        var m = java.util.regex.Pattern.compile("\"count\"\\s*:\\s*(\\d+)").matcher(json);
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }
}
