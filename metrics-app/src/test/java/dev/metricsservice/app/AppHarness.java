package dev.metricsservice.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts the real app in-process with test-friendly settings and captures what it prints. */
final class AppHarness {

    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Arguments every test uses: loopback on a free port, files under {@code dir}, fast flushes. */
    static List<String> baseArgs(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--bind", "127.0.0.1:0",
                "--profile", "smoke",
                "--flush-interval", "1s",
                "--trace-dir", dir.resolve("traces").toString(),
                "--report-dir", dir.resolve("reports").toString(),
                "--sqlite-path", dir.resolve("metrics.db").toString(),
                "--wal-dir", dir.resolve("wal").toString(),
                "--statsd-bind", "127.0.0.1:0"));
        args.addAll(List.of(more));
        return args;
    }

    MetricsApp start(List<String> args) throws Exception {
        return MetricsApp.start(AppConfig.parse(args.toArray(String[]::new), Map.of()), out);
    }

    String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    HttpResponse<String> get(URI base, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(URI base, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/metrics")).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
