package dev.metricsservice.loadgen.internal;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.loadgen.Samples;
import dev.metricsservice.loadgen.SeriesPlan;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds request bodies and paths. Values are written with {@link Double#toString}, the shortest text that
 * parses back to the same double, so the server sums exactly the values the ledger sums.
 */
public final class Payloads {

    private Payloads() {
    }

    /**
     * The samples of one POST: per sample its series (an index into the plan's series) and value;
     * {@code stampMillis} is the client timestamp gauge samples carry.
     */
    public record Post(byte[] body, int[] seriesIndexes, double[] values, long stampMillis) {
    }

    /**
     * The JSON of each series of a plan up to its value: {@code {"name":..,"type":..,"tags":{..},"value":}}.
     * Types and tags appear only where the plan has them, so the seed's samples stay the seed's bytes.
     */
    public static List<String> prefixes(SeriesPlan plan) {
        List<String> out = new java.util.ArrayList<>(plan.size());
        List<SeriesKey> series = plan.series();
        for (int i = 0; i < series.size(); i++) {
            SeriesKey s = series.get(i);
            StringBuilder sb = new StringBuilder("{\"name\":").append(jsonString(s.name()));
            MetricType type = plan.typeOf(i);
            if (type != MetricType.SUMMARY) {
                sb.append(",\"type\":\"").append(type.wireName()).append('"');
            }
            if (!s.tags().isEmpty()) {
                sb.append(",\"tags\":{");
                for (int t = 0; t < s.tags().size(); t++) {
                    if (t > 0) {
                        sb.append(',');
                    }
                    sb.append(jsonString(s.tags().key(t))).append(':').append(jsonString(s.tags().value(t)));
                }
                sb.append('}');
            }
            out.add(sb.append(",\"value\":").toString());
        }
        return out;
    }

    /**
     * Worker {@code worker}'s samples {@code firstN .. firstN + count - 1}; a JSON object for one,
     * else an array. Gauge samples carry {@code stampMillis} as their timestamp.
     */
    public static Post samples(SeriesPlan plan, List<String> prefixes, int worker, long firstN, int count,
                               long stampMillis) {
        int[] idx = new int[count];
        double[] values = new double[count];
        StringBuilder sb = new StringBuilder(count * 48);
        if (count > 1) {
            sb.append('[');
        }
        for (int i = 0; i < count; i++) {
            long n = firstN + i;
            idx[i] = plan.seriesIndex(n, worker);
            values[i] = Samples.value(n, worker);
            if (i > 0) {
                sb.append(',');
            }
            sb.append(prefixes.get(idx[i])).append(values[i]);
            if (plan.typeOf(idx[i]) == MetricType.GAUGE) {
                sb.append(",\"timestamp\":").append(stampMillis);
            }
            sb.append('}');
        }
        if (count > 1) {
            sb.append(']');
        }
        return new Post(sb.toString().getBytes(StandardCharsets.UTF_8), idx, values, stampMillis);
    }

    /** A JSON string literal for {@code s}. */
    public static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** {@code /metrics/<percent-encoded name>}. */
    public static String metricPath(String name) {
        return "/metrics/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
