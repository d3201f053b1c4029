package dev.metricsservice.loadgen;

import dev.metricsservice.loadgen.LoadReport.OpReport;
import dev.metricsservice.loadgen.LoadReport.PhaseReport;
import dev.metricsservice.loadgen.LoadReport.TimelinePoint;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The self-contained HTML report: inline CSS, inline SVG charts, a few lines of inline script that only mark
 * the page as rendered (tests look for that marker and for the absence of the error marker). No external
 * resources of any kind, so the file can be mailed or archived as is.
 */
final class HtmlReport {

    private static final int WIDTH = 1100;
    private static final int HEIGHT = 260;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private record Series(String name, String color, ToDoubleFunction<TimelinePoint> value) {
    }

    private HtmlReport() {
    }

    static String render(LoadReport r, Verification v) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Load report: ")
                .append(esc(r.profileName())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px;color:#222;background:#fff}")
                .append("h1{font-size:22px}h2{font-size:18px;margin-top:28px}")
                .append("table{border-collapse:collapse;font-size:13px}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
                .append("td.l,th.l{text-align:left}tr.total td{font-weight:bold;background:#f3f3f3}")
                .append(".ok{color:#176317;font-weight:bold}.bad{color:#b00020;font-weight:bold}")
                .append("svg{background:#fcfcfc;border:1px solid #ddd;margin:6px 0}")
                .append("svg text{font-size:11px;fill:#333}.meta td{text-align:left}\n</style>\n</head>\n<body>\n");
        sb.append("<h1>Load report: ").append(esc(r.profileName())).append("</h1>\n");
        sb.append("<table class=\"meta\">");
        meta(sb, "target", r.target());
        meta(sb, "model", r.model());
        meta(sb, "transport", r.transport());
        meta(sb, "samples per POST", Integer.toString(r.batchSize()));
        meta(sb, "start", Instant.ofEpochMilli(r.startEpochMillis()).toString());
        meta(sb, "duration", String.format(Locale.ROOT, "%.1f s%s", r.durationSeconds(),
                r.stoppedEarly() ? " (stopped early)" : ""));
        sb.append("</table>\n");

        if (v != null) {
            sb.append("<h2>Verification</h2>\n<p id=\"verification\" class=\"").append(v.verified() ? "ok" : "bad")
                    .append("\">").append(esc(v.summaryLine())).append("</p>\n");
            verificationTable(sb, v);
        }

        List<TimelinePoint> t = r.timeline();
        List<PhaseReport> phases = r.phases();
        sb.append("<h2>Throughput</h2>\n");
        chart(sb, "chart-throughput", "requests per second", t, phases, List.of(
                new Series("POST/s", "#1f77b4", TimelinePoint::postsPerSecond),
                new Series("GET/s", "#ff7f0e", TimelinePoint::getsPerSecond)));
        sb.append("<h2>Latency</h2>\n");
        chart(sb, "chart-latency", "milliseconds", t, phases, List.of(
                new Series("p50", "#2ca02c", TimelinePoint::p50Millis),
                new Series("p99", "#d62728", TimelinePoint::p99Millis)));
        sb.append("<h2>Concurrency</h2>\n");
        chart(sb, "chart-concurrency", "level / in flight", t, phases, List.of(
                new Series("profile level", "#9467bd", p -> p.level()),
                new Series("in flight", "#8c564b", p -> p.inFlight())));

        sb.append("<h2>Latency by percentile</h2>\n<p>Each phase's latency distribution (and the whole run's, in"
                + " black), HdrHistogram's percentile spectrum; the same data is in the .hgrm files beside this"
                + " report.</p>\n");
        SpectrumChart.render(sb, "spectrum-post", "POST", phases, r.total());
        SpectrumChart.render(sb, "spectrum-get", "GET", phases, r.total());
        ServerSection.render(sb, r.server(), phases);
        sb.append("<h2>Per phase</h2>\n");
        phaseTable(sb, r);
        sb.append("<p>Latency: ").append(esc(r.model())).append(". Service time (write to response) is in the JSON"
                + " report.</p>\n");
        sb.append("<script>\n")
                .append("window.addEventListener('error',function(e){var d=document.createElement('div');")
                .append("d.id='script-error';d.textContent='script error: '+e.message;document.body.appendChild(d);});\n")
                .append("document.documentElement.setAttribute('data-report-script','ok');\n")
                .append("document.querySelectorAll('svg.chart').forEach(function(s){")
                .append("s.setAttribute('data-points',String(s.querySelectorAll('polyline').length));});\n")
                .append("</script>\n</body></html>\n");
        return sb.toString();
    }

    private static void meta(StringBuilder sb, String key, String value) {
        sb.append("<tr><th class=\"l\">").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>");
    }

    private static void verificationTable(StringBuilder sb, Verification v) {
        sb.append("<table id=\"verification-table\"><tr><th class=\"l\">metric</th><th>acknowledged</th>"
                + "<th>unknown</th><th>stored</th><th>acknowledged sum</th><th>stored sum</th><th>windows</th>"
                + "<th>p50</th><th>p99</th><th class=\"l\">result</th></tr>\n");
        for (Verification.MetricCheck c : v.checks()) {
            sb.append("<tr><td class=\"l\">").append(esc(c.name())).append("</td><td>").append(c.acknowledgedCount())
                    .append("</td><td>").append(c.unknownCount()).append("</td><td>").append(c.storedCount())
                    .append("</td><td>").append(fmt(c.acknowledgedSum())).append("</td><td>").append(fmt(c.storedSum()))
                    .append("</td><td>").append(c.windows())
                    .append("</td><td>").append(Double.isNaN(c.p50()) ? "" : fmt(c.p50()))
                    .append("</td><td>").append(Double.isNaN(c.p99()) ? "" : fmt(c.p99())).append("</td><td class=\"l ")
                    .append(c.ok() ? "ok\">ok" : "bad\">" + esc(c.problem())).append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void phaseTable(StringBuilder sb, LoadReport r) {
        sb.append("<table id=\"phase-table\"><tr><th class=\"l\">phase</th><th class=\"l\">shape</th><th>time s</th>"
                + "<th>level</th><th class=\"l\">op</th><th>requests</th><th>ok</th><th>failed</th><th>req/s</th>"
                + "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th>"
                + "<th class=\"l\">failures</th></tr>\n");
        for (PhaseReport p : r.phases()) {
            phaseRows(sb, p, "");
        }
        phaseRows(sb, r.total(), " class=\"total\"");
        sb.append("</table>\n");
    }

    private static void phaseRows(StringBuilder sb, PhaseReport p, String cls) {
        String level = p.fromLevel() == p.toLevel() ? Integer.toString(p.fromLevel())
                : p.fromLevel() + "&rarr;" + p.toLevel();
        opRow(sb, cls, p, level, "POST", p.post());
        opRow(sb, cls, p, level, "GET", p.get());
    }

    private static void opRow(StringBuilder sb, String cls, PhaseReport p, String level, String op, OpReport o) {
        sb.append("<tr").append(cls).append("><td class=\"l\">").append(esc(p.name())).append("</td><td class=\"l\">")
                .append(esc(p.shape())).append("</td><td>")
                .append(String.format(Locale.ROOT, "%.1f&ndash;%.1f", p.startSeconds(), p.endSeconds()))
                .append("</td><td>").append(level).append("</td><td class=\"l\">").append(op).append("</td><td>")
                .append(o.requests()).append("</td><td>").append(o.successes()).append("</td><td>").append(o.failures())
                .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", o.throughputPerSecond()))
                .append("</td><td>").append(ms(o.latency().p50Millis())).append("</td><td>")
                .append(ms(o.latency().p90Millis())).append("</td><td>").append(ms(o.latency().p99Millis()))
                .append("</td><td>").append(ms(o.latency().p999Millis())).append("</td><td>")
                .append(ms(o.latency().maxMillis())).append("</td><td class=\"l\">").append(esc(Reports.failureText(o)))
                .append("</td></tr>\n");
    }

    private static void chart(StringBuilder sb, String id, String yLabel, List<TimelinePoint> points,
                              List<PhaseReport> phases, List<Series> series) {
        double[] xs = new double[points.size()];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = points.get(k).elapsedSeconds();
        }
        List<Line> lines = new java.util.ArrayList<>();
        for (Series s : series) {
            double[] ys = new double[points.size()];
            for (int k = 0; k < ys.length; k++) {
                ys[k] = s.value().applyAsDouble(points.get(k));
            }
            lines.add(new Line(s.name(), s.color(), ys));
        }
        lineChart(sb, id, yLabel, xs, phases, lines);
    }

    /** One named line of a {@link #lineChart}: a y value per x. */
    record Line(String name, String color, double[] ys) {
    }

    /**
     * A time chart: x in seconds since the start (phase boundaries dashed and labelled), y from 0 to a
     * nice ceiling of the largest value; one polyline per line, with a legend.
     */
    static void lineChart(StringBuilder sb, String id, String yLabel, double[] xs, List<PhaseReport> phases,
                          List<Line> lines) {
        double maxX = 1;
        for (PhaseReport p : phases) {
            maxX = Math.max(maxX, p.endSeconds());
        }
        for (double x : xs) {
            maxX = Math.max(maxX, x);
        }
        double maxY = 0;
        for (Line l : lines) {
            for (double y : l.ys()) {
                maxY = Math.max(maxY, y);
            }
        }
        maxY = niceCeiling(maxY);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        sb.append("<svg class=\"chart\" id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH)
                .append(' ').append(HEIGHT).append("\" role=\"img\">\n");
        // Horizontal grid and y ticks.
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4.0;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    LEFT, y, LEFT + plotW, y, LEFT - 6, y + 4, tick(maxY * i / 4.0)));
        }
        // Phase boundaries, labelled at the top.
        for (PhaseReport p : phases) {
            double x = LEFT + plotW * p.startSeconds() / maxX;
            sb.append(String.format(Locale.ROOT,
                    "<line class=\"phase\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#aaa\" "
                            + "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n",
                    x, TOP, x, TOP + plotH, x + 3, TOP - 6, esc(p.name())));
        }
        // X ticks every "nice" number of seconds.
        double step = niceCeiling(maxX / 10);
        for (double s = 0; s <= maxX + 1e-9; s += step) {
            double x = LEFT + plotW * s / maxX;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x, TOP + plotH + 16, tick(s)));
        }
        sb.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since start</text>"
                        + "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>\n",
                LEFT + plotW / 2, HEIGHT - 6, TOP + plotH / 2, TOP + plotH / 2, esc(yLabel)));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>\n", LEFT, TOP, plotW, plotH));
        int legendX = LEFT + 10;
        for (Line l : lines) {
            StringBuilder pts = new StringBuilder();
            for (int k = 0; k < xs.length; k++) {
                double x = LEFT + plotW * Math.min(xs[k], maxX) / maxX;
                double y = TOP + plotH - plotH * (maxY == 0 ? 0 : l.ys()[k] / maxY);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append("<polyline class=\"series\" data-series=\"").append(esc(l.name())).append("\" fill=\"none\" "
                    + "stroke=\"").append(l.color()).append("\" stroke-width=\"2\" points=\"")
                    .append(pts.toString().strip()).append("\"><title>").append(esc(l.name()))
                    .append("</title></polyline>\n");
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n", legendX, TOP + 8, l.color(), legendX + 16, TOP + 12,
                    esc(l.name())));
            legendX += 30 + 7 * l.name().length();
        }
        sb.append("</svg>\n");
    }

    /** The smallest 1, 2 or 5 times a power of ten that is at least {@code v} (1 for 0). */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= v * (1 - 1e-12)) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.6f", v);
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
