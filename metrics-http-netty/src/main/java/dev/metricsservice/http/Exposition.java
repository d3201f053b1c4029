package dev.metricsservice.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The service's own metrics for {@code GET /metrics}, in the Prometheus text format (0.0.4) or
 * OpenMetrics 1.0. The server adds its families; {@link ServerInstrumentation#writeMetrics} adds
 * the embedder's (flush worker, write-ahead log, JVM).
 *
 * <pre>{@code
 * exposition.counter("metricsservice_flushes", "Flushes by outcome.")
 *         .sample(42, "outcome", "ok")
 *         .sample(1, "outcome", "failed");
 * exposition.gauge("metricsservice_wal_bytes", "Bytes in the write-ahead log.").sample(1 << 20);
 * }</pre>
 * Names follow Prometheus' conventions: base units in the name ({@code _seconds}, {@code _bytes}),
 * a counter's samples end in {@code _total} (added here: give the name without it). Not
 * thread-safe: one per request.
 */
public final class Exposition {

    /** One metric family: its samples, each with its label pairs. */
    public final class Family {
        private final String name;
        private final String help;
        private final boolean counter;
        private final List<String[]> labels = new ArrayList<>();
        private final List<Double> values = new ArrayList<>();

        private Family(String name, String help, boolean counter) {
            this.name = name;
            this.help = help;
            this.counter = counter;
        }

        /** Adds a sample with alternating label names and values. */
        public Family sample(double value, String... labelPairs) {
            if ((labelPairs.length & 1) != 0) {
                throw new IllegalArgumentException("labels come in name/value pairs");
            }
            labels.add(labelPairs);
            values.add(value);
            return this;
        }
    }

    private final List<Family> families = new ArrayList<>();
    /** Histograms, rendered after the counters and gauges. */
    private final List<Object[]> histograms = new ArrayList<>();

    /**
     * A histogram without labels: {@code upperBounds} ascending (seconds, bytes...), the count of
     * observations at or below each, and the sum and count of all.
     */
    public void histogram(String name, String help, double[] upperBounds, long[] cumulativeCounts, double sum, long count) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*") || upperBounds.length != cumulativeCounts.length) {
            throw new IllegalArgumentException("bad histogram " + name);
        }
        histograms.add(new Object[] {name, help, upperBounds.clone(), cumulativeCounts.clone(), sum, count});
    }

    Exposition() {
    }

    /** A counter family; {@code name} without the {@code _total} suffix. */
    public Family counter(String name, String help) {
        return add(name, help, true);
    }

    /** A gauge family. */
    public Family gauge(String name, String help) {
        return add(name, help, false);
    }

    private Family add(String name, String help, boolean counter) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*") || (counter && name.endsWith("_total"))) {
            throw new IllegalArgumentException("not a metric family name (a counter's without _total): " + name);
        }
        Family f = new Family(name, help, counter);
        families.add(f);
        return f;
    }

    /** The text: OpenMetrics when {@code openMetrics}, else the Prometheus text format. */
    String render(boolean openMetrics) {
        StringBuilder sb = new StringBuilder(8192);
        for (Family f : families) {
            if (f.values.isEmpty()) {
                continue;
            }
            // The text format names a counter family by its samples' name; OpenMetrics by the base.
            String familyName = f.counter && !openMetrics ? f.name + "_total" : f.name;
            sb.append("# HELP ").append(familyName).append(' ').append(escapeHelp(f.help)).append('\n');
            sb.append("# TYPE ").append(familyName).append(' ').append(f.counter ? "counter" : "gauge").append('\n');
            String sampleName = f.counter ? f.name + "_total" : f.name;
            for (int i = 0; i < f.values.size(); i++) {
                sb.append(sampleName);
                String[] l = f.labels.get(i);
                if (l.length > 0) {
                    sb.append('{');
                    for (int k = 0; k < l.length; k += 2) {
                        if (k > 0) {
                            sb.append(',');
                        }
                        sb.append(l[k]).append("=\"").append(escapeLabel(l[k + 1])).append('"');
                    }
                    sb.append('}');
                }
                sb.append(' ').append(number(f.values.get(i))).append('\n');
            }
        }
        for (Object[] h : histograms) {
            String name = (String) h[0];
            double[] bounds = (double[]) h[2];
            long[] counts = (long[]) h[3];
            sb.append("# HELP ").append(name).append(' ').append(escapeHelp((String) h[1])).append('\n');
            sb.append("# TYPE ").append(name).append(" histogram\n");
            for (int i = 0; i < bounds.length; i++) {
                sb.append(name).append("_bucket{le=\"").append(number(bounds[i])).append("\"} ").append(counts[i]).append('\n');
            }
            sb.append(name).append("_bucket{le=\"+Inf\"} ").append(h[5]).append('\n');
            sb.append(name).append("_sum ").append(number((Double) h[4])).append('\n');
            sb.append(name).append("_count ").append(h[5]).append('\n');
        }
        if (openMetrics) {
            sb.append("# EOF\n");
        }
        return sb.toString();
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static String escapeLabel(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
