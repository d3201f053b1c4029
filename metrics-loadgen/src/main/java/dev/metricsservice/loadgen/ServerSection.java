package dev.metricsservice.loadgen;

import dev.metricsservice.loadgen.LoadReport.PhaseReport;
import dev.metricsservice.loadgen.LoadReport.ServerPoint;
import dev.metricsservice.loadgen.LoadReport.ServerSide;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The report's "server side" section: what the service said about itself during the run, per
 * sampling interval (counters turned into rates and means): flushes and their mean time, refusals
 * by reason, pending windows, live series, GC time and heap.
 */
final class ServerSection {

    private static final String[] COLORS = {"#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};

    private ServerSection() {
    }

    static void render(StringBuilder sb, ServerSide server, List<PhaseReport> phases) {
        sb.append("<h2 id=\"server-side\">Server side</h2>\n");
        if (!server.available() || server.points().size() < 2) {
            sb.append("<p id=\"server-unavailable\">Not sampled: ")
                    .append(HtmlReport.esc(server.note().isEmpty() ? "fewer than two samples" : server.note()))
                    .append(".</p>\n");
            return;
        }
        List<ServerPoint> p = server.points();
        int n = p.size() - 1; // one value per interval between two samples
        double[] xs = new double[n];
        double[] flushes = new double[n];
        double[] failed = new double[n];
        double[] flushMillis = new double[n];
        double[] pending = new double[n];
        double[] series = new double[n];
        double[] gcMillis = new double[n];
        double[] heapMiB = new double[n];
        TreeSet<String> reasons = new TreeSet<>();
        for (ServerPoint sp : p) {
            reasons.addAll(sp.rejectedByReason().keySet());
        }
        Map<String, double[]> rejected = new TreeMap<>();
        for (String r : reasons) {
            rejected.put(r, new double[n]);
        }
        for (int i = 0; i < n; i++) {
            ServerPoint a = p.get(i);
            ServerPoint b = p.get(i + 1);
            double seconds = Math.max(1e-3, b.elapsedSeconds() - a.elapsedSeconds());
            xs[i] = b.elapsedSeconds();
            flushes[i] = b.flushesOk() - a.flushesOk();
            failed[i] = b.flushesFailed() - a.flushesFailed();
            long timed = b.flushCount() - a.flushCount();
            flushMillis[i] = timed > 0 ? 1000 * (b.flushSecondsSum() - a.flushSecondsSum()) / timed : 0;
            pending[i] = b.pendingWindows();
            series[i] = b.liveSeries();
            gcMillis[i] = 1000 * (b.gcSeconds() - a.gcSeconds());
            heapMiB[i] = b.heapUsedBytes() / (1024.0 * 1024);
            for (String r : reasons) {
                rejected.get(r)[i] = (b.rejectedByReason().getOrDefault(r, 0L)
                        - a.rejectedByReason().getOrDefault(r, 0L)) / seconds;
            }
        }
        ServerPoint last = p.get(p.size() - 1);
        ServerPoint first = p.get(0);
        sb.append("<p id=\"server-summary\">Sampled ").append(p.size()).append(" times from the service's GET"
                + " /metrics: ").append(last.flushesOk() - first.flushesOk()).append(" flushes, ")
                .append(last.flushesFailed() - first.flushesFailed()).append(" failed; ")
                .append(String.format(java.util.Locale.ROOT, "%.0f ms", 1000 * (last.gcSeconds() - first.gcSeconds())))
                .append(" in ").append(last.gcCount() - first.gcCount()).append(" GC pauses; ")
                .append(reasons.isEmpty() ? "no samples refused" : "samples refused: " + reasons).append(".</p>\n");
        HtmlReport.lineChart(sb, "chart-server-flush", "flushes per interval / mean flush ms", xs, phases, List.of(
                new HtmlReport.Line("flushes", "#1f77b4", flushes),
                new HtmlReport.Line("failed", "#d62728", failed),
                new HtmlReport.Line("mean flush ms", "#2ca02c", flushMillis)));
        HtmlReport.lineChart(sb, "chart-server-state", "count", xs, phases, List.of(
                new HtmlReport.Line("pending windows", "#ff7f0e", pending),
                new HtmlReport.Line("live series", "#9467bd", series)));
        HtmlReport.lineChart(sb, "chart-server-gc", "GC ms per interval / heap MiB", xs, phases, List.of(
                new HtmlReport.Line("GC ms", "#8c564b", gcMillis),
                new HtmlReport.Line("heap MiB", "#17becf", heapMiB)));
        if (!rejected.isEmpty()) {
            List<HtmlReport.Line> lines = new java.util.ArrayList<>();
            int c = 0;
            for (Map.Entry<String, double[]> e : rejected.entrySet()) {
                lines.add(new HtmlReport.Line(e.getKey(), COLORS[c++ % COLORS.length], e.getValue()));
            }
            HtmlReport.lineChart(sb, "chart-server-rejected", "samples refused per second", xs, phases, lines);
        }
    }
}
