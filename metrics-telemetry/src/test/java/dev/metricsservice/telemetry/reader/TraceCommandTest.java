package dev.metricsservice.telemetry.reader;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.metricsservice.telemetry.Telemetry;
import dev.metricsservice.telemetry.TelemetryConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TraceCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void recordSomething() throws Exception {
        Telemetry t = Telemetry.start(TelemetryConfig.defaults().withDirectory(dir).withRecordGc(false));
        EventLoopGroup group = t.newEventLoopGroup(1, NioIoHandler.newFactory(), new DefaultThreadFactory("cmd-loop"));
        for (int i = 0; i < 20; i++) {
            group.submit(() -> { }).sync();
        }
        group.submit(() -> {
            Thread.sleep(15);
            return null;
        }).sync();
        group.submit(() -> {
            t.onRequest("POST", "/metrics", 202, 30, 0, Telemetry.nanoTime() - 1000, 1000);
        }).sync();
        t.recordFlush(Telemetry.nanoTime(), 10, 1, 2, 0, "ok");
        Thread.sleep(30);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        t.close();
    }

    private int run(String... args) {
        return TraceCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void run_version_printsTheBuildVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("metrics-telemetry ")
                .contains(dev.metricsservice.core.Version.current()).doesNotContain("unknown");
    }

    @Test
    void summary_showsCountsLoopsAndWarnings() {
        assertThat(run("summary", dir.toString())).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("Events by type:").contains("task_start").contains("request_totals")
                .contains("cmd-loop").contains("Task duration").contains("Scheduling delay")
                .contains("blocked for").contains("bytes/event");
    }

    @Test
    void export_isChromeTraceJsonWithLoopTrackTasksAndCounter() throws Exception {
        Path json = dir.resolve("out.json");
        assertThat(run("export", dir.toString(), "--out", json.toString())).isZero();
        Map<String, Integer> phases = new HashMap<>();
        boolean loopTrackNamed = false;
        try (JsonParser p = new JsonFactory().createParser(json.toFile())) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            String field = null;
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                } else if (p.currentToken() == JsonToken.VALUE_STRING && "ph".equals(field)) {
                    phases.merge(p.getText(), 1, Integer::sum);
                } else if (p.currentToken() == JsonToken.VALUE_STRING && "name".equals(field)
                        && p.getText().startsWith("cmd-loop")) {
                    loopTrackNamed = true;
                }
            }
        }
        assertThat(loopTrackNamed).isTrue();
        assertThat(phases).containsKeys("X", "M", "C", "b", "e");
        assertThat(phases.get("b")).isEqualTo(phases.get("e"));
    }

    @Test
    void dump_writesOneJsonObjectPerLine() throws Exception {
        Path lines = dir.resolve("out.jsonl");
        assertThat(run("dump", dir.toString(), "--out", lines.toString())).isZero();
        var all = Files.readAllLines(lines).stream().filter(l -> !l.isBlank()).toList();
        assertThat(all).isNotEmpty().allMatch(l -> l.startsWith("{\"type\":") && l.endsWith("}"));
        assertThat(all).anyMatch(l -> l.contains("\"route\":\"/metrics\"") && l.contains("\"status\":202"));
    }

    @Test
    void run_badArguments_exitWithUsageOrNotFound() {
        assertThat(run("summary")).isEqualTo(2);
        assertThat(run("frobnicate", dir.toString())).isEqualTo(2);
        assertThat(run("summary", dir.toString(), "--threshold", "x")).isEqualTo(2);
        assertThat(run("summary", dir.toString(), "--threshold", "-1ms")).isEqualTo(2);
        assertThat(run("summary", dir.resolve("missing").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:").contains("does not exist");
    }
}
