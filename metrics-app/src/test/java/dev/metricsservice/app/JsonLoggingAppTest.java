package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app as its own process with --log-format json: stderr is JSON lines only, stdout is empty. */
class JsonLoggingAppTest {

    @TempDir
    Path dir;

    @Test
    void serve_jsonLogFormat_everyLineParsesAndNothingElseIsPrinted() throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        command.addAll(AppHarness.baseArgs(dir, "--log-format", "json", "--flush-interval", "500ms"));
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        try {
            int port = awaitPort(stderr);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/metrics")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"a\",\"value\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).isEqualTo(202);
            process.toHandle().destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(stdout)).as("stdout carries only the demo's report").isEmpty();
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        assertThat(lines).isNotEmpty();
        JsonFactory json = new JsonFactory();
        List<String> messages = new ArrayList<>();
        for (String line : lines) {
            Map<String, String> fields = new HashMap<>();
            try (JsonParser p = json.createParser(line)) {
                assertThat(p.nextToken()).as(line).isEqualTo(JsonToken.START_OBJECT);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    fields.put(name, p.getValueAsString());
                    p.skipChildren();
                }
                assertThat(p.nextToken()).as("one object per line: " + line).isNull();
            }
            assertThat(fields).as(line).containsKeys("time", "level", "logger", "thread", "message");
            assertThat(fields.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
            messages.add(fields.get("message"));
        }
        assertThat(messages).anyMatch(m -> m.startsWith("metrics-service listening on"))
                .anyMatch(m -> m.startsWith("final flush: stored"));
    }

    private static int awaitPort(Path stderr) throws Exception {
        Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(stderr)) {
                Matcher m = listening.matcher(Files.readString(stderr));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the app never said where it listens: " + Files.readString(stderr));
    }
}
