package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.Samples;

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

    /** The samples of one POST. */
    public record Post(byte[] body, int[] nameIndexes, double[] values) {
    }

    /** Worker {@code worker}'s samples {@code firstN .. firstN + count - 1}; a JSON object for one, else an array. */
    public static Post samples(List<String> jsonNames, int worker, long firstN, int count) {
        int[] idx = new int[count];
        double[] values = new double[count];
        StringBuilder sb = new StringBuilder(count * 48);
        if (count > 1) {
            sb.append('[');
        }
        for (int i = 0; i < count; i++) {
            long n = firstN + i;
            idx[i] = Samples.nameIndex(n, jsonNames.size());
            values[i] = Samples.value(n, worker);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"name\":").append(jsonNames.get(idx[i])).append(",\"value\":").append(values[i]).append('}');
        }
        if (count > 1) {
            sb.append(']');
        }
        return new Post(sb.toString().getBytes(StandardCharsets.UTF_8), idx, values);
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
