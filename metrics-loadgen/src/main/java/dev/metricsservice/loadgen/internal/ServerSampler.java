package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.LoadReport.ServerPoint;
import dev.metricsservice.loadgen.LoadReport.ServerSide;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads the service's own metrics ({@code GET /metrics}, Prometheus text) once per interval while
 * the load runs, on a thread of its own with its own HTTP client, so the load's connections and
 * latencies are untouched. Keeps the families the report draws: flushes and their time, refusals
 * by reason, pending windows, live series, GC time and heap. A target without the exposition (404,
 * refused connection) gives a report that says so. Start once, stop once; thread-safe.
 */
public final class ServerSampler {

    private final URI metrics;
    private final Duration interval;
    private final String bearerToken;
    private final HttpClient client;
    private final List<ServerPoint> points = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loadgen-server-sampler");
        t.setDaemon(true);
        return t;
    });
    private volatile String problem = "";
    private long startNanos;

    public ServerSampler(URI target, Duration interval, String bearerToken) {
        this.metrics = target.resolve("/metrics");
        this.interval = interval;
        this.bearerToken = bearerToken;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Takes a first sample now, then one per interval. */
    public void start() {
        startNanos = System.nanoTime();
        timer.scheduleWithFixedDelay(this::sample, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Takes a last sample and returns everything read. */
    public ServerSide stop() {
        timer.shutdown();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        synchronized (points) {
            return points.isEmpty() ? ServerSide.none(problem) : new ServerSide(true, problem, points);
        }
    }

    private void sample() {
        if (!problem.isEmpty() && points.isEmpty()) {
            return; // the target has no exposition: do not keep asking
        }
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).GET();
            if (bearerToken != null) {
                b.header("Authorization", "Bearer " + bearerToken);
            }
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                problem = "GET " + metrics + " answered " + r.statusCode();
                return;
            }
            ServerPoint p = point((System.nanoTime() - startNanos) / 1e9, parse(r.body()));
            synchronized (points) {
                points.add(p);
            }
        } catch (java.io.IOException e) {
            problem = "GET " + metrics + " failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prometheus text: {@code name{labels} value} per line; comments and blank lines skipped. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> values = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            try {
                values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException ignored) {
                // a value we do not chart
            }
        }
        return values;
    }

    static ServerPoint point(double elapsedSeconds, Map<String, Double> v) {
        Map<String, Long> rejected = new TreeMap<>();
        double gcSeconds = 0;
        double gcCount = 0;
        for (Map.Entry<String, Double> e : v.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("metricsservice_samples_rejected_total{reason=\"")) {
                long n = e.getValue().longValue();
                if (n > 0) {
                    rejected.put(k.substring(k.indexOf('"') + 1, k.lastIndexOf('"')), n);
                }
            } else if (k.startsWith("jvm_gc_collection_seconds_total")) {
                gcSeconds += e.getValue();
            } else if (k.startsWith("jvm_gc_collections_total")) {
                gcCount += e.getValue();
            }
        }
        return new ServerPoint(elapsedSeconds,
                (long) get(v, "metricsservice_flushes_total{outcome=\"ok\"}"),
                (long) get(v, "metricsservice_flushes_total{outcome=\"failed\"}"),
                get(v, "metricsservice_flush_duration_seconds_sum"),
                (long) get(v, "metricsservice_flush_duration_seconds_count"),
                rejected,
                (long) get(v, "metricsservice_pending_windows"),
                (long) get(v, "metricsservice_live_series"),
                gcSeconds, (long) gcCount,
                (long) get(v, "jvm_memory_used_bytes{area=\"heap\"}"));
    }

    private static double get(Map<String, Double> v, String key) {
        Double d = v.get(key);
        return d == null ? 0 : d;
    }
}
