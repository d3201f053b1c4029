package dev.metricsservice.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metricsservice.loadgen.FakeMetricsService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class LoadGenCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LoadGenCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Path profileFile(Path dir) throws Exception {
        return Files.writeString(dir.resolve("short.profile"), """
                name short
                duration 2s
                ramp 1s baseline max up
                hold rest 2 tail
                """);
    }

    @Test
    void run_version_printsTheBuildVersion() {
        assertThat(run("--version")).isZero();
        assertThat(stdout()).startsWith("metrics-loadgen ").contains(dev.metricsservice.core.Version.current())
                .doesNotContain("unknown");
    }

    @Test
    void run_matchingService_exitsZeroVerifiedAndWritesReports(@TempDir Path dir) throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            int status = run("--target", service.uri().toString(), "--profile", profileFile(dir).toString(),
                    "--baseline=1", "--max-workers", "6", "--batch", "3", "--out", dir.toString(), "--quiet");

            assertThat(status).as(stdout() + err).isEqualTo(0);
            assertThat(stdout()).contains("VERIFIED: 5 metrics").contains("tail").contains("reports: ");
            JsonNode json = new ObjectMapper().readTree(dir.resolve("loadgen-report.json").toFile());
            assertThat(json.at("/report/profileName").asText()).isEqualTo("short");
            assertThat(json.at("/report/batchSize").asInt()).isEqualTo(3);
            assertThat(json.at("/verification/verified").asBoolean()).isTrue();
            assertThat(json.at("/report/phases/0/post/latency/p99Millis").isNumber()).isTrue();
            assertThat(json.at("/report/total/post/requests").asLong()).isPositive();
            assertThat(Files.readString(dir.resolve("loadgen-report.html"))).contains("<svg");
        }
    }

    @Test
    void run_lossyService_exitsOneWithMismatchTable(@TempDir Path dir) throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(5)) {
            int status = run("--target", service.uri().toString(), "--profile", profileFile(dir).toString(),
                    "--out", dir.toString(), "--quiet", "--max-workers", "4");

            assertThat(status).isEqualTo(LoadGenCommand.EXIT_MISMATCH);
            assertThat(stdout()).contains("MISMATCH: ").contains("acknowledged samples missing");
        }
    }

    @Test
    void run_progressLinesEverySecond(@TempDir Path dir) throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            int status = run("--target", service.uri().toString(), "--profile", profileFile(dir).toString(),
                    "--out", dir.toString(), "--model", "open", "--rate-per-level", "20", "--connections", "4",
                    "--no-verify");
            assertThat(status).isZero();
            assertThat(stdout().lines().filter(l -> l.startsWith("[")).count()).isGreaterThanOrEqualTo(2);
            assertThat(stdout()).contains("open (rate = level x 20.0 req/s").doesNotContain("VERIFIED");
        }
    }

    @Test
    void run_unreachableTarget_exitsThreeWithMessage(@TempDir Path dir) {
        int status = run("--target", "http://127.0.0.1:1", "--profile", "smoke", "--out", dir.toString());
        assertThat(status).isEqualTo(LoadGenCommand.EXIT_FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot query http://127.0.0.1:1 before the run");
    }

    @Test
    void run_badFlags_exitTwoWithUsage() {
        assertThat(run("--bogus")).isEqualTo(LoadGenCommand.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown flag --bogus").contains("Usage:");
        assertThat(run("--model", "sideways")).isEqualTo(LoadGenCommand.EXIT_USAGE);
        assertThat(run("--profile", "/no/such/file")).isEqualTo(LoadGenCommand.EXIT_USAGE);
        assertThat(run("--batch", "x")).isEqualTo(LoadGenCommand.EXIT_USAGE);
        assertThat(run("--duration")).isEqualTo(LoadGenCommand.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--duration needs a value");
    }

    @Test
    void run_help_printsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("--rate-per-level").contains("Exit status");
    }
}
