package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppConfigTest {

    private static AppConfig parse(String... args) {
        return AppConfig.parse(args, Map.of());
    }

    @Test
    void parse_noArguments_hasTheSeedDefaults() {
        AppConfig c = parse();

        assertThat(c.bind().getHostString()).isEqualTo("127.0.0.1");
        assertThat(c.bind().getPort()).isEqualTo(3001);
        assertThat(c.store()).isEqualTo(AppConfig.StoreKind.SQLITE);
        assertThat(c.table()).isEqualTo("metrics-service");
        assertThat(c.flushInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.runDuration()).as("the seed profile's own 55 s").isNull();
        assertThat(c.traceDir()).isEqualTo(Path.of("/tmp/metrics-service-traces"));
        assertThat(c.traceMaxFileBytes()).isEqualTo(1024 * 1024);
        assertThat(c.traceMaxTotalBytes()).isEqualTo(30 * 1024 * 1024);
        assertThat(c.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.maxSeries()).isEqualTo(100_000);
        assertThat(c.authToken()).isNull();
        assertThat(c.serveOnly()).isFalse();
    }

    @Test
    void parse_flagsInBothForms_areApplied() {
        AppConfig c = parse("--store", "dynamodb", "--dynamodb-endpoint=http://127.0.0.1:8000", "--table", "t-1",
                "--flush-interval", "500ms", "--max-body-bytes", "2MiB", "--telemetry", "off", "--bind", "0.0.0.0:0");

        assertThat(c.store()).isEqualTo(AppConfig.StoreKind.DYNAMODB);
        assertThat(c.dynamodbEndpoint()).hasToString("http://127.0.0.1:8000");
        assertThat(c.table()).isEqualTo("t-1");
        assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.maxBodyBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.telemetry()).isFalse();
        assertThat(c.bind().getPort()).isZero();
    }

    @Test
    void parse_serveCommand_meansNoLoadRun() {
        assertThat(parse("serve").serveOnly()).isTrue();
        assertThat(parse("--duration", "0").serveOnly()).isTrue();
        assertThat(parse("run", "--duration", "5s").runDuration()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void parse_environment_isOverriddenByFlags() {
        Map<String, String> env = Map.of("METRICS_STORE", "memory", "METRICS_FLUSH_INTERVAL", "2s",
                "METRICS_AUTH_TOKEN", "0123456789abcdef!");

        AppConfig c = AppConfig.parse(new String[] {"--flush-interval", "3s"}, env);

        assertThat(c.store()).isEqualTo(AppConfig.StoreKind.MEMORY);
        assertThat(c.flushInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.authToken()).isEqualTo("0123456789abcdef!");
    }

    @Test
    void parse_badValues_nameTheFlagAndTheRange() {
        assertThatThrownBy(() -> parse("--flush-interval", "0s")).hasMessageContaining("--flush-interval")
                .hasMessageContaining("between 100ms and 1h");
        assertThatThrownBy(() -> parse("--store", "postgres")).hasMessageContaining("sqlite, memory or dynamodb");
        assertThatThrownBy(() -> parse("--bind", "localhost")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> parse("--bind", "127.0.0.1:70000")).hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> parse("--max-series", "lots")).hasMessageContaining("--max-series")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> parse("--window", "1500ms")).hasMessageContaining("--window");
        assertThatThrownBy(() -> parse("--auth-token", "short")).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> parse("--max-body-bytes", "1TB")).hasMessageContaining("--max-body-bytes");
        assertThatThrownBy(() -> parse("--dynamodb-endpoint", "ftp://x")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> parse("--trace-max-file-bytes", "2MiB", "--trace-max-total-bytes", "1MiB"))
                .hasMessageContaining("at least --trace-max-file-bytes");
        assertThatThrownBy(() -> parse("--nope", "1")).hasMessageContaining("unknown option '--nope'");
        assertThatThrownBy(() -> parse("--table")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> AppConfig.parse(new String[0], Map.of("METRICS_DURATION", "forever")))
                .hasMessageContaining("METRICS_DURATION");
    }

    @Test
    void help_listsEveryOptionWithDefaultAndVariable() {
        String help = AppConfig.help();

        assertThat(help).contains("--flush-interval", "METRICS_FLUSH_INTERVAL", "default 10s", "--store",
                "default sqlite", "--auth-token", "serve");
    }

    @Test
    void parse_noRegion_leavesItToTheAwsChain() {
        // The region used to default to us-east-1, which silently overrode AWS_REGION and profiles.
        assertThat(parse().region()).isNull();
        assertThat(parse("--region", "eu-west-1").region()).isEqualTo("eu-west-1");
        assertThat(AppConfig.parse(new String[0], Map.of("METRICS_REGION", "eu-north-1")).regionSource())
                .isEqualTo("METRICS_REGION");
    }

    @Test
    void parse_everyHttpLimitAndTimeout_reachesTheServerConfig() {
        AppConfig c = parse("--io-threads", "3", "--max-connections", "500", "--max-connections-per-address", "50",
                "--idle-timeout", "2m", "--header-timeout", "3s", "--request-timeout", "45s", "--drain-timeout", "1s",
                "--retry-after", "7s", "--default-query-limit", "5", "--max-query-limit", "50");
        var h = c.http();
        assertThat(h.ioThreads()).isEqualTo(3);
        assertThat(h.maxConnections()).isEqualTo(500);
        assertThat(h.maxConnectionsPerAddress()).isEqualTo(50);
        assertThat(h.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(h.headerReadTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(h.requestReadTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(h.shutdownTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(h.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(h.defaultQueryLimit()).isEqualTo(5);
        assertThat(h.maxQueryLimit()).isEqualTo(50);
        assertThat(parse().http().maxConnectionsPerAddress()).isEqualTo(256);
        assertThat(parse().http().headerReadTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> parse("--max-connections", "10", "--max-connections-per-address", "20"))
                .hasMessageContaining("--max-connections-per-address (20) must not exceed --max-connections (10)");
    }

    @Test
    void parse_noArguments_takesTheLibrariesOwnDefaults() {
        AppConfig c = parse();
        assertThat(c.http()).isEqualTo(dev.metricsservice.http.HttpServerConfig.defaults());
        var sqlite = dev.metricsservice.store.sqlite.SqliteStoreConfig.builder().build();
        assertThat(c.sqliteReadConnections()).isEqualTo(sqlite.readConnections());
        assertThat(c.tuning().sqliteCloseTimeout()).isEqualTo(sqlite.closeTimeout());
        assertThat(c.sqliteBusyTimeout()).isEqualTo(sqlite.busyTimeout());
        var dynamo = dev.metricsservice.store.dynamodb.DynamoDbStoreConfig.builder().build();
        assertThat(c.dynamodbCallTimeout()).isEqualTo(dynamo.callTimeout());
        assertThat(c.tuning().dynamodbOperationTimeout()).isEqualTo(dynamo.operationTimeout());
        var statsd = dev.metricsservice.statsd.StatsdConfig.defaults();
        assertThat(c.statsdReceiveBufferBytes()).isEqualTo(statsd.receiveBufferBytes());
        assertThat(c.tuning().statsdMaxGauges()).isEqualTo(statsd.maxGauges());
        var traces = dev.metricsservice.telemetry.TelemetryConfig.defaults();
        assertThat(c.tuning().traceBufferBytes()).isEqualTo(traces.bufferBytesPerThread());
        assertThat(c.tuning().traceDrainInterval()).isEqualTo(traces.drainInterval());
    }

    @Test
    void parse_storeAndStatsdTuning_areApplied() {
        AppConfig c = parse("--sqlite-synchronous", "full", "--sqlite-busy-timeout", "1s", "--sqlite-read-connections",
                "2", "--dynamodb-consistent-reads", "off", "--dynamodb-call-timeout", "2s", "--dynamodb-max-attempts",
                "3", "--dynamodb-max-in-flight", "4", "--dynamodb-ttl-attribute", "ttl", "--statsd-readers", "4",
                "--statsd-receive-buffer", "1MiB", "--log-format", "json", "--log-level", "debug");
        assertThat(c.sqliteSynchronous()).isEqualTo(dev.metricsservice.store.sqlite.SqliteStoreConfig.Synchronous.FULL);
        assertThat(c.sqliteBusyTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.sqliteReadConnections()).isEqualTo(2);
        assertThat(c.dynamodbConsistentReads()).isFalse();
        assertThat(c.dynamodbCallTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.dynamodbMaxAttempts()).isEqualTo(3);
        assertThat(c.dynamodbMaxInFlight()).isEqualTo(4);
        assertThat(c.dynamodbTtlAttribute()).isEqualTo("ttl");
        assertThat(c.statsdReaders()).isEqualTo(4);
        assertThat(c.statsdReceiveBufferBytes()).isEqualTo(1 << 20);
        assertThat(c.logFormat()).isEqualTo(AppConfig.LogFormat.JSON);
        assertThat(c.logLevel()).isEqualTo("debug");
        AppConfig.Tuning t = parse("--statsd-max-datagram-bytes", "1500", "--statsd-max-values-per-line", "10",
                "--statsd-max-gauges", "5", "--dynamodb-create-table", "off", "--dynamodb-operation-timeout", "30s",
                "--dynamodb-retry-base-delay", "10ms", "--dynamodb-retry-max-delay", "1s",
                "--dynamodb-table-ready-timeout", "2m", "--sqlite-close-timeout", "3s", "--wal-segment-bytes", "8MiB",
                "--trace-rotate-interval", "1m", "--trace-gzip", "on").tuning();
        assertThat(t).isEqualTo(new AppConfig.Tuning(1500, 10, 5, false, Duration.ofSeconds(30), Duration.ofMillis(10),
                Duration.ofSeconds(1), Duration.ofMinutes(2), Duration.ofSeconds(3), 8L << 20, Duration.ofMinutes(1),
                true, 1 << 18, 1 << 16, Duration.ofMillis(10), Duration.ofMillis(10), 65536, true,
                Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30)));
        AppConfig.Tuning more = parse("--trace-buffer-bytes", "64KiB", "--trace-task-queue-capacity", "1024",
                "--trace-drain-interval", "5ms", "--trace-queue-sample-interval", "20ms", "--trace-max-strings", "100",
                "--trace-gc", "off", "--flush-retry-min", "50ms", "--flush-retry-max", "2s", "--flush-write-timeout",
                "5s").tuning();
        assertThat(more.traceBufferBytes()).isEqualTo(65536);
        assertThat(more.traceTaskQueueCapacity()).isEqualTo(1024);
        assertThat(more.traceDrainInterval()).isEqualTo(Duration.ofMillis(5));
        assertThat(more.traceQueueSampleInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(more.traceMaxStrings()).isEqualTo(100);
        assertThat(more.traceGc()).isFalse();
        assertThat(more.flushRetryMin()).isEqualTo(Duration.ofMillis(50));
        assertThat(more.flushRetryMax()).isEqualTo(Duration.ofSeconds(2));
        assertThat(more.flushWriteTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> parse("--trace-buffer-bytes", "5000")).hasMessageContaining("power of two");
        assertThatThrownBy(() -> parse("--wal-max-bytes", "4MiB", "--wal-segment-bytes", "8MiB"))
                .hasMessageContaining("--wal-segment-bytes").hasMessageContaining("--wal-max-bytes");
        assertThatThrownBy(() -> parse("--log-format", "xml")).hasMessageContaining("--log-format must be 'text' or 'json'");
        assertThatThrownBy(() -> parse("--sqlite-synchronous", "off")).hasMessageContaining("'normal' or 'full'");
    }

    @Test
    void parse_authTokenFile_readsTheTokenSoItNeverAppearsInPs(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("token");
        java.nio.file.Files.writeString(file, "s3cret-token-0123456789\n");
        AppConfig c = parse("--auth-token-file", file.toString(), "--auth-reads", "on");
        assertThat(c.authToken()).isEqualTo("s3cret-token-0123456789");
        assertThat(c.http().authToken()).isEqualTo("s3cret-token-0123456789");
        assertThat(c.http().authReads()).isTrue();
        java.nio.file.Files.writeString(file, "short\n");
        assertThatThrownBy(() -> parse("--auth-token-file", file.toString())).hasMessageContaining("--auth-token-file")
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> parse("--auth-token-file", dir.resolve("missing").toString()))
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> parse("--auth-reads", "on")).hasMessageContaining("--auth-reads needs a token");
    }

    @Test
    void help_groupsOptionsBySection() {
        String help = AppConfig.help();
        assertThat(help).contains("HTTP API:", "StatsD:", "SQLite store:", "DynamoDB store:", "Aggregation:",
                "Durability:", "Telemetry:", "Logging:", "Demo and load:", "--version");
        assertThat(help.indexOf("--header-timeout")).isBetween(help.indexOf("HTTP API:"), help.indexOf("StatsD:"));
        assertThat(help.indexOf("--dynamodb-consistent-reads")).isBetween(help.indexOf("DynamoDB store:"),
                help.indexOf("Aggregation:"));
    }

    @Test
    void main_version_printsTheBuildVersion() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = Main.run(new String[] {"--version"}, new java.io.PrintStream(out, true), System.err);
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("metrics-app ").contains(dev.metricsservice.core.Version.current())
                .doesNotContain("unknown");
    }

    @Test
    void units_parseAndFormat() {
        assertThat(Units.duration("55")).isEqualTo(Duration.ofSeconds(55));
        assertThat(Units.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Units.bytes("30MiB")).isEqualTo(30L * 1024 * 1024);
        assertThat(Units.bytes("1kb")).isEqualTo(1000);
        assertThat(Units.formatBytes(1024 * 1024)).isEqualTo("1MiB");
        assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void parse_loadTagsAndTypes_areCheckedAtStartUp() {
        AppConfig c = AppConfig.parse(new String[] {"--tags", "host=8,region=2", "--types", "latency=distribution",
                "--max-series-per-name", "500", "--retention", "7d"}, java.util.Map.of());
        org.assertj.core.api.Assertions.assertThat(c.loadTags()).isEqualTo("host=8,region=2");
        org.assertj.core.api.Assertions.assertThat(c.maxSeriesPerName()).isEqualTo(500);
        org.assertj.core.api.Assertions.assertThat(c.retention()).isEqualTo(java.time.Duration.ofDays(7));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppConfig.parse(new String[] {"--types", "cpu=histogram"},
                java.util.Map.of())).hasMessageContaining("one of summary, counter, gauge, distribution");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppConfig.parse(new String[] {"--max-series-per-name", "0"},
                java.util.Map.of())).hasMessageContaining("--max-series-per-name");
    }

    @Test
    void parse_sketchAccuracy_takesPercentOrFractionAndDefaultsToOnePercent() {
        org.assertj.core.api.Assertions.assertThat(AppConfig.parse(new String[0], java.util.Map.of()).sketchAccuracy())
                .isEqualTo(0.01);
        org.assertj.core.api.Assertions.assertThat(AppConfig.parse(new String[0], java.util.Map.of()).loadTypes())
                .isEqualTo("latency=distribution");
        org.assertj.core.api.Assertions.assertThat(AppConfig.parse(new String[] {"--sketch-accuracy", "0.5%"},
                java.util.Map.of()).sketchAccuracy()).isEqualTo(0.005);
        org.assertj.core.api.Assertions.assertThat(AppConfig.parse(new String[0],
                java.util.Map.of("METRICS_SKETCH_ACCURACY", "0.02")).sketchAccuracy()).isEqualTo(0.02);
        for (String bad : new String[] {"0", "20%", "abc", "0.00001"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppConfig.parse(new String[] {"--sketch-accuracy", bad},
                    java.util.Map.of())).as(bad).hasMessageContaining("--sketch-accuracy must be from 0.01% to 10%");
        }
        org.assertj.core.api.Assertions.assertThat(AppConfig.parse(new String[] {"--types", "none"},
                java.util.Map.of()).loadTypes()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(AppConfig.parse(new String[0], java.util.Map.of()).sketchMaxBuckets())
                .isEqualTo(2048);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppConfig.parse(new String[] {"--sketch-max-buckets", "8"},
                java.util.Map.of())).hasMessageContaining("--sketch-max-buckets");
        AppConfig dedup = AppConfig.parse(new String[] {"--dedup-window", "30s", "--dedup-max-keys", "500"}, java.util.Map.of());
        org.assertj.core.api.Assertions.assertThat(dedup.dedupWindow()).isEqualTo(java.time.Duration.ofSeconds(30));
        org.assertj.core.api.Assertions.assertThat(dedup.dedupMaxKeys()).isEqualTo(500);
        org.assertj.core.api.Assertions.assertThat(AppConfig.parse(new String[0], java.util.Map.of()).dedupWindow())
                .isEqualTo(java.time.Duration.ofMinutes(10));
    }
}
