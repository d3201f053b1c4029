package dev.metricsservice.app;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.statsd.StatsdConfig;
import dev.metricsservice.statsd.StatsdServer;
import dev.metricsservice.wal.WalConfig;
import dev.metricsservice.wal.WriteAheadLog;
import dev.metricsservice.core.AggregatorBuilder;
import dev.metricsservice.core.flush.FlushListener;
import dev.metricsservice.core.flush.FlushResult;
import dev.metricsservice.core.flush.FlushWorker;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.http.HttpServerConfig;
import dev.metricsservice.http.MetricsHttpServer;
import dev.metricsservice.loadgen.LoadGenerator;
import dev.metricsservice.loadgen.LoadReport;
import dev.metricsservice.loadgen.Profile;
import dev.metricsservice.loadgen.ProfileConstants;
import dev.metricsservice.loadgen.Reports;
import dev.metricsservice.loadgen.Samples;
import dev.metricsservice.loadgen.SeriesPlan;
import dev.metricsservice.loadgen.StoredWindows;
import dev.metricsservice.loadgen.Verification;
import dev.metricsservice.loadgen.Verifier;
import dev.metricsservice.telemetry.Telemetry;
import dev.metricsservice.telemetry.TelemetryConfig;
import dev.metricsservice.telemetry.reader.TraceReader;
import dev.metricsservice.telemetry.reader.TraceSummary;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: store, aggregator, telemetry, HTTP server and flush worker, started in that
 * order and stopped in the reverse, with the demo's load run, verification and report on top.
 *
 * <pre>{@code
 * try (MetricsApp app = MetricsApp.start(config, System.out)) {
 *     DemoOutcome outcome = app.runDemo();     // or app.awaitStopRequest() to serve until stopped
 * }
 * }</pre>
 *
 * <p>Thread-safety: {@link #requestStop()} may be called from any thread (a signal handler); the
 * other methods from the thread that started the app.
 */
public final class MetricsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsApp.class);
    private static final Duration FINAL_FLUSH_DEADLINE = Duration.ofSeconds(60);

    private final AppConfig config;
    private final PrintStream out;
    private final MetricStore store;
    /** The DynamoDB store's region and where it came from, resolved once at start; null for other stores. */
    private final dev.metricsservice.store.dynamodb.RegionResolver.Resolved region;
    private final Aggregator aggregator;
    private final Telemetry telemetry;
    private final MetricsHttpServer server;
    private final FlushWorker flusher;
    /** The write-ahead log and the ingest over it; both null with {@code --durability none}. */
    private final WriteAheadLog wal;
    private final DurableIngest durable;
    /** The StatsD listener; null with {@code --statsd-bind off}. */
    private final StatsdServer statsd;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile LoadGenerator generator;
    private boolean stopped;
    private boolean released;

    /** What a demo run produced. */
    public record DemoOutcome(LoadReport report, Verification verification, FlushResult finalFlush,
                              Path jsonReport, Path htmlReport) {
        /** True when the final flush succeeded and the stored totals matched the acknowledged ones. */
        public boolean verified() {
            return verification != null && verification.verified() && finalFlush.succeeded();
        }
    }

    private MetricsApp(AppConfig config, PrintStream out, MetricStore store, Aggregator aggregator,
                       Telemetry telemetry, MetricsHttpServer server, FlushWorker flusher, WriteAheadLog wal,
                       DurableIngest durable, StatsdServer statsd,
                       dev.metricsservice.store.dynamodb.RegionResolver.Resolved region) {
        this.region = region;
        this.statsd = statsd;
        this.wal = wal;
        this.durable = durable;
        this.config = config;
        this.out = out;
        this.store = store;
        this.aggregator = aggregator;
        this.telemetry = telemetry;
        this.server = server;
        this.flusher = flusher;
    }

    /**
     * Starts everything and prints the banner.
     *
     * @throws Exception with a message saying what failed to start (store, address in use, trace directory)
     */
    public static MetricsApp start(AppConfig config, PrintStream out) throws Exception {
        dev.metricsservice.store.dynamodb.RegionResolver.Resolved region =
                config.store() == AppConfig.StoreKind.DYNAMODB ? Stores.region(config) : null;
        MetricStore store = Stores.open(config, region);
        Telemetry telemetry = Telemetry.disabled();
        MetricsHttpServer server = null;
        WriteAheadLog wal = null;
        DurableIngest durable = null;
        StatsdServer statsd = null;
        try {
            AggregatorBuilder ab = Aggregator.builder()
                    .windowWidth(config.window())
                    .maxSeries(config.maxSeries())
                    .maxSeriesPerName(config.maxSeriesPerName())
                    .sketchAccuracy(config.sketchAccuracy())
                    .sketchMaxBuckets(config.sketchMaxBuckets())
                    .seriesTtl(config.seriesTtl())
                    .allowedLateness(config.allowedLateness())
                    .maxLateness(config.maxLateness())
                    .maxFutureSkew(config.maxFutureSkew())
                    .maxPendingWindows(config.maxPendingWindows())
                    .maxNameBytes(config.maxNameBytes());
            Aggregator aggregator;
            if (config.durability() == AppConfig.Durability.WAL) {
                long segment = config.tuning().walSegmentBytes() > 0 ? config.tuning().walSegmentBytes()
                        : Math.min(64L << 20, config.walMaxBytes() / 4);
                wal = WriteAheadLog.open(new WalConfig(config.walDir(), config.walMaxBytes(), segment,
                        (int) Math.min(16 << 20, segment / 4)));
                ab.writerId(WriterIds.forLog(config.walDir(), config.writerId()));
                durable = DurableIngest.open(wal, clock -> ab.clock(clock).build(),
                        DurableIngest.Options.defaults().withKeyRetention(config.dedupWindow()));
                aggregator = durable.aggregator();
                DurableIngest.ReplayResult r = durable.replayResult();
                LOG.info("write-ahead log {}: replayed {} records ({} samples, {} already stored, {} refused) in {} ms",
                        config.walDir(), r.records(), r.samplesReplayed(), r.samplesStored(), r.samplesRefused(),
                        r.durationNanos() / 1_000_000);
            } else {
                if (config.writerId() != null) {
                    ab.writerId(config.writerId());
                }
                aggregator = ab.build();
            }
            if (config.telemetry()) {
                telemetry = Telemetry.start(TelemetryConfig.defaults()
                        .withDirectory(config.traceDir())
                        .withLimits(config.traceMaxFileBytes(), config.traceMaxTotalBytes())
                        .withRotateInterval(config.tuning().traceRotateInterval())
                        .withGzipSealedFiles(config.tuning().traceGzip())
                        .withBufferBytesPerThread(config.tuning().traceBufferBytes())
                        .withTaskQueueCapacity(config.tuning().traceTaskQueueCapacity())
                        .withIntervals(config.tuning().traceDrainInterval(), config.tuning().traceQueueSampleInterval())
                        .withMaxStrings(config.tuning().traceMaxStrings())
                        .withRecordGc(config.tuning().traceGc())
                        .withServiceName("metrics-service"));
            }
            AppInstrumentation instrumentation = new AppInstrumentation(telemetry);
            instrumentation.wal = wal;
            instrumentation.durable = durable;
            FlushWorker.Builder fb = FlushWorker.builder(aggregator, store)
                    .interval(config.flushInterval())
                    .retryBackoff(config.tuning().flushRetryMin(), config.tuning().flushRetryMax())
                    .writeTimeout(config.tuning().flushWriteTimeout())
                    .listener(new FlushReporting(telemetry, instrumentation));
            if (durable != null) {
                fb.collector(durable::collect);
            }
            FlushWorker flusher = fb.build();
            instrumentation.flusher = flusher;
            if (durable != null && durable.replayResult().samplesReplayed() > 0) {
                // Replay, then flush, then serve: what the last process held goes out first.
                FlushResult first = flusher.flushNow().get();
                if (!first.succeeded()) {
                    LOG.warn("the flush after replay failed ({}); the replayed data stays in the log and is retried",
                            first.error().getMessage());
                }
            }
            server = MetricsHttpServer.start(aggregator, store, config.http(), instrumentation, durable);
            if (config.statsdBind() != null) {
                AppConfig.Tuning t = config.tuning();
                statsd = StatsdServer.start(aggregator, durable, new StatsdConfig(config.statsdBind().getHostString(),
                        config.statsdBind().getPort(), config.statsdReaders(), config.statsdReceiveBufferBytes(),
                        t.statsdMaxDatagramBytes(), t.statsdMaxValuesPerLine(), t.statsdMaxGauges()),
                        config.statsdTcpBind());
                instrumentation.statsd = statsd;
            }
            flusher.start();
            MetricsApp app = new MetricsApp(config, out, store, aggregator, telemetry, server, flusher, wal, durable,
                    statsd, region);
            app.printBanner();
            return app;
        } catch (Exception | Error e) {
            if (statsd != null) {
                statsd.close();
            }
            if (server != null) {
                server.close();
            }
            if (durable != null) {
                durable.close();
            }
            if (wal != null) {
                wal.close();
            }
            telemetry.close();
            store.close();
            throw e;
        }
    }

    /**
     * A line for the operator: on stdout in text mode; with {@code --log-format json} an INFO event
     * instead, so that only the demo's report is printed outside the JSON log.
     */
    private void say(String line) {
        if (config.logFormat() == AppConfig.LogFormat.JSON) {
            LOG.info(line.strip().replaceAll(" {2,}", " "));
        } else {
            out.println(line);
        }
    }

    private void printBanner() {
        say("metrics-service listening on http://" + hostForUrl(server.localAddress()) + ":"
                + server.localAddress().getPort() + " (" + server.transport() + ")"
                + (config.authToken() != null ? (config.http().authReads() ? ", reads and writes require a bearer token"
                : ", writes require a bearer token") : ""));
        say("  store:     " + store.describe());
        if (region != null) {
            say("  region:    " + region.region() + " (from " + region.source() + ")");
        }
        say("  statsd:    " + (statsd != null ? "udp " + hostForUrl(statsd.localAddress()) + ":"
                + statsd.localAddress().getPort() + " (" + statsd.transport() + ")"
                + statsd.tcpAddress().map(t -> ", tcp " + hostForUrl(t) + ":" + t.getPort()).orElse("") : "off"));
        say("  flush:     every " + Units.formatDuration(config.flushInterval()) + ", window "
                + Units.formatDuration(config.window()) + ", writer id " + aggregator.writerId());
        if (durable != null) {
            DurableIngest.ReplayResult r = durable.replayResult();
            say("  durability: write-ahead log in " + config.walDir() + " (at most "
                    + Units.formatBytes(config.walMaxBytes()) + "); replayed " + r.samplesReplayed() + " samples from "
                    + r.records() + " records");
        } else {
            say("  durability: none (a 202 means in memory; a crash loses what was not flushed)");
        }
        say("  telemetry: " + (telemetry.isActive()
                ? "traces in " + config.traceDir() + " (" + Units.formatBytes(config.traceMaxFileBytes()) + " per file, "
                + Units.formatBytes(config.traceMaxTotalBytes()) + " in all)"
                : "off"));
    }

    /** The address clients of this process should use (loopback when bound to all interfaces). */
    public URI baseUri() {
        InetSocketAddress a = server.localAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : hostForUrl(a);
        return URI.create("http://" + host + ":" + a.getPort());
    }

    private static String hostForUrl(InetSocketAddress a) {
        String host = a.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** The StatsD listener's address, if it is on. */
    public java.util.Optional<InetSocketAddress> statsdAddress() {
        return statsd == null ? java.util.Optional.empty() : java.util.Optional.of(statsd.localAddress());
    }

    /** True when acknowledged samples are in the write-ahead log (a failed final flush loses nothing). */
    public boolean durable() {
        return durable != null;
    }

    /** The aggregator, for tests and embedders. */
    public Aggregator aggregator() {
        return aggregator;
    }

    /** Asks a running demo or a serving app to stop; safe from any thread. */
    public void requestStop() {
        stopRequested.countDown();
        LoadGenerator g = generator;
        if (g != null) {
            g.stop();
        }
    }

    /** Serves until {@link #requestStop()}, then shuts down in order. */
    public FlushResult serveUntilStopped() throws InterruptedException {
        say("serving until SIGTERM or SIGINT");
        stopRequested.await();
        return shutdown();
    }

    /**
     * Runs the load profile against this process, shuts down in order, verifies the stored totals
     * against what the load generator had acknowledged, writes the reports and prints them.
     */
    public DemoOutcome runDemo() throws Exception {
        ProfileConstants constants = ProfileConstants.SEED;
        Path profileFile = Path.of(config.profile());
        Profile profile = Profile.PRESETS.contains(config.profile())
                ? Profile.preset(config.profile(), constants, config.runDuration())
                : Profile.load(profileFile, constants, config.runDuration());
        // Totals already stored over the run's range (an earlier run on the same SQLite file or
        // table) are subtracted, so verification covers exactly this run.
        Verifier baselineReader = Verifier.of(StoredWindows.store(store));
        SeriesPlan plan = SeriesPlan.parse(Samples.SEED_NAMES, config.loadTags(), config.loadTypes());
        Verifier.Baseline baseline = baselineReader.baseline(plan.series(), profile.totalDuration());
        LoadGenerator.Builder gb = LoadGenerator.builder()
                .target(baseUri())
                .profile(profile)
                .plan(plan)
                .progress(out::println);
        if (config.authToken() != null) {
            gb.bearerToken(config.authToken());
        }
        LoadGenerator g = gb.build();
        generator = g;
        if (stopRequested.getCount() == 0) {
            g.stop();
        }
        out.println("running load profile '" + profile.name() + "' for "
                + Units.formatDuration(profile.totalDuration()) + " against " + baseUri()
                + (plan.tagged() ? ", " + plan : ""));
        LoadReport report = g.run();
        FlushResult finalFlush = shutdown();
        Verification verification = verifyAndClose(report, baseline);

        Files.createDirectories(config.reportDir());
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path json = config.reportDir().resolve("load-report-" + stamp + ".json").toAbsolutePath();
        Path html = config.reportDir().resolve("load-report-" + stamp + ".html").toAbsolutePath();
        Reports.writeJson(report, verification, json);
        Reports.writeHtml(report, verification, html);
        List<Path> hgrm = Reports.writeHgrm(report, config.reportDir(), "load-report-" + stamp);

        out.println();
        out.print(Reports.text(report));
        out.println();
        out.println(verification.table());
        if (!finalFlush.succeeded()) {
            out.println("FINAL FLUSH FAILED: " + finalFlush.error().getMessage());
        }
        out.println(verification.summaryLine());
        out.println("report:  " + html);
        out.println("json:    " + json);
        out.println("hgrm:    " + hgrm.size() + " percentile distributions (HdrHistogram .hgrm) in " + config.reportDir().toAbsolutePath());
        printTraces();
        return new DemoOutcome(report, verification, finalFlush, json, html);
    }

    /** Verifies the stored totals, closing the store and sealing the traces exactly once. */
    private Verification verifyAndClose(LoadReport report, Verifier.Baseline baseline) throws Exception {
        if (!Stores.durable(config)) {
            // Memory holds the only copy: verify before closing.
            Verification v = Verifier.of(StoredWindows.store(store)).verify(report, baseline);
            closeStoreAndTelemetry();
            return v;
        }
        // Read back through a new connection after the writer's store is closed: what is
        // verified is what is durably stored, not what one client has cached.
        closeStoreAndTelemetry();
        try (MetricStore reopened = Stores.open(config, region)) {
            return Verifier.of(StoredWindows.store(reopened)).verify(report, baseline);
        }
    }

    /**
     * Stops in order: HTTP stops accepting and finishes in-flight requests, then the final flush
     * writes everything left, retried until it succeeds or its deadline passes.
     */
    public synchronized FlushResult shutdown() {
        if (stopped) {
            return new FlushResult(0, 0, 0, 0, null);
        }
        stopped = true;
        if (statsd != null) {
            statsd.close(); // stop receiving first; what it took is recorded (or in the log)
        }
        Duration drain = config.http().shutdownTimeout();
        boolean drained = server.shutdown(drain);
        if (!drained) {
            LOG.warn("some HTTP requests were still in progress after {}; their connections were closed", drain);
        }
        Duration deadline = durable != null ? config.shutdownTimeout() : FINAL_FLUSH_DEADLINE;
        FlushResult last = flusher.close(deadline);
        if (last.succeeded()) {
            say("final flush: stored " + last.aggregates() + " window aggregates");
        } else if (durable != null) {
            LOG.warn("final flush did not finish within {} ({}); everything acknowledged is in the write-ahead log"
                    + " {} and is written after the next start", deadline, last.error().getMessage(), config.walDir());
        } else {
            LOG.error("final flush failed after {}: {}", deadline, last.error().getMessage());
        }
        if (durable != null) {
            durable.close();
            wal.close();
        }
        return last;
    }

    private synchronized void closeStoreAndTelemetry() {
        if (released) {
            return;
        }
        released = true;
        store.close();
        telemetry.close();
    }

    private void printTraces() {
        if (!telemetry.isActive()) {
            return;
        }
        try {
            List<Path> files = TraceReader.traceFiles(config.traceDir());
            out.println("traces:  " + files.size() + " file(s) in " + config.traceDir().toAbsolutePath());
            TraceSummary summary = new TraceSummary(Duration.ofMillis(10).toNanos());
            TraceReader.read(config.traceDir(), summary);
            out.println(summary.render());
        } catch (Exception e) {
            out.println("traces:  could not be summarized: " + e.getMessage());
        }
    }

    /** Shuts down (if not yet) and releases everything. */
    @Override
    public void close() {
        shutdown();
        closeStoreAndTelemetry();
    }

    /** Logs flush outcomes once per state change and records every attempt in telemetry. */
    private static final class FlushReporting implements FlushListener {
        private final Telemetry telemetry;
        private final AppInstrumentation instrumentation;

        FlushReporting(Telemetry telemetry, AppInstrumentation instrumentation) {
            this.telemetry = telemetry;
            this.instrumentation = instrumentation;
        }

        @Override
        public void onFlush(FlushResult r) {
            instrumentation.flushTook(r.durationNanos());
            long end = Telemetry.nanoTime();
            telemetry.recordFlush(end - r.durationNanos(), r.durationNanos(), r.finalWindows(), r.aggregates(),
                    r.attempt() - 1, r.succeeded() ? "ok" : r.error().kind().name().toLowerCase(java.util.Locale.ROOT));
        }

        @Override
        public void onStateChange(boolean healthy, FlushResult r) {
            if (healthy) {
                LOG.info("store writes succeed again (after {} attempt(s))", r.attempt());
            } else {
                LOG.warn("store writes failing, data kept in memory and retried: {}", r.error().getMessage());
            }
        }
    }
}
