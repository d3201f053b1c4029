package dev.metricsservice.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the HTTP server can be told, with documented defaults; the one source of truth for
 * its limits. Validated when built.
 *
 * <pre>{@code
 * HttpServerConfig config = HttpServerConfig.builder()
 *         .bindHost("0.0.0.0").port(3001)
 *         .maxBodyBytes(1 << 20)
 *         .authToken(System.getenv("METRICS_TOKEN"))   // null: no authentication
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param bindHost              address to listen on; default {@code 127.0.0.1} (only this machine)
 * @param port                  TCP port, 0 for any free port; default 3001 (the seed's port)
 * @param ioThreads             event loops; 0 means one per available processor (default)
 * @param maxBodyBytes          largest request body; larger ones get 413 without being read. Default 1 MiB
 * @param maxBatchSize          most samples in one batch POST; default 10,000
 * @param maxInitialLineBytes   longest request line; longer gets 414. Default 4,096
 * @param maxHeaderBytes        largest header block; larger gets 431. Default 8,192
 * @param maxConnections        concurrent connections; more are answered 503 and closed. Default 10,000
 * @param idleTimeout           a connection with no traffic for this long is closed. Default 60 s
 * @param requestReadTimeout    a request must arrive completely within this time of its first
 *                              byte, else 408 and close (stops clients that trickle bytes). Default 30 s
 * @param shutdownTimeout       how long a graceful shutdown waits for in-flight requests. Default 10 s
 * @param retryAfter            the {@code Retry-After} sent with 503 answers. Default 5 s
 * @param authToken             when set, POST requires {@code Authorization: Bearer <token>}; default
 *                              null (no authentication)
 * @param defaultQueryLimit     windows returned by {@code GET /metrics/{name}} without {@code limit}; default 20
 * @param maxQueryLimit         the largest accepted {@code limit}; default 1,000
 * @param preferNativeTransport use epoll when it is available (default true); NIO otherwise
 * @param dedupWindow           how long a POST's {@code Idempotency-Key} is remembered; a repeat
 *                              within it is answered like the first. Default 10 min
 * @param dedupMaxKeys          most keys remembered (oldest forgotten first; about 200 bytes each).
 *                              Default 1,000,000
 * @param maxConnectionsPerAddress concurrent connections from one remote IP address; more are
 *                              answered 503 and closed, so that one client cannot take the whole
 *                              {@code maxConnections} from others (probes included). Default 256
 * @param headerReadTimeout     a request's line and headers must arrive within this time of its first
 *                              byte, else 408 {@code header_timeout} and close. Default 10 s
 * @param authReads             when true (and a token is set), reads ({@code GET /metrics/{name}},
 *                              {@code /series}, {@code /stats} and the exposition) need the token
 *                              too; {@code /health} and {@code /ready} never do. Default false
 */
public record HttpServerConfig(
        String bindHost,
        int port,
        int ioThreads,
        int maxBodyBytes,
        int maxBatchSize,
        int maxInitialLineBytes,
        int maxHeaderBytes,
        int maxConnections,
        Duration idleTimeout,
        Duration requestReadTimeout,
        Duration shutdownTimeout,
        Duration retryAfter,
        String authToken,
        int defaultQueryLimit,
        int maxQueryLimit,
        boolean preferNativeTransport,
        Duration dedupWindow,
        int dedupMaxKeys,
        int maxConnectionsPerAddress,
        Duration headerReadTimeout,
        boolean authReads) {

    public HttpServerConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        requireRange("port", port, 0, 65_535);
        requireRange("ioThreads", ioThreads, 0, 1024);
        requireRange("maxBodyBytes", maxBodyBytes, 64, 1 << 30);
        requireRange("maxBatchSize", maxBatchSize, 1, 10_000_000);
        requireRange("maxInitialLineBytes", maxInitialLineBytes, 64, 1 << 20);
        requireRange("maxHeaderBytes", maxHeaderBytes, 256, 1 << 20);
        requireRange("maxConnections", maxConnections, 1, 10_000_000);
        requirePositive("idleTimeout", idleTimeout);
        requirePositive("requestReadTimeout", requestReadTimeout);
        requireNotNegative("shutdownTimeout", shutdownTimeout);
        requirePositive("retryAfter", retryAfter);
        if (authToken != null && (authToken.isEmpty() || !authToken.matches("[\\x21-\\x7e]+"))) {
            throw new IllegalArgumentException("authToken must be printable ASCII without spaces, or null for no authentication");
        }
        requireRange("maxQueryLimit", maxQueryLimit, 1, 1_000_000);
        requireRange("defaultQueryLimit", defaultQueryLimit, 1, maxQueryLimit);
        requirePositive("dedupWindow", dedupWindow);
        if (dedupWindow.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("dedupWindow must be at most 7 days, was " + dedupWindow);
        }
        requireRange("dedupMaxKeys", dedupMaxKeys, 1, 100_000_000);
        requireRange("maxConnectionsPerAddress", maxConnectionsPerAddress, 1, maxConnections);
        requirePositive("headerReadTimeout", headerReadTimeout);
        if (authReads && authToken == null) {
            throw new IllegalArgumentException("authReads needs an authToken");
        }
    }

    /** The defaults listed on the record components. */
    public static HttpServerConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bindHost = bindHost;
        b.port = port;
        b.ioThreads = ioThreads;
        b.maxBodyBytes = maxBodyBytes;
        b.maxBatchSize = maxBatchSize;
        b.maxInitialLineBytes = maxInitialLineBytes;
        b.maxHeaderBytes = maxHeaderBytes;
        b.maxConnections = maxConnections;
        b.idleTimeout = idleTimeout;
        b.requestReadTimeout = requestReadTimeout;
        b.shutdownTimeout = shutdownTimeout;
        b.retryAfter = retryAfter;
        b.authToken = authToken;
        b.defaultQueryLimit = defaultQueryLimit;
        b.maxQueryLimit = maxQueryLimit;
        b.preferNativeTransport = preferNativeTransport;
        b.dedupWindow = dedupWindow;
        b.dedupMaxKeys = dedupMaxKeys;
        b.maxConnectionsPerAddress = maxConnectionsPerAddress;
        b.headerReadTimeout = headerReadTimeout;
        b.authReads = authReads;
        return b;
    }

    /** {@code Retry-After} in whole seconds, at least 1. */
    long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    private static void requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void requirePositive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
    }

    private static void requireNotNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, was " + d);
        }
    }

    /** Builds a {@link HttpServerConfig}; every setter documents its default on the record. Not thread-safe. */
    public static final class Builder {
        private String bindHost = "127.0.0.1";
        private int port = 3001;
        private int ioThreads = 0;
        private int maxBodyBytes = 1 << 20;
        private int maxBatchSize = 10_000;
        private int maxInitialLineBytes = 4096;
        private int maxHeaderBytes = 8192;
        private int maxConnections = 10_000;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration requestReadTimeout = Duration.ofSeconds(30);
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Duration retryAfter = Duration.ofSeconds(5);
        private String authToken;
        private int defaultQueryLimit = 20;
        private int maxQueryLimit = 1000;
        private boolean preferNativeTransport = true;
        private Duration dedupWindow = Duration.ofMinutes(10);
        private int dedupMaxKeys = 1_000_000;
        private int maxConnectionsPerAddress = 256;
        private Duration headerReadTimeout = Duration.ofSeconds(10);
        private boolean authReads;

        private Builder() {
        }

        public Builder bindHost(String v) { bindHost = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
        public Builder maxBatchSize(int v) { maxBatchSize = v; return this; }
        public Builder maxInitialLineBytes(int v) { maxInitialLineBytes = v; return this; }
        public Builder maxHeaderBytes(int v) { maxHeaderBytes = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder requestReadTimeout(Duration v) { requestReadTimeout = v; return this; }
        public Builder shutdownTimeout(Duration v) { shutdownTimeout = v; return this; }
        public Builder retryAfter(Duration v) { retryAfter = v; return this; }
        public Builder authToken(String v) { authToken = v; return this; }
        public Builder defaultQueryLimit(int v) { defaultQueryLimit = v; return this; }
        public Builder maxQueryLimit(int v) { maxQueryLimit = v; return this; }
        public Builder preferNativeTransport(boolean v) { preferNativeTransport = v; return this; }
        public Builder dedupWindow(Duration v) { dedupWindow = v; return this; }
        public Builder dedupMaxKeys(int v) { dedupMaxKeys = v; return this; }
        public Builder maxConnectionsPerAddress(int v) { maxConnectionsPerAddress = v; return this; }
        public Builder headerReadTimeout(Duration v) { headerReadTimeout = v; return this; }
        public Builder authReads(boolean v) { authReads = v; return this; }

        /** Validates and builds. @throws IllegalArgumentException naming the bad setting */
        public HttpServerConfig build() {
            return new HttpServerConfig(bindHost, port, ioThreads, maxBodyBytes, maxBatchSize, maxInitialLineBytes,
                    maxHeaderBytes, maxConnections, idleTimeout, requestReadTimeout, shutdownTimeout, retryAfter,
                    authToken, defaultQueryLimit, maxQueryLimit, preferNativeTransport, dedupWindow, dedupMaxKeys,
                    Math.min(maxConnectionsPerAddress, maxConnections), headerReadTimeout, authReads);
        }
    }
}
