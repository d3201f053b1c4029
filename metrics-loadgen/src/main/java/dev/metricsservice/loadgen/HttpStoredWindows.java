package dev.metricsservice.loadgen;

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
    public List<WindowStats> query(String name, long from, long to, int limit) throws IOException,
            InterruptedException {
        String base = target.toString().replaceAll("/+$", "");
        URI uri = URI.create(base + Payloads.metricPath(name) + "?from=" + from + "&to=" + to + "&limit=" + limit);
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
            try {
                rows.add(new WindowStats(ts.asLong(), Stats.of(count.asLong(), sum.asDouble(), min.asDouble(),
                        max.asDouble())));
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
