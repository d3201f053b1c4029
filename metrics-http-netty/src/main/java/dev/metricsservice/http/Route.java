package dev.metricsservice.http;

/** The endpoints, matched from the request path alone. */
enum Route {
    INGEST("/metrics", "POST"),
    /** The service's own metrics, Prometheus text or OpenMetrics: {@code GET} on the ingest path. */
    EXPOSITION("/metrics", "GET"),
    /** Influx line protocol ({@code /write}, and {@code /api/v2/write} as InfluxDB 2 clients send it). */
    WRITE("/write", "POST"),
    QUERY("/metrics/{name}", "GET"),
    HEALTH("/health", "GET"),
    READY("/ready", "GET"),
    STATS("/stats", "GET"),
    SERIES("/series", "GET"),
    /** No endpoint has this path. */
    NONE("other", null);

    /** The route template, as reported to {@link ServerInstrumentation#onRequest}. */
    final String template;
    /** The one method the route answers (HEAD is not served). */
    final String allow;

    Route(String template, String allow) {
        this.template = template;
        this.allow = allow;
    }

    /** Matches a raw (still percent-encoded) path without its query string. */
    static Route match(String path) {
        switch (path) {
            case "/metrics":
                return INGEST;
            case "/write", "/api/v2/write":
                return WRITE;
            case "/health":
                return HEALTH;
            case "/ready":
                return READY;
            case "/stats":
                return STATS;
            case "/series":
                return SERIES;
            default:
                return path.startsWith("/metrics/") && path.length() > "/metrics/".length() ? QUERY : NONE;
        }
    }
}
