package dev.metricsservice.loadgen;

import dev.metricsservice.loadgen.LoadReport.PhaseReport;
import dev.metricsservice.loadgen.LoadReport.SpectrumPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The latency-by-percentile chart of one operation, as wrk2 and HdrHistogram's plotter draw it: x is
 * {@code log10(1 / (1 - p))}, so 90 %, 99 %, 99.9 % ... are evenly spaced and the tail gets the room
 * it deserves; y is milliseconds. One line per phase and one for the whole run. Inline SVG only.
 */
final class SpectrumChart {

    private static final int WIDTH = 1100;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    /** The axis ends at 99.9999 % (x = 6) at most; a line's last point (100 %) is drawn at its end. */
    private static final double MAX_NINES = 6;

    private record Line(String name, String color, List<SpectrumPoint> points, boolean total) {
    }

    private SpectrumChart() {
    }

    /** Appends the chart of {@code op} ("POST" or "GET"); nothing when no phase has a request of it. */
    static void render(StringBuilder sb, String id, String op, List<PhaseReport> phases, PhaseReport total) {
        List<Line> lines = new ArrayList<>();
        int c = 0;
        for (PhaseReport p : phases) {
            List<SpectrumPoint> s = spectrumOf(p, op);
            if (!s.isEmpty()) {
                lines.add(new Line(p.name(), COLORS[c++ % COLORS.length], s, false));
            }
        }
        List<SpectrumPoint> all = spectrumOf(total, op);
        if (all.isEmpty()) {
            sb.append("<p>No ").append(op).append(" requests.</p>\n");
            return;
        }
        lines.add(new Line("total", "#000000", all, true));
        double maxNines = 1;
        double maxY = 0;
        for (Line l : lines) {
            for (SpectrumPoint pt : l.points()) {
                double n = nines(pt.percentile());
                if (Double.isFinite(n)) { // the 100 % point is drawn at the axis end, wherever that is
                    maxNines = Math.max(maxNines, Math.min(MAX_NINES, n));
                }
                maxY = Math.max(maxY, pt.valueMillis());
            }
        }
        maxNines = Math.ceil(maxNines);
        maxY = HtmlReport.niceCeiling(maxY);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        sb.append("<svg class=\"spectrum\" id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH)
                .append(' ').append(HEIGHT).append("\" role=\"img\">\n");
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT, y, LEFT + plotW, y, LEFT - 6,
                    y + 4, HtmlReport.esc(String.format(Locale.ROOT, "%.3g", maxY * i / 4.0))));
        }
        for (int n = 0; n <= maxNines; n++) {
            double x = LEFT + plotW * n / maxNines;
            String label = n == 0 ? "0%" : n == 1 ? "90%" : n == 2 ? "99%" : "99." + "9".repeat(n - 2) + "%";
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP, x, TOP + plotH, x,
                    TOP + plotH + 16, label));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile (%s latency;"
                + " x = log10(1/(1-p)))</text><text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\""
                + " text-anchor=\"middle\">milliseconds</text>\n", LEFT + plotW / 2, HEIGHT - 6, op,
                TOP + plotH / 2, TOP + plotH / 2));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#999\"/>\n", LEFT, TOP, plotW, plotH));
        int legendY = TOP + 12;
        for (Line l : lines) {
            StringBuilder pts = new StringBuilder();
            for (SpectrumPoint pt : l.points()) {
                double x = LEFT + plotW * Math.min(nines(pt.percentile()), maxNines) / maxNines;
                double y = TOP + plotH - plotH * (maxY == 0 ? 0 : pt.valueMillis() / maxY);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append("<polyline class=\"spectrum-line\" data-series=\"").append(HtmlReport.esc(l.name()))
                    .append("\" fill=\"none\" stroke=\"").append(l.color()).append("\" stroke-width=\"")
                    .append(l.total() ? 3 : 1.5).append("\" points=\"").append(pts.toString().strip())
                    .append("\"><title>").append(HtmlReport.esc(l.name())).append("</title></polyline>\n");
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n", LEFT + plotW + 12, legendY - 4, l.color(),
                    LEFT + plotW + 28, legendY, HtmlReport.esc(l.name())));
            legendY += 16;
        }
        sb.append("</svg>\n");
    }

    /** {@code log10(1 / (1 - p))} for p in percent; the 100 % point lies beyond any axis end. */
    static double nines(double percentile) {
        double rest = 1 - percentile / 100.0;
        return rest <= 0 ? Double.POSITIVE_INFINITY : Math.log10(1 / rest);
    }

    private static List<SpectrumPoint> spectrumOf(PhaseReport p, String op) {
        LoadReport.OpReport o = op.equals("POST") ? p.post() : p.get();
        return o.latency().spectrum();
    }
}
