package dev.metricsservice.loadgen;

import dev.metricsservice.core.SeriesKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.loadgen.internal.Payloads;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link StoredWindows} over the service's query API, with the JDK HTTP client (a handful of requests). */
final class HttpStoredWindows implements StoredWindows {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI target;
    private final Duration timeout;
    private final HttpClient client;

    HttpStoredWindows(URI target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public boolean carriesSketches() {
        return false;
    }

    @Override
    public List<WindowStats> query(SeriesKey series, long from, long to, int limit) throws IOException,
            InterruptedException {
        return query(series, null, from, to, limit);
    }

    /**
     * For a distribution, asks for a quantile too, so that every row says how many samples its
     * sketch holds ({@code sketch_count}); a row whose sketch does not hold exactly its count fails
     * the read, naming the window.
     */
    @Override
    public List<WindowStats> query(SeriesKey series, dev.metricsservice.core.MetricType type, long from, long to,
                                   int limit) throws IOException, InterruptedException {
        boolean distribution = type == dev.metricsservice.core.MetricType.DISTRIBUTION;
        String base = target.toString().replaceAll("/+$", "");
        StringBuilder filters = new StringBuilder();
        for (int i = 0; i < series.tags().size(); i++) {
            filters.append("&tag=").append(java.net.URLEncoder.encode(series.tags().key(i) + ":" + series.tags().value(i),
                    java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        }
        URI uri = URI.create(base + Payloads.metricPath(series.name()) + "?from=" + from + "&to=" + to + "&limit=" + limit
                + filters + (distribution ? "&quantiles=0.5" : ""));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + response.statusCode() + ": "
                    + abbreviate(response.body()));
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("GET " + uri + " returned malformed JSON: " + abbreviate(response.body()), e);
        }
        if (!root.isArray()) {
            throw new IOException("GET " + uri + " should return a JSON array, got: " + abbreviate(response.body()));
        }
        List<WindowStats> rows = new ArrayList<>(root.size());
        for (JsonNode row : root) {
            JsonNode ts = row.get("timestamp");
            JsonNode count = row.get("count");
            JsonNode sum = row.get("sum");
            JsonNode min = row.get("min");
            JsonNode max = row.get("max");
            if (ts == null || count == null || sum == null || min == null || max == null
                    || !ts.isNumber() || !count.isNumber() || !sum.isNumber()) {
                throw new IOException("GET " + uri + ": row lacks numeric timestamp/sum/count/min/max: " + row);
            }
            if (distribution) {
                JsonNode sketched = row.get("sketch_count");
                if (sketched == null || sketched.asLong() != count.asLong()) {
                    throw new IOException("GET " + uri + ": the sketch of window " + ts.asLong() + " holds "
                            + (sketched == null ? "no" : sketched.asLong()) + " samples, the window counts "
                            + count.asLong());
                }
            }
            JsonNode last = row.get("last");
            try {
                // A gauge's row carries its last value; its time is not on the wire, and the newest
                // window's last is the series' last, which is all the verifier needs.
                rows.add(new WindowStats(ts.asLong(), last != null && last.isNumber()
                        ? new Stats(count.asLong(), sum.asDouble(), min.asDouble(), max.asDouble(), last.asDouble(),
                                ts.asLong() * 1000)
                        : Stats.of(count.asLong(), sum.asDouble(), min.asDouble(), max.asDouble())));
            } catch (IllegalArgumentException e) {
                throw new IOException("GET " + uri + ": inconsistent row " + row + ": " + e.getMessage(), e);
            }
        }
        return rows;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
