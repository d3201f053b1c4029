package dev.metricsservice.loadgen;

import dev.metricsservice.testsupport.NettyLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Renders a real report in headless Chromium (Debian package {@code chromium}) and checks the result: the page
 * loads, the inline script ran without error, the three charts have their lines, and a screenshot is produced.
 * Fails, rather than skips, when Chromium is missing.
 */
@ExtendWith(NettyLeakCheck.EachTest.class)
@Timeout(120)
class HtmlReportChromiumTest {

    private static LoadReport report;
    private static Verification verification;

    @BeforeAll
    static void runShortLoad() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            report = LoadGenerator.builder().target(service.uri())
                    .profile(ProfileParser.parse("name html\nramp 1s 1 4 up\nspike 1s 8 herd\nhold 1s 2 tail",
                            ProfileConstants.SEED, null))
                    .progressInterval(java.time.Duration.ofMillis(250))
                    .build().run();
            verification = Verifier.overHttp(service.uri()).verify(report);
        }
    }

    static String chromium() {
        for (String candidate : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, candidate))) {
                    return Path.of(dir, candidate).toString();
                }
            }
        }
        return fail("headless Chromium is required for the HTML report test but none was found on PATH; "
                + "install it with 'apt-get install -y chromium'");
    }

    private static String runChromium(Path profileDir, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profileDir));
        cmd.addAll(List.of(extra));
        Path log = Files.createTempFile(profileDir.getParent(), "chromium", ".log");
        Path outFile = Files.createTempFile(profileDir.getParent(), "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(outFile.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within 60 s: " + cmd);
        }
        assertThat(p.exitValue()).as("chromium exit status; stderr: %s", Files.readString(log)).isZero();
        return Files.readString(outFile, StandardCharsets.UTF_8);
    }

    @Test
    void html_rendersInChromiumWithChartsAndNoScriptErrors(@TempDir Path tmp) throws Exception {
        // Outputs stay in target/ for a human to look at; Chromium's profile directories go to a temp dir.
        Path dir = Files.createDirectories(Path.of("target", "chromium-test"));
        Path html = dir.resolve("report.html");
        Reports.writeHtml(report, verification, html);
        String source = Files.readString(html);
        assertThat(source).as("self-contained: no external resources")
                .doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("@import")
                .doesNotContain("url(");

        String dom = runChromium(tmp.resolve("profile-dom"), "--virtual-time-budget=2000", "--dump-dom",
                html.toUri().toString());
        assertThat(dom).as("the inline script ran").contains("data-report-script=\"ok\"");
        assertThat(dom).as("no script error marker").doesNotContain("id=\"script-error\"");
        for (String chart : List.of("chart-throughput", "chart-latency", "chart-concurrency")) {
            Matcher svg = Pattern.compile("<svg[^>]*id=\"" + chart + "\"[^>]*data-points=\"(\\d+)\"").matcher(dom);
            assertThat(svg.find()).as("chart %s present and counted by the script", chart).isTrue();
            assertThat(Integer.parseInt(svg.group(1))).as("lines in %s", chart).isEqualTo(2);
        }
        Matcher points = Pattern.compile("<polyline class=\"series\"[^>]*points=\"([^\"]*)\"").matcher(dom);
        int lines = 0;
        while (points.find()) {
            lines++;
            assertThat(points.group(1).split(" ").length).as("points per line").isGreaterThanOrEqualTo(8);
        }
        // Three timeline charts of two lines, then the server side: flushes (3), state (2), GC (2).
        assertThat(lines).isEqualTo(6 + 7);
        for (String chart : List.of("chart-server-flush", "chart-server-state", "chart-server-gc")) {
            assertThat(dom).as("server chart %s", chart).contains("id=\"" + chart + "\"");
        }
        assertThat(dom).contains("id=\"server-summary\"").doesNotContain("id=\"server-unavailable\"");
        // The percentile spectrum: per op, one line per phase (three) and one for the total.
        for (String op : List.of("post", "get")) {
            int start = dom.indexOf("id=\"spectrum-" + op + "\"");
            assertThat(start).as("spectrum chart of %s", op).isPositive();
            String svg = dom.substring(start, dom.indexOf("</svg>", start));
            Matcher spectrum = Pattern.compile("<polyline class=\"spectrum-line\"[^>]*points=\"([^\"]*)\"").matcher(svg);
            int spectrumLines = 0;
            while (spectrum.find()) {
                spectrumLines++;
                assertThat(spectrum.group(1).split(" ").length).as("spectrum points").isGreaterThanOrEqualTo(5);
            }
            // POSTs run in every phase; a one-second phase may see no GET (one per tenth POST).
            assertThat(spectrumLines).as("spectrum lines of %s", op).isBetween(op.equals("post") ? 4 : 2, 4);
            assertThat(svg).contains(">99%<").contains(">99.9%<");
        }
        assertThat(dom).contains("id=\"phase-table\"").contains("herd").contains("VERIFIED");

        Path png = dir.resolve("report.png");
        Files.deleteIfExists(png);
        runChromium(tmp.resolve("profile-shot"), "--screenshot=" + png, "--window-size=1280,2000",
                html.toUri().toString());
        assertThat(png).exists();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).as("screenshot size").isGreaterThan(20_000);
        assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void writeHgrm_onePercentileDistributionPerPhaseAndOpInHdrHistogramsFormat(@TempDir Path dir) throws Exception {
        List<Path> files = Reports.writeHgrm(report, dir, "run");
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("run.up.post.hgrm",
                "run.herd.post.hgrm", "run.tail.post.hgrm", "run.total.post.hgrm", "run.total.get.hgrm");
        List<String> lines = Files.readAllLines(dir.resolve("run.total.post.hgrm"));
        assertThat(lines.get(0).trim().split("\\s+")).containsExactly("Value", "Percentile", "TotalCount",
                "1/(1-Percentile)");
        double lastPercentile = 0;
        long lastCount = 0;
        for (String line : lines.subList(2, lines.size())) {
            if (line.startsWith("#")) {
                break;
            }
            String[] cols = line.trim().split("\\s+");
            assertThat(Double.parseDouble(cols[0])).as("value in ms").isGreaterThanOrEqualTo(0);
            lastPercentile = Double.parseDouble(cols[1]);
            lastCount = Long.parseLong(cols[2]);
        }
        assertThat(lastPercentile).isEqualTo(1.0);
        assertThat(lastCount).isEqualTo(report.total().post().latency().count());
        assertThat(String.join("\n", lines)).contains("#[Mean").contains("#[Max").contains("Total count").contains("#[Buckets");
    }

    @Test
    void html_escapesNamesFromTheReport(@TempDir Path dir) {
        LoadReport evil = TestReports.withTallies(0, 1000,
                List.of(new LoadReport.MetricTally("<script>x</script>", 1, 1, 0, 0, 0, 0)));
        Verification v = Verifier.of((name, from, to, limit) -> List.of()).verify(evil);
        String html = Reports.html(evil, v);
        assertThat(html).doesNotContain("<script>x</script>").contains("&lt;script&gt;x&lt;/script&gt;");
    }
}
