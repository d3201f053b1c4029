package dev.metricsservice.loadgen;

import dev.metricsservice.loadgen.internal.LoadRun;
import dev.metricsservice.loadgen.internal.RunSettings;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Drives a metrics service over HTTP with a {@link Profile} and a {@link LoadModel}, and reports what happened.
 *
 * <pre>{@code
 * LoadReport report = LoadGenerator.builder()
 *         .target(URI.create("http://127.0.0.1:3001"))
 *         .profile(Profile.preset("smoke"))
 *         .model(LoadModel.closed())
 *         .progress(System.out::println)          // one line per second
 *         .build()
 *         .run();                                 // blocks for the profile's duration
 * System.out.print(Reports.text(report));
 * Verification v = Verifier.overHttp(URI.create("http://127.0.0.1:3001")).verify(report);
 * }</pre>
 *
 * <p>Requests go over a pool of keep-alive HTTP/1.1 connections (Netty, epoll when available), at most one
 * request in flight per connection: one connection per worker in the closed model, {@code maxConnections} in the
 * open model. POST bodies follow the seed's formula ({@link Samples}); each worker's every
 * {@code getEvery}-th POST is followed by a GET of one metric's aggregates, cycling through the names.
 *
 * <p>Thread-safety: a generator runs once; {@link #run()} blocks the calling thread, {@link #stop()} may be called
 * from any thread (e.g. a shutdown hook) and makes {@code run()} drain and return early.
 */
public final class LoadGenerator {

    private final LoadRun run;
    private final RunSettings settings;
    private final boolean sampleServer;
    private volatile boolean started;

    private LoadGenerator(RunSettings settings, boolean sampleServer) {
        this.run = new LoadRun(settings);
        this.settings = settings;
        this.sampleServer = sampleServer;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Plays the profile, waits for in-flight requests (at most the request timeout plus 2 s), closes every
     * connection and returns the report. Failed requests are counted, never thrown.
     *
     * @throws IllegalStateException if called twice
     * @throws InterruptedException  if the calling thread is interrupted
     */
    public LoadReport run() throws InterruptedException {
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("a LoadGenerator runs once; build a new one");
            }
            started = true;
        }
        if (!sampleServer) {
            return run.run();
        }
        // The service's own view of the run, read beside the load (its own thread and client).
        dev.metricsservice.loadgen.internal.ServerSampler sampler = new dev.metricsservice.loadgen.internal.ServerSampler(
                settings.target(), settings.progressInterval(), settings.bearerToken());
        sampler.start();
        LoadReport report;
        try {
            report = run.run();
        } catch (InterruptedException | RuntimeException e) {
            sampler.stop();
            throw e;
        }
        return report.withServer(sampler.stop());
    }

    /** Ends the run before the profile does; safe from any thread, idempotent. */
    public void stop() {
        run.stop();
    }

    /** Builder; not thread-safe. Only {@link #target} is required. */
    public static final class Builder {
        private URI target;
        private Profile profile = Profile.preset("seed");
        private LoadModel model = LoadModel.closed();
        private List<String> metricNames = Samples.SEED_NAMES;
        private SeriesPlan plan;
        private int batchSize = 1;
        private boolean idempotencyKeys = true;
        private boolean sampleServer = true;
        private int getEvery = 10;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration progressInterval = Duration.ofSeconds(1);
        private int ioThreads = 0;
        private Consumer<String> progress;
        private String bearerToken;

        private Builder() {
        }

        /** Base URI of the service, {@code http://host:port}. Required. */
        public Builder target(URI target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** Default: the {@code seed} preset. */
        public Builder profile(Profile profile) {
            this.profile = Objects.requireNonNull(profile, "profile");
            return this;
        }

        /** Default: {@link LoadModel#closed()}. */
        public Builder model(LoadModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The series to write: names, tag combinations, types; default the seed's five untagged names. */
        public Builder plan(SeriesPlan plan) {
            this.plan = plan;
            return this;
        }

        /** Metric names to cycle through, untagged summaries (ignored when a {@link #plan} is set). */
        public Builder metricNames(List<String> names) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("at least one metric name is needed");
            }
            this.metricNames = List.copyOf(names);
            return this;
        }

        /**
         * Whether every POST carries an {@code Idempotency-Key} (and a POST of unknown outcome is
         * retried with it). Default true; false sends no key and never retries, for servers that do
         * not support keys or to measure their cost.
         */
        public Builder idempotencyKeys(boolean on) {
            this.idempotencyKeys = on;
            return this;
        }

        /** Samples per POST; 1 sends a JSON object, more a JSON array. Default 1. */
        public Builder batchSize(int samplesPerPost) {
            if (samplesPerPost < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + samplesPerPost);
            }
            this.batchSize = samplesPerPost;
            return this;
        }

        /** Every how many POSTs a GET follows; default 10 (the seed's). */
        public Builder getEvery(int posts) {
            if (posts < 1) {
                throw new IllegalArgumentException("getEvery must be >= 1, got " + posts);
            }
            this.getEvery = posts;
            return this;
        }

        /** Time to wait for a response after sending; then the request counts as a timeout. Default 5 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** Default 2 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Receives one progress line per {@link #progressInterval}; default none. */
        public Builder progress(Consumer<String> progressLines) {
            this.progress = progressLines;
            return this;
        }

        /** Default 1 s; also the resolution of the report's timeline. */
        public Builder progressInterval(Duration interval) {
            this.progressInterval = positive(interval, "progressInterval");
            return this;
        }

        /** Netty event-loop threads; 0 (default) = one per available processor. */
        public Builder ioThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("ioThreads must be >= 0, got " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** Sends {@code Authorization: Bearer <token>} (for a service with authentication on); default none. */
        public Builder bearerToken(String token) {
            if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
                throw new IllegalArgumentException("bearer token must be non-empty printable ASCII without spaces");
            }
            this.bearerToken = token;
            return this;
        }

        /**
         * Whether to read the service's {@code GET /metrics} once per progress interval for the
         * report's server side (its own connection, beside the load's); default true.
         */
        public Builder sampleServer(boolean sample) {
            this.sampleServer = sample;
            return this;
        }

        public LoadGenerator build() {
            if (target == null) {
                throw new IllegalStateException("target is required, e.g. http://127.0.0.1:3001");
            }
            if (!"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
                throw new IllegalArgumentException("target must look like http://host:port, got " + target);
            }
            return new LoadGenerator(new RunSettings(target, profile, model,
                    plan != null ? plan : SeriesPlan.untagged(metricNames), batchSize, getEvery,
                    requestTimeout, connectTimeout, progressInterval, ioThreads, progress, bearerToken, idempotencyKeys),
                    sampleServer);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
