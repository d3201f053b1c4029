package dev.metricsservice.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny stand-in for the metrics service on 127.0.0.1 (JDK HttpServer): POST /metrics (one object or an array,
 * 202), GET /metrics/{name}?from&to&limit with exact per-window count/sum/min/max, newest first.
 * {@code dropEvery > 0} makes it acknowledge but silently lose every n-th sample, to test the verifier.
 */
public final class FakeMetricsService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final long WINDOW_SECONDS = 10;

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: ~40 ms a request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final long dropEvery;
    private final AtomicLong received = new AtomicLong();
    /** name -> window start -> {count, sum, min, max}; guarded by itself. */
    private final Map<String, TreeMap<Long, double[]>> windows = new HashMap<>();
    final Set<String> queriedNames = ConcurrentHashMap.newKeySet();
    final AtomicLong posts = new AtomicLong();
    final AtomicLong arrayPosts = new AtomicLong();
    /** When set, POST requires {@code Authorization: Bearer <token>}, else 401. */
    volatile String requiredToken;
    /**
     * When positive, every n-th POST is applied and its connection then closed without an answer
     * (the client sees its outcome as unknown); a POST whose {@code Idempotency-Key} was applied
     * before is answered 202 without being applied again, as the real service does.
     */
    volatile long hangUpEvery;
    private final Set<String> appliedKeys = ConcurrentHashMap.newKeySet();
    final AtomicLong hungUp = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();

    public FakeMetricsService(long dropEvery) throws IOException {
        this.dropEvery = dropEvery;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.createContext("/metrics", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Stores a sample directly, as if from an earlier run. */
    void preload(String name, double value, long epochSecond) {
        store(name, value, epochSecond);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            if (ex.getRequestMethod().equals("POST") && path.equals("/metrics")) {
                post(ex);
            } else if (ex.getRequestMethod().equals("GET") && path.equals("/metrics")) {
                exposition(ex);
            } else if (ex.getRequestMethod().equals("GET") && path.startsWith("/metrics/")) {
                get(ex, URLDecoder.decode(path.substring("/metrics/".length()), StandardCharsets.UTF_8));
            } else {
                respond(ex, 404, "{\"error\":\"not_found\"}");
            }
        }
    }

    private final AtomicLong scrapes = new AtomicLong();

    /** A small Prometheus exposition in the service's names: one "flush" per scrape, the JVM's real GC. */
    private void exposition(HttpExchange ex) throws IOException {
        long n = scrapes.incrementAndGet();
        StringBuilder sb = new StringBuilder();
        sb.append("# TYPE metricsservice_flushes counter\n")
                .append("metricsservice_flushes_total{outcome=\"ok\"} ").append(n).append('\n')
                .append("metricsservice_flushes_total{outcome=\"failed\"} 0\n")
                .append("metricsservice_flush_duration_seconds_sum ").append(0.002 * n).append('\n')
                .append("metricsservice_flush_duration_seconds_count ").append(n).append('\n')
                .append("metricsservice_samples_rejected_total{reason=\"overloaded\"} ").append(hungUp.get()).append('\n')
                .append("metricsservice_pending_windows ").append(n % 3).append('\n')
                .append("metricsservice_live_series 5\n");
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            sb.append("jvm_gc_collection_seconds_total{gc=\"").append(gc.getName()).append("\"} ")
                    .append(gc.getCollectionTime() / 1000.0).append('\n')
                    .append("jvm_gc_collections_total{gc=\"").append(gc.getName()).append("\"} ")
                    .append(gc.getCollectionCount()).append('\n');
        }
        sb.append("jvm_memory_used_bytes{area=\"heap\"} ")
                .append(java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
                .append('\n');
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private void post(HttpExchange ex) throws IOException {
        String token = requiredToken;
        if (token != null && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            respond(ex, 401, "{\"error\":\"unauthorized\"}");
            return;
        }
        JsonNode root;
        try (InputStream in = ex.getRequestBody()) {
            root = JSON.readTree(in);
        } catch (IOException e) {
            respond(ex, 400, "{\"error\":\"malformed_json\"}");
            return;
        }
        List<JsonNode> samples = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(samples::add);
            arrayPosts.incrementAndGet();
        } else {
            samples.add(root);
        }
        for (JsonNode s : samples) {
            if (!s.path("name").isTextual() || !s.path("value").isNumber()) {
                respond(ex, 422, "{\"error\":\"invalid_sample\"}");
                return;
            }
        }
        String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        if (key != null && !appliedKeys.add(key)) {
            duplicates.incrementAndGet();
            respond(ex, 202, "{\"accepted\":" + samples.size() + ",\"duplicate\":true}");
            return;
        }
        long postNo = posts.incrementAndGet();
        long now = System.currentTimeMillis() / 1000;
        for (JsonNode s : samples) {
            long n = received.incrementAndGet();
            if (dropEvery > 0 && n % dropEvery == 0) {
                continue;
            }
            store(s.get("name").asText(), s.get("value").asDouble(), now);
        }
        long every = hangUpEvery;
        if (every > 0 && postNo % every == 0) {
            hungUp.incrementAndGet();
            // Applied, never answered: closing the exchange without headers drops the connection.
            return;
        }
        respond(ex, 202, "{\"accepted\":" + samples.size() + "}");
    }

    private void store(String name, double value, long epochSecond) {
        long window = Math.floorDiv(epochSecond, WINDOW_SECONDS) * WINDOW_SECONDS;
        synchronized (windows) {
            double[] w = windows.computeIfAbsent(name, k -> new TreeMap<>())
                    .computeIfAbsent(window, k -> new double[] {0, 0, Double.POSITIVE_INFINITY,
                            Double.NEGATIVE_INFINITY});
            w[0]++;
            w[1] += value;
            w[2] = Math.min(w[2], value);
            w[3] = Math.max(w[3], value);
        }
    }

    private void get(HttpExchange ex, String name) throws IOException {
        queriedNames.add(name);
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        long from = Long.parseLong(q.getOrDefault("from", String.valueOf(Long.MIN_VALUE / 2)));
        long to = Long.parseLong(q.getOrDefault("to", String.valueOf(Long.MAX_VALUE / 2)));
        int limit = Integer.parseInt(q.getOrDefault("limit", "20"));
        StringBuilder sb = new StringBuilder("[");
        synchronized (windows) {
            TreeMap<Long, double[]> series = windows.getOrDefault(name, new TreeMap<>());
            int n = 0;
            for (Map.Entry<Long, double[]> e : series.subMap(from, true, to, false).descendingMap().entrySet()) {
                if (n++ == limit) {
                    break;
                }
                double[] w = e.getValue();
                if (n > 1) {
                    sb.append(',');
                }
                sb.append("{\"timestamp\":").append(e.getKey()).append(",\"sum\":").append(w[1])
                        .append(",\"count\":").append((long) w[0]).append(",\"min\":").append(w[2])
                        .append(",\"max\":").append(w[3]).append('}');
            }
        }
        respond(ex, 200, sb.append(']').toString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    q.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
