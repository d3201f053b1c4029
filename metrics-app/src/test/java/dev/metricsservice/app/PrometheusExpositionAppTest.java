package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on the real app (SQLite, write-ahead log, StatsD on), checked by the
 * Prometheus project's own {@code promtool check metrics}: any complaint fails the test.
 */
class PrometheusExpositionAppTest {

    @TempDir
    Path dir;

    private static String promtool() {
        for (String p : List.of("/usr/bin/promtool", "/usr/local/bin/promtool")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new AssertionError("promtool is needed (Debian: apt-get install prometheus); .ci/run installs it");
    }

    @Test
    void exposition_realOutput_passesPromtoolAndOpenMetricsEndsWithEof() throws Exception {
        AppHarness harness = new AppHarness();
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--duration", "0"))) {
            assertThat(harness.post(app.baseUri(), "application/json", "{\"name\":\"cpu\",\"value\":1}").statusCode())
                    .isEqualTo(202);
            harness.post(app.baseUri(), "application/json", "{\"name\":\"cpu\",\"value\":\"x\"}"); // a 400, counted
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                byte[] b = "jobs:1|c\nbroken\n".getBytes(StandardCharsets.UTF_8);
                s.send(new java.net.DatagramPacket(b, b.length, app.statsdAddress().orElseThrow()));
            }
            Thread.sleep(1500); // at least one flush (every 1 s here), so the histogram has observations
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> text = http.send(HttpRequest.newBuilder(app.baseUri().resolve("/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(text.body()).contains("metricsservice_samples_accepted_total ",
                    "metricsservice_http_responses_total{route=\"/metrics\",status=\"202\"} 1",
                    "metricsservice_wal_fsyncs_total", "metricsservice_statsd_lines_total{outcome=\"accepted\"} 1",
                    "metricsservice_flushes_total", "jvm_memory_used_bytes{area=\"heap\"}", "# TYPE ",
                    "metricsservice_ingested_samples_total{protocol=\"json\",outcome=\"accepted\"} 1",
                    "metricsservice_ingested_samples_total{protocol=\"json\",outcome=\"refused\"}",
                    "# TYPE metricsservice_flush_duration_seconds histogram",
                    "metricsservice_flush_duration_seconds_bucket{le=\"+Inf\"}");

            Path file = dir.resolve("metrics.txt");
            Files.writeString(file, text.body());
            Process promtool = new ProcessBuilder(promtool(), "check", "metrics").redirectInput(file.toFile())
                    .redirectErrorStream(true).start();
            String complaints = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(complaints).as("promtool check metrics").isEmpty();
            assertThat(promtool.exitValue()).isZero();

            HttpResponse<String> om = http.send(HttpRequest.newBuilder(app.baseUri().resolve("/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(om.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
            assertThat(om.body()).endsWith("# EOF\n").contains("# TYPE metricsservice_samples_accepted counter");
            // The query path keeps its meaning.
            assertThat(harness.get(app.baseUri(), "/metrics/cpu").body()).contains("\"count\":1");
            app.shutdown();
        }
    }
}
