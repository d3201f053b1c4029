package dev.metricsservice.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metricsservice.loadgen.LoadReport.OpReport;
import dev.metricsservice.loadgen.LoadReport.PhaseReport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a {@link LoadReport} (and optionally its {@link Verification}) as a terminal table, JSON or a
 * self-contained HTML page.
 *
 * <pre>{@code
 * System.out.print(Reports.text(report));
 * Reports.writeJson(report, verification, Path.of("loadgen-report.json"));
 * Reports.writeHtml(report, verification, Path.of("loadgen-report.html"));
 * }</pre>
 * Stateless and thread-safe; {@code verification} may be null everywhere.
 */
public final class Reports {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {
    }

    /** A fixed-width table: one row per phase and operation, then the total. */
    public static String text(LoadReport report) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "profile %s, %s, target %s, %.1f s, batch %d, transport %s%n",
                report.profileName(), report.model(), report.target(), report.durationSeconds(), report.batchSize(),
                report.transport()));
        sb.append(String.format(Locale.ROOT, "%-10s %-4s %9s %9s %8s %10s %9s %9s %9s %9s %9s  %s%n", "phase", "op",
                "requests", "ok", "failed", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "failures"));
        for (PhaseReport phase : report.phases()) {
            row(sb, phase.name(), "POST", phase.post());
            row(sb, phase.name(), "GET", phase.get());
        }
        row(sb, "total", "POST", report.total().post());
        row(sb, "total", "GET", report.total().get());
        if (report.stoppedEarly()) {
            sb.append("(stopped before the end of the profile)\n");
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String phase, String op, OpReport r) {
        sb.append(String.format(Locale.ROOT, "%-10s %-4s %9d %9d %8d %10.1f %9.2f %9.2f %9.2f %9.2f %9.2f  %s%n",
                phase, op, r.requests(), r.successes(), r.failures(), r.throughputPerSecond(), r.latency().p50Millis(),
                r.latency().p90Millis(), r.latency().p99Millis(), r.latency().p999Millis(), r.latency().maxMillis(),
                failureText(r)));
    }

    /** e.g. {@code "503 x12, TIMEOUT x3"}, or {@code "-"}. */
    static String failureText(OpReport r) {
        String statuses = r.failuresByStatus().entrySet().stream()
                .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
        String causes = r.failuresByCause().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
        String all = statuses.isEmpty() ? causes : causes.isEmpty() ? statuses : statuses + ", " + causes;
        return all.isEmpty() ? "-" : all;
    }

    /** The report (and verification) as JSON. */
    public static String json(LoadReport report, Verification verification) {
        ObjectNode root = JSON.createObjectNode();
        root.set("report", JSON.valueToTree(report));
        if (verification != null) {
            ObjectNode v = JSON.valueToTree(verification);
            v.put("verified", verification.verified());
            v.put("summary", verification.summaryLine());
            root.set("verification", v);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("report could not be serialised: " + e.getMessage(), e);
        }
    }

    public static void writeJson(LoadReport report, Verification verification, Path file) throws IOException {
        Files.writeString(file, json(report, verification), StandardCharsets.UTF_8);
    }

    /** A single HTML page with inline CSS and SVG charts; no external resources. */
    public static String html(LoadReport report, Verification verification) {
        return HtmlReport.render(report, verification);
    }

    public static void writeHtml(LoadReport report, Verification verification, Path file) throws IOException {
        Files.writeString(file, html(report, verification), StandardCharsets.UTF_8);
    }

    /**
     * Writes one HdrHistogram {@code .hgrm} file per phase and operation (and the total), named
     * {@code <baseName>.<phase>.<post|get>.hgrm}, for HdrHistogram's plotter and other tools; an
     * operation with no requests gets no file.
     *
     * @return the files written, in phase order
     */
    public static java.util.List<Path> writeHgrm(LoadReport report, Path dir, String baseName) throws IOException {
        java.util.List<Path> written = new java.util.ArrayList<>();
        java.util.List<PhaseReport> all = new java.util.ArrayList<>(report.phases());
        all.add(report.total());
        for (PhaseReport phase : all) {
            for (String op : new String[] {"post", "get"}) {
                LoadReport.LatencySummary l = (op.equals("post") ? phase.post() : phase.get()).latency();
                if (l.count() == 0 || l.hgrm().isEmpty()) {
                    continue;
                }
                Path file = dir.resolve(baseName + "." + fileSafe(phase.name()) + "." + op + ".hgrm");
                Files.writeString(file, l.hgrm(), StandardCharsets.US_ASCII);
                written.add(file);
            }
        }
        return written;
    }

    private static String fileSafe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
