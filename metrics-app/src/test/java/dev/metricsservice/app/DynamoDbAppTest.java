package dev.metricsservice.app;

import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.loadgen.LoadReport;
import dev.metricsservice.loadgen.Samples;
import dev.metricsservice.store.dynamodb.DynaliteServer;
import dev.metricsservice.store.dynamodb.DynamoDbMetricStore;
import dev.metricsservice.store.dynamodb.DynamoDbStoreConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app against a real DynamoDB-compatible server (dynalite, started by the test on loopback). */
class DynamoDbAppTest {

    @TempDir
    Path dir;

    private final AppHarness harness = new AppHarness();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private DynaliteServer dynalite;

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (dynalite != null) {
            dynalite.close();
        }
    }

    private List<String> dynamoArgs(String... more) {
        List<String> args = AppHarness.baseArgs(dir, "--store", "dynamodb",
                "--dynamodb-endpoint", dynalite.endpoint().toString(), "--table", "metrics-app-test");
        args.addAll(List.of(more));
        return args;
    }

    /** Tagged series through the series index: listed and queried by tag the same after a restart. */
    @Test
    void serve_taggedSeries_listedAndQueriedByTagAfterARestart() throws Exception {
        dynalite = DynaliteServer.start(null);
        String body = "[{\"name\":\"cpu\",\"value\":1,\"tags\":{\"host\":\"a\",\"region\":\"eu\"}},"
                + "{\"name\":\"cpu\",\"value\":2,\"tags\":{\"host\":\"b\",\"region\":\"us\"}},"
                + "{\"name\":\"cpu\",\"value\":4},"
                + "{\"name\":\"queue\",\"type\":\"gauge\",\"value\":7}]";
        try (MetricsApp app = harness.start(dynamoArgs("--duration", "0"))) {
            assertThat(harness.post(app.baseUri(), "application/json", body).statusCode()).isEqualTo(202);
            app.shutdown();
        }
        try (MetricsApp app = harness.start(dynamoArgs("--duration", "0"))) {
            String series = harness.get(app.baseUri(), "/series").body();
            assertThat(series).isEqualTo("[{\"name\":\"cpu\",\"type\":\"summary\",\"tags\":{}},"
                    + "{\"name\":\"cpu\",\"type\":\"summary\",\"tags\":{\"host\":\"a\",\"region\":\"eu\"}},"
                    + "{\"name\":\"cpu\",\"type\":\"summary\",\"tags\":{\"host\":\"b\",\"region\":\"us\"}},"
                    + "{\"name\":\"queue\",\"type\":\"gauge\",\"tags\":{}}]");
            assertThat(harness.get(app.baseUri(), "/metrics/cpu").body()).contains("\"sum\":7.0,\"count\":3");
            assertThat(harness.get(app.baseUri(), "/metrics/cpu?tag=region:us").body())
                    .contains("\"sum\":2.0,\"count\":1").doesNotContain("\"count\":3");
            assertThat(harness.get(app.baseUri(), "/metrics/queue").body()).contains("\"last\":7.0");
            app.shutdown();
        }
    }

    /**
     * During a store outage every replica used to answer /ready 503 and leave the load balancer at
     * once, although each buffers. Now /ready stays 200 while writes are taken, and the outage
     * shows in /stats and the exposition instead.
     */
    @Test
    void ready_duringADynaliteOutage_staysReadyWhileTheStoreShowsDown() throws Exception {
        dynalite = DynaliteServer.start(null);
        try (MetricsApp app = harness.start(dynamoArgs("--duration", "0", "--flush-interval", "200ms",
                "--dynamodb-max-attempts", "1", "--dynamodb-call-timeout", "500ms"))) {
            assertThat(harness.get(app.baseUri(), "/ready").statusCode()).isEqualTo(200);
            dynalite.close();
            dynalite = null;
            assertThat(harness.post(app.baseUri(), "application/json", "{\"name\":\"a\",\"value\":1}").statusCode())
                    .isEqualTo(202);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String stats = "";
            while (System.nanoTime() < deadline && !(stats = harness.get(app.baseUri(), "/stats").body())
                    .contains("\"healthy\":false")) {
                Thread.sleep(100);
            }
            assertThat(stats).contains("\"healthy\":false");
            HttpResponse<String> ready = harness.get(app.baseUri(), "/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(harness.get(app.baseUri(), "/metrics").body()).contains("metricsservice_store_healthy 0");
            assertThat(harness.post(app.baseUri(), "application/json", "{\"name\":\"a\",\"value\":2}").statusCode())
                    .isEqualTo(202);
        }
    }

    /** Without --region the app used us-east-1 whatever AWS_REGION said; now the AWS chain decides and the banner says so. */
    @Test
    void banner_regionFromTheEnvironment_isUsedAndNamed() throws Exception {
        dynalite = DynaliteServer.start(null);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        command.addAll(dynamoArgs("--telemetry", "off"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("AWS_REGION", "eu-west-1");
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().remove("METRICS_REGION");
        Process process = pb.start();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            String region = null;
            StringBuilder seen = new StringBuilder();
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.trim().startsWith("region:")) {
                    region = line.trim();
                    break;
                }
            }
            assertThat(region).as(seen.toString()).isEqualTo("region:    eu-west-1 (from environment variable AWS_REGION)");
        } finally {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void runDemo_dynamodb_endsVerified() throws Exception {
        dynalite = DynaliteServer.start(null);
        MetricsApp.DemoOutcome outcome;
        try (MetricsApp app = harness.start(dynamoArgs())) {
            outcome = app.runDemo();
        }

        assertThat(outcome.verified()).as(harness.output()).isTrue();
        assertThat(harness.output()).contains("dynamodb");
    }

    @Test
    void runDemo_storeDownForPartOfTheRun_staysReadyAndRecoversVerified() throws Exception {
        dynalite = DynaliteServer.start(dir.resolve("dynalite-data"));
        try (MetricsApp app = harness.start(dynamoArgs("--duration", "12s"))) {
            Future<MetricsApp.DemoOutcome> demo = pool.submit(app::runDemo);
            Thread.sleep(2500);
            dynalite.stop();
            String stats = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (!stats.contains("\"healthy\":false") && System.nanoTime() < deadline) {
                stats = harness.get(app.baseUri(), "/stats").body();
                Thread.sleep(200);
            }
            HttpResponse<String> ready = harness.get(app.baseUri(), "/ready");
            Thread.sleep(1500); // flushes fail meanwhile; the samples stay in memory and the log
            dynalite.restart();
            MetricsApp.DemoOutcome outcome = demo.get(3, TimeUnit.MINUTES);

            assertThat(stats).as("/stats while the store is down").contains("\"healthy\":false");
            assertThat(ready.statusCode()).as("/ready while the store is down: still accepting writes").isEqualTo(200);
            assertThat(outcome.verified()).as(harness.output()).isTrue();
        }
    }

    @Test
    void runDemo_twoInstancesOnOneTable_mergedTotalsEqualBothGenerators() throws Exception {
        dynalite = DynaliteServer.start(null);
        AppHarness other = new AppHarness();
        // Each instance its own write-ahead log directory (one directory refuses a second process).
        MetricsApp a = harness.start(dynamoArgs("--writer-id", "instance-a", "--wal-dir", dir.resolve("wal-a").toString(),
                "--report-dir", dir.resolve("a").toString(), "--trace-dir", dir.resolve("ta").toString()));
        assertThatThrownBy(() -> other.start(dynamoArgs("--writer-id", "instance-b",
                "--wal-dir", dir.resolve("wal-a").toString())))
                .hasMessageContaining("held by another live process").hasMessageContaining("wal-a");
        MetricsApp b = other.start(dynamoArgs("--writer-id", "instance-b", "--wal-dir", dir.resolve("wal-b").toString(),
                "--report-dir", dir.resolve("b").toString(), "--trace-dir", dir.resolve("tb").toString()));
        List<LoadReport> reports = new ArrayList<>();
        try (a; b) {
            Future<MetricsApp.DemoOutcome> ra = pool.submit(a::runDemo);
            Future<MetricsApp.DemoOutcome> rb = pool.submit(b::runDemo);
            reports.add(ra.get(3, TimeUnit.MINUTES).report());
            reports.add(rb.get(3, TimeUnit.MINUTES).report());
        }

        try (MetricStore store = DynamoDbMetricStore.open(DynamoDbStoreConfig.builder()
                .endpointOverride(dynalite.endpoint()).tableName("metrics-app-test").build()).get(1, TimeUnit.MINUTES)) {
            for (String name : Samples.SEED_NAMES) {
                long acked = 0;
                long unknown = 0;
                for (LoadReport r : reports) {
                    for (LoadReport.MetricTally t : r.tallies()) {
                        if (t.name().equals(name)) {
                            acked += t.acknowledgedCount();
                            unknown += t.unknownCount();
                        }
                    }
                }
                long stored = store.query(new MetricQuery(SeriesKey.of(name), 0, Long.MAX_VALUE / 2, 10_000,
                                MetricQuery.Order.OLDEST_FIRST)).get(1, TimeUnit.MINUTES).stream()
                        .mapToLong(w -> w.stats().count()).sum();
                assertThat(acked).as("both generators sent %s", name).isPositive();
                assertThat(stored).as("stored %s = acknowledged by both (unknown outcome %d)", name, unknown)
                        .isBetween(acked, acked + unknown);
            }
        }
    }

    @Test
    void post_storeDownPastThePendingLimit_answers503ThenRecoversWithoutLoss() throws Exception {
        dynalite = DynaliteServer.start(dir.resolve("dynalite-data"));
        long acked = 0;
        boolean refused = false;
        String retryAfter = null;
        try (MetricsApp app = harness.start(dynamoArgs("--duration", "0", "--max-pending-windows", "20",
                "--flush-interval", "200ms"))) {
            dynalite.stop();
            for (int i = 0; i < 400 && !refused; i++) {
                HttpResponse<String> r = harness.post(app.baseUri(), "application/json",
                        "{\"name\":\"pending-" + i + "\",\"value\":1}");
                if (r.statusCode() == 202) {
                    acked++;
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                    assertThat(r.body()).contains("overloaded");
                    retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                    refused = true;
                }
                Thread.sleep(10);
            }
            assertThat(refused).as("POST answers 503 once the pending limit is reached").isTrue();
            assertThat(retryAfter).isNotBlank();

            dynalite.restart();
            int status = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (status != 202 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                status = harness.post(app.baseUri(), "application/json", "{\"name\":\"pending-0\",\"value\":1}")
                        .statusCode();
            }
            assertThat(status).as("accepted again once the store is back").isEqualTo(202);
            acked++;
        }

        try (MetricStore store = DynamoDbMetricStore.open(DynamoDbStoreConfig.builder()
                .endpointOverride(dynalite.endpoint()).tableName("metrics-app-test").build()).get(1, TimeUnit.MINUTES)) {
            long stored = 0;
            for (int i = 0; i < 400; i++) {
                stored += store.query(MetricQuery.latest("pending-" + i, 100)).get(1, TimeUnit.MINUTES).stream()
                        .mapToLong(w -> w.stats().count()).sum();
            }
            assertThat(stored).as("every acknowledged sample is stored").isEqualTo(acked);
        }
    }
}
