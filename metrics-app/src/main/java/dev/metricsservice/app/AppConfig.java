package dev.metricsservice.app;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

import static dev.metricsservice.app.OptionValues.*;

/**
 * The app's whole configuration: one typed record with the seed service's defaults, filled from
 * environment variables ({@code METRICS_*}) and then command-line flags (flags win), validated at
 * start-up.
 *
 * <pre>{@code
 * AppConfig config = AppConfig.parse(args, System.getenv());   // throws ConfigException with a message naming the flag
 * }</pre>
 *
 * @param bind               HTTP listen address
 * @param store              which store to use
 * @param sqlitePath         SQLite database file
 * @param dynamodbEndpoint   DynamoDB endpoint override (null: the AWS default for the region)
 * @param region             AWS region
 * @param table              DynamoDB table name
 * @param flushInterval      time between flushes
 * @param runDuration        how long the demo runs; null means the profile's own length (55 s for
 *                           {@code seed}); zero means serve until SIGTERM/SIGINT
 * @param telemetry          whether runtime traces are recorded
 * @param traceDir           directory of trace files
 * @param traceMaxFileBytes  size at which a trace file is sealed and a new one started
 * @param traceMaxTotalBytes size of the trace directory above which the oldest files are deleted
 * @param window             aggregation window width
 * @param maxBodyBytes       largest accepted request body
 * @param maxBatchSamples    most samples in one batch POST
 * @param maxSeries          most live series
 * @param maxSeriesPerName   most live series of one metric name
 * @param sketchAccuracy     relative accuracy of distributions' quantile sketches
 * @param sketchMaxBuckets   most buckets per sign a distribution window's sketch keeps
 * @param dedupWindow        how long a POST's Idempotency-Key is remembered
 * @param dedupMaxKeys       most Idempotency-Keys remembered
 * @param retention          how long stored windows are kept (zero: forever)
 * @param seriesTtl          how long a series may hold nothing before it is retired (zero: never)
 * @param allowedLateness    how long after a window ends it is finalized
 * @param maxLateness        oldest sample accepted (into an amendment once its window is final)
 * @param maxFutureSkew      how far ahead of the clock a client timestamp may be
 * @param maxPendingWindows  most window aggregates waiting for the store before HTTP answers 503
 * @param maxNameBytes       longest metric name in UTF-8 bytes
 * @param authToken          bearer token required for POST, or null for none
 * @param profile            load profile: seed, smoke, soak or a profile file
 * @param reportDir          where the load report (JSON, HTML) is written
 * @param writerId           this instance's writer id, or null for a random one
 * @param loadTags           the demo load's tag plan ({@code key=count,...}), empty for none
 * @param loadTypes          the demo load's types per metric name ({@code name=type,...})
 * @param durability         whether a POST is on disk (write-ahead log) before it is acknowledged
 * @param walDir             the write-ahead log's directory
 * @param walMaxBytes        the most bytes the write-ahead log holds before POST answers 503
 * @param shutdownTimeout    how long the final flush may try on SIGTERM (with the WAL on)
 * @param statsdBind         the StatsD UDP listen address, or null when it is off
 * @param statsdTcpBind      the StatsD TCP listen address (newline-delimited lines), or null when it is off
 * @param http               the HTTP server's whole configuration (bind, limits, timeouts, auth), built
 *                           from the HTTP options
 * @param regionSource       how to name an explicit {@code region} (the flag or its variable); the
 *                           region itself is null unless set, and then the AWS chain decides
 * @param sqliteSynchronous  SQLite's synchronous mode for the store's commits
 * @param sqliteBusyTimeout  how long a SQLite write waits for a lock another process holds
 * @param sqliteReadConnections connections the SQLite store reads with
 * @param dynamodbConsistentReads whether DynamoDB queries read strongly consistently
 * @param dynamodbCallTimeout one DynamoDB call's timeout
 * @param dynamodbMaxAttempts attempts per DynamoDB write batch before the flush fails
 * @param dynamodbMaxInFlight DynamoDB write batches in flight at once
 * @param dynamodbTtlAttribute the attribute holding an item's expiry under {@code retention}
 * @param statsdReaders      UDP reader threads on the StatsD port (SO_REUSEPORT)
 * @param statsdReceiveBufferBytes the StatsD socket's receive buffer asked of the kernel
 * @param logFormat          text or JSON log lines
 * @param logLevel           the root log level
 * @param tuning             the remaining library limits and timeouts (StatsD, DynamoDB, SQLite, the
 *                           write-ahead log's segments, trace files)
 */
public record AppConfig(
        InetSocketAddress bind,
        StoreKind store,
        Path sqlitePath,
        URI dynamodbEndpoint,
        String region,
        String table,
        Duration flushInterval,
        Duration runDuration,
        boolean telemetry,
        Path traceDir,
        long traceMaxFileBytes,
        long traceMaxTotalBytes,
        Duration window,
        long maxBodyBytes,
        int maxBatchSamples,
        int maxSeries,
        int maxSeriesPerName,
        double sketchAccuracy,
        int sketchMaxBuckets,
        Duration dedupWindow,
        int dedupMaxKeys,
        Duration retention,
        Duration seriesTtl,
        Duration allowedLateness,
        Duration maxLateness,
        Duration maxFutureSkew,
        long maxPendingWindows,
        int maxNameBytes,
        String authToken,
        String profile,
        Path reportDir,
        String writerId,
        String loadTags,
        String loadTypes,
        Durability durability,
        Path walDir,
        long walMaxBytes,
        Duration shutdownTimeout,
        InetSocketAddress statsdBind,
        InetSocketAddress statsdTcpBind,
        dev.metricsservice.http.HttpServerConfig http,
        String regionSource,
        dev.metricsservice.store.sqlite.SqliteStoreConfig.Synchronous sqliteSynchronous,
        Duration sqliteBusyTimeout,
        int sqliteReadConnections,
        boolean dynamodbConsistentReads,
        Duration dynamodbCallTimeout,
        int dynamodbMaxAttempts,
        int dynamodbMaxInFlight,
        String dynamodbTtlAttribute,
        int statsdReaders,
        int statsdReceiveBufferBytes,
        LogFormat logFormat,
        String logLevel,
        Tuning tuning) {

    /**
     * Library settings that rarely change, each with its flag.
     *
     * @param statsdMaxDatagramBytes    largest StatsD datagram read
     * @param statsdMaxValuesPerLine    most values a DogStatsD line may pack
     * @param statsdMaxGauges           most gauges whose last value is kept for relative updates
     * @param dynamodbCreateTable       create the table when it is missing
     * @param dynamodbOperationTimeout  a whole write batch, retries included
     * @param dynamodbRetryBaseDelay    first retry delay (doubled each attempt, jittered)
     * @param dynamodbRetryMaxDelay     the longest retry delay
     * @param dynamodbTableReadyTimeout how long start-up waits for a new table to become active
     * @param sqliteCloseTimeout        how long closing waits for queued writes
     * @param walSegmentBytes           size at which a log segment is rotated; 0 = min(64 MiB, max / 4)
     * @param traceRotateInterval       also start a new trace file after this long; 0 = by size only
     * @param traceGzip                 compress sealed trace files
     * @param traceBufferBytes          each recording thread's trace ring buffer (a power of two)
     * @param traceTaskQueueCapacity    pending tasks of each traced event loop (a power of two)
     * @param traceDrainInterval        how often the trace writer drains the buffers
     * @param traceQueueSampleInterval  how often each loop's pending tasks are sampled
     * @param traceMaxStrings           distinct strings a trace interns
     * @param traceGc                   whether GC pauses are traced
     * @param flushRetryMin             shortest pause before a failed flush is retried
     * @param flushRetryMax             longest such pause (the backoff doubles up to it)
     * @param flushWriteTimeout         how long one store write may take before the flush counts as failed
     */
    public record Tuning(int statsdMaxDatagramBytes, int statsdMaxValuesPerLine, int statsdMaxGauges,
                         boolean dynamodbCreateTable, Duration dynamodbOperationTimeout,
                         Duration dynamodbRetryBaseDelay, Duration dynamodbRetryMaxDelay,
                         Duration dynamodbTableReadyTimeout, Duration sqliteCloseTimeout, long walSegmentBytes,
                         Duration traceRotateInterval, boolean traceGzip, int traceBufferBytes,
                         int traceTaskQueueCapacity, Duration traceDrainInterval, Duration traceQueueSampleInterval,
                         int traceMaxStrings, boolean traceGc, Duration flushRetryMin, Duration flushRetryMax,
                         Duration flushWriteTimeout) {
    }

    /** How log lines are written. */
    public enum LogFormat {
        /** One readable line per event. */
        TEXT,
        /** One JSON object per line: time, level, logger, thread, message, key-values, exception. */
        JSON
    }

    /** The stores the app can use. */
    public enum StoreKind { SQLITE, MEMORY, DYNAMODB }

    /** Whether acknowledged samples survive a crash. */
    public enum Durability {
        /** Every POST is in the write-ahead log, forced to disk, before its 202. */
        WAL,
        /** A 202 means "in memory"; a crash loses what was not flushed. */
        NONE
    }

    /** True when the app serves without a load run until it is signalled. */
    public boolean serveOnly() {
        return runDuration != null && runDuration.isZero();
    }

    /** A bad flag or environment value; the message names it and the accepted range. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConfigException(String message) {
            super(message);
        }
    }

    /**
     * The libraries' own defaults: the options of their settings start from these (and show them
     * in {@code --help}) instead of repeating their values. A holder class, so that they exist
     * before the option table refers to them.
     */
    private static final class Defaults {
        static final dev.metricsservice.http.HttpServerConfig HTTP = dev.metricsservice.http.HttpServerConfig.defaults();
        static final dev.metricsservice.statsd.StatsdConfig STATSD = dev.metricsservice.statsd.StatsdConfig.defaults();
        static final dev.metricsservice.telemetry.TelemetryConfig TRACES =
                dev.metricsservice.telemetry.TelemetryConfig.defaults();
        static final dev.metricsservice.store.sqlite.SqliteStoreConfig SQLITE =
                dev.metricsservice.store.sqlite.SqliteStoreConfig.builder().build();
        static final dev.metricsservice.store.dynamodb.DynamoDbStoreConfig DYNAMODB =
                dev.metricsservice.store.dynamodb.DynamoDbStoreConfig.builder().build();
    }

    private static String onOffText(boolean on) {
        return on ? "on" : "off";
    }

    /** Mutable twin of the record used while parsing. */
    static final class Builder {
        InetSocketAddress bind = new InetSocketAddress("127.0.0.1", 3001);
        StoreKind store = StoreKind.SQLITE;
        Path sqlitePath = Path.of("data", "metrics.db");
        URI dynamodbEndpoint;
        /** Null unless set: the AWS region chain (AWS_REGION, profile, instance metadata) decides. */
        String region;
        String regionSource = "--region";
        String table = "metrics-service";
        Duration flushInterval = Duration.ofSeconds(10);
        Duration runDuration;
        boolean telemetry = true;
        Path traceDir = Path.of("/tmp/metrics-service-traces");
        long traceMaxFileBytes = 1024L * 1024;
        long traceMaxTotalBytes = 30L * 1024 * 1024;
        Duration window = Duration.ofSeconds(10);
        long maxBodyBytes = 1024L * 1024;
        int maxBatchSamples = 10_000;
        int maxSeries = 100_000;
        int maxSeriesPerName = 10_000;
        double sketchAccuracy = 0.01;
        int sketchMaxBuckets = 2048;
        Duration dedupWindow = Duration.ofMinutes(10);
        int dedupMaxKeys = 1_000_000;
        Duration retention = Duration.ofDays(30);
        Duration seriesTtl = Duration.ofMinutes(15);
        Duration allowedLateness = Duration.ofSeconds(5);
        Duration maxLateness = Duration.ofHours(1);
        Duration maxFutureSkew = Duration.ofSeconds(60);
        long maxPendingWindows = 1_000_000;
        int maxNameBytes = 200;
        String authToken;
        String profile = "seed";
        Path reportDir = Path.of("reports");
        String writerId;
        String loadTags = "";
        String loadTypes = "latency=distribution";
        /** Null until set: then WAL for the SQLite and DynamoDB stores, NONE for memory. */
        Durability durability;
        Path walDir = Path.of("data", "wal");
        long walMaxBytes = 1L << 30;
        Duration shutdownTimeout = Duration.ofSeconds(20);
        InetSocketAddress statsdBind = new InetSocketAddress("127.0.0.1", 8125);
        InetSocketAddress statsdTcpBind;
        int ioThreads = Defaults.HTTP.ioThreads();
        int maxConnections = Defaults.HTTP.maxConnections();
        int maxConnectionsPerAddress = Defaults.HTTP.maxConnectionsPerAddress();
        Duration idleTimeout = Defaults.HTTP.idleTimeout();
        Duration headerTimeout = Defaults.HTTP.headerReadTimeout();
        Duration requestTimeout = Defaults.HTTP.requestReadTimeout();
        Duration drainTimeout = Defaults.HTTP.shutdownTimeout();
        Duration retryAfter = Defaults.HTTP.retryAfter();
        int defaultQueryLimit = Defaults.HTTP.defaultQueryLimit();
        int maxQueryLimit = Defaults.HTTP.maxQueryLimit();
        boolean authReads;
        Path authTokenFile;
        dev.metricsservice.store.sqlite.SqliteStoreConfig.Synchronous sqliteSynchronous =
                Defaults.SQLITE.synchronous();
        Duration sqliteBusyTimeout = Defaults.SQLITE.busyTimeout();
        int sqliteReadConnections = Defaults.SQLITE.readConnections();
        boolean dynamodbConsistentReads = Defaults.DYNAMODB.consistentReads();
        Duration dynamodbCallTimeout = Defaults.DYNAMODB.callTimeout();
        int dynamodbMaxAttempts = Defaults.DYNAMODB.maxAttempts();
        int dynamodbMaxInFlight = Defaults.DYNAMODB.maxInFlightBatches();
        String dynamodbTtlAttribute = "expires_at";
        int statsdReaders = Defaults.STATSD.readers();
        int statsdReceiveBufferBytes = Defaults.STATSD.receiveBufferBytes();
        LogFormat logFormat = LogFormat.TEXT;
        String logLevel = "info";
        int statsdMaxDatagramBytes = Defaults.STATSD.maxDatagramBytes();
        int statsdMaxValuesPerLine = Defaults.STATSD.maxValuesPerLine();
        int statsdMaxGauges = Defaults.STATSD.maxGauges();
        boolean dynamodbCreateTable = Defaults.DYNAMODB.autoCreateTable();
        Duration dynamodbOperationTimeout = Defaults.DYNAMODB.operationTimeout();
        Duration dynamodbRetryBaseDelay = Defaults.DYNAMODB.retryBaseDelay();
        Duration dynamodbRetryMaxDelay = Defaults.DYNAMODB.retryMaxDelay();
        Duration dynamodbTableReadyTimeout = Defaults.DYNAMODB.tableReadyTimeout();
        Duration sqliteCloseTimeout = Defaults.SQLITE.closeTimeout();
        long walSegmentBytes;
        Duration traceRotateInterval = Defaults.TRACES.rotateInterval();
        boolean traceGzip = Defaults.TRACES.gzipSealedFiles();
        int traceBufferBytes = Defaults.TRACES.bufferBytesPerThread();
        int traceTaskQueueCapacity = Defaults.TRACES.taskQueueCapacity();
        Duration traceDrainInterval = Defaults.TRACES.drainInterval();
        Duration traceQueueSampleInterval = Defaults.TRACES.queueSampleInterval();
        int traceMaxStrings = Defaults.TRACES.maxStrings();
        boolean traceGc = Defaults.TRACES.recordGc();
        Duration flushRetryMin = Duration.ofMillis(100);
        Duration flushRetryMax = Duration.ofSeconds(5);
        Duration flushWriteTimeout = Duration.ofSeconds(30);

        AppConfig build() {
            try {
                dev.metricsservice.loadgen.SeriesPlan.parse(dev.metricsservice.loadgen.Samples.SEED_NAMES, loadTags,
                        loadTypes);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            if (traceMaxTotalBytes < traceMaxFileBytes) {
                throw new ConfigException("--trace-max-total-bytes (" + traceMaxTotalBytes
                        + ") must be at least --trace-max-file-bytes (" + traceMaxFileBytes + ")");
            }
            if (maxLateness.compareTo(allowedLateness) < 0) {
                throw new ConfigException("--max-lateness (" + Units.formatDuration(maxLateness)
                        + ") must be at least --allowed-lateness (" + Units.formatDuration(allowedLateness) + ")");
            }
            if (statsdTcpBind != null && statsdBind == null) {
                throw new ConfigException("--statsd-tcp-bind needs the StatsD listener: set --statsd-bind too");
            }
            if (store == StoreKind.DYNAMODB && table.isBlank()) {
                throw new ConfigException("--table must not be empty");
            }
            if (walSegmentBytes > 0 && walSegmentBytes > walMaxBytes) {
                throw new ConfigException("--wal-segment-bytes (" + walSegmentBytes + ") must not exceed --wal-max-bytes ("
                        + walMaxBytes + ")");
            }
            if (flushRetryMax.compareTo(flushRetryMin) < 0) {
                throw new ConfigException("--flush-retry-max must be at least --flush-retry-min");
            }
            if (dynamodbRetryMaxDelay.compareTo(dynamodbRetryBaseDelay) < 0) {
                throw new ConfigException("--dynamodb-retry-max-delay must be at least --dynamodb-retry-base-delay");
            }
            if (authTokenFile != null) {
                if (authToken != null) {
                    throw new ConfigException("--auth-token and --auth-token-file are both set; use one");
                }
                authToken = tokenFromFile(authTokenFile);
            }
            if (authReads && authToken == null) {
                throw new ConfigException("--auth-reads needs a token: set --auth-token-file (or --auth-token)");
            }
            if (maxConnectionsPerAddress > maxConnections) {
                throw new ConfigException("--max-connections-per-address (" + maxConnectionsPerAddress
                        + ") must not exceed --max-connections (" + maxConnections + ")");
            }
            if (defaultQueryLimit > maxQueryLimit) {
                throw new ConfigException("--default-query-limit (" + defaultQueryLimit
                        + ") must not exceed --max-query-limit (" + maxQueryLimit + ")");
            }
            dev.metricsservice.http.HttpServerConfig http;
            try {
                http = dev.metricsservice.http.HttpServerConfig.builder()
                        .bindHost(bind.getHostString()).port(bind.getPort())
                        .ioThreads(ioThreads)
                        .maxBodyBytes((int) maxBodyBytes)
                        .maxBatchSize(maxBatchSamples)
                        .maxConnections(maxConnections)
                        .maxConnectionsPerAddress(maxConnectionsPerAddress)
                        .idleTimeout(idleTimeout)
                        .headerReadTimeout(headerTimeout)
                        .requestReadTimeout(requestTimeout)
                        .shutdownTimeout(drainTimeout)
                        .retryAfter(retryAfter)
                        .authToken(authToken)
                        .authReads(authReads)
                        .defaultQueryLimit(defaultQueryLimit)
                        .maxQueryLimit(maxQueryLimit)
                        .dedupWindow(dedupWindow)
                        .dedupMaxKeys(dedupMaxKeys)
                        .build();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("HTTP settings: " + e.getMessage());
            }
            return new AppConfig(bind, store, sqlitePath, dynamodbEndpoint, region, table, flushInterval,
                    runDuration, telemetry, traceDir, traceMaxFileBytes, traceMaxTotalBytes, window, maxBodyBytes,
                    maxBatchSamples, maxSeries, maxSeriesPerName, sketchAccuracy, sketchMaxBuckets, dedupWindow, dedupMaxKeys, retention, seriesTtl, allowedLateness, maxLateness, maxFutureSkew,
                    maxPendingWindows, maxNameBytes, authToken, profile, reportDir,
                    writerId, loadTags, loadTypes,
                    durability != null ? durability : store == StoreKind.MEMORY ? Durability.NONE : Durability.WAL,
                    walDir, walMaxBytes, shutdownTimeout, statsdBind, statsdTcpBind, http, regionSource,
                    sqliteSynchronous, sqliteBusyTimeout, sqliteReadConnections, dynamodbConsistentReads,
                    dynamodbCallTimeout, dynamodbMaxAttempts, dynamodbMaxInFlight, dynamodbTtlAttribute, statsdReaders,
                    statsdReceiveBufferBytes, logFormat, logLevel, new Tuning(statsdMaxDatagramBytes,
                    statsdMaxValuesPerLine, statsdMaxGauges, dynamodbCreateTable, dynamodbOperationTimeout,
                    dynamodbRetryBaseDelay, dynamodbRetryMaxDelay, dynamodbTableReadyTimeout, sqliteCloseTimeout,
                    walSegmentBytes, traceRotateInterval, traceGzip, traceBufferBytes, traceTaskQueueCapacity,
                    traceDrainInterval, traceQueueSampleInterval, traceMaxStrings, traceGc, flushRetryMin, flushRetryMax,
                    flushWriteTimeout));
        }
    }

    /** The groups of {@code --help}, in the order printed. */
    enum Section {
        HTTP("HTTP API"), STATSD("StatsD"), STORE("Store"), SQLITE("SQLite store"), DYNAMODB("DynamoDB store"),
        AGGREGATION("Aggregation"), DURABILITY("Durability"), TELEMETRY("Telemetry"), LOGGING("Logging"),
        DEMO_AND_LOAD("Demo and load");

        final String title;

        Section(String title) {
            this.title = title;
        }
    }

    /** One option: its section, flag, environment variable, default shown in help, and how it applies. */
    private record Option(Section section, String flag, String defaultText, String help, BiConsumer<Builder, String> apply) {
        String env() {
            return "METRICS_" + flag.substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
        }
    }

    private static final List<Option> OPTIONS = List.of(
            new Option(Section.HTTP, "--bind", "127.0.0.1:3001",
                    "HTTP listen address host:port (0.0.0.0:3001 listens on all interfaces; then set --auth-token)",
                    (b, v) -> b.bind = address(v)),
            new Option(Section.STATSD, "--statsd-bind", "127.0.0.1:8125",
                    "StatsD/DogStatsD UDP listen address host:port, or 'off'",
                    (b, v) -> b.statsdBind = v.trim().equalsIgnoreCase("off") ? null : address(v)),
            new Option(Section.STATSD, "--statsd-tcp-bind", "off",
                    "StatsD TCP listen address host:port for newline-delimited lines, or 'off' (needs --statsd-bind)",
                    (b, v) -> b.statsdTcpBind = v.trim().equalsIgnoreCase("off") ? null : address(v)),
            new Option(Section.STATSD, "--statsd-readers", Integer.toString(Defaults.STATSD.readers()),
                    "UDP reader threads on the port (SO_REUSEPORT with epoll; one with NIO) (1..64)",
                    (b, v) -> b.statsdReaders = (int) integer("--statsd-readers", v, 1, 64)),
            new Option(Section.STATSD, "--statsd-max-datagram-bytes", Integer.toString(Defaults.STATSD.maxDatagramBytes()), "largest datagram read (512..65535)",
                    (b, v) -> b.statsdMaxDatagramBytes = (int) integer("--statsd-max-datagram-bytes", v, 512, 65_535)),
            new Option(Section.STATSD, "--statsd-max-values-per-line", Integer.toString(Defaults.STATSD.maxValuesPerLine()),
                    "most values a DogStatsD line may pack (name:1:2:3|d); more drops the line (1..10000)",
                    (b, v) -> b.statsdMaxValuesPerLine = (int) integer("--statsd-max-values-per-line", v, 1, 10_000)),
            new Option(Section.STATSD, "--statsd-max-gauges", Integer.toString(Defaults.STATSD.maxGauges()),
                    "most gauges whose last value is kept for +N/-N lines (1..100000000)",
                    (b, v) -> b.statsdMaxGauges = (int) integer("--statsd-max-gauges", v, 1, 100_000_000)),
            new Option(Section.STATSD, "--statsd-receive-buffer", Units.formatBytes(Defaults.STATSD.receiveBufferBytes()),
                    "receive buffer asked of the kernel per reader (capped at net.core.rmem_max) (4KiB..1GiB)",
                    (b, v) -> b.statsdReceiveBufferBytes = (int) size("--statsd-receive-buffer", v, 4096, 1L << 30)),
            new Option(Section.STORE, "--store", "sqlite", "storage backend: sqlite, memory or dynamodb",
                    (b, v) -> b.store = storeKind(v)),
            new Option(Section.SQLITE, "--sqlite-path", "data/metrics.db", "SQLite database file (created if missing)",
                    (b, v) -> b.sqlitePath = Path.of(nonEmpty("--sqlite-path", v))),
            new Option(Section.SQLITE, "--sqlite-synchronous", Defaults.SQLITE.synchronous().name().toLowerCase(Locale.ROOT),
                    "normal: no fsync per commit (survives a process crash); full: an fsync per commit (survives power loss)",
                    (b, v) -> b.sqliteSynchronous = synchronous(v)),
            new Option(Section.SQLITE, "--sqlite-busy-timeout", Units.formatDuration(Defaults.SQLITE.busyTimeout()),
                    "how long a write waits for a lock another process holds (0..10m)",
                    (b, v) -> b.sqliteBusyTimeout = duration("--sqlite-busy-timeout", v, Duration.ZERO, Duration.ofMinutes(10))),
            new Option(Section.SQLITE, "--sqlite-read-connections", Integer.toString(Defaults.SQLITE.readConnections()), "connections queries read with (1..64)",
                    (b, v) -> b.sqliteReadConnections = (int) integer("--sqlite-read-connections", v, 1, 64)),
            new Option(Section.SQLITE, "--sqlite-close-timeout", Units.formatDuration(Defaults.SQLITE.closeTimeout()),
                    "how long closing the store waits for queued writes (0..10m)",
                    (b, v) -> b.sqliteCloseTimeout = duration("--sqlite-close-timeout", v, Duration.ZERO,
                            Duration.ofMinutes(10))),
            new Option(Section.DYNAMODB, "--dynamodb-endpoint", "(AWS default)",
                    "DynamoDB endpoint override, e.g. http://127.0.0.1:8000 for dynalite",
                    (b, v) -> b.dynamodbEndpoint = endpoint(v)),
            new Option(Section.DYNAMODB, "--region", "(AWS chain)",
                    "AWS region; unset: aws.region, AWS_REGION, the profile's region, EC2 instance metadata"
                    + " (us-east-1 with --dynamodb-endpoint)",
                    (b, v) -> b.region = nonEmpty("--region", v)),
            new Option(Section.DYNAMODB, "--dynamodb-consistent-reads", onOffText(Defaults.DYNAMODB.consistentReads()),
                    "queries read strongly consistently (on) or eventually (off: half the read cost, may lag writes)",
                    (b, v) -> b.dynamodbConsistentReads = onOff("--dynamodb-consistent-reads", v)),
            new Option(Section.DYNAMODB, "--dynamodb-call-timeout", Units.formatDuration(Defaults.DYNAMODB.callTimeout()), "timeout of one DynamoDB call (100ms..5m)",
                    (b, v) -> b.dynamodbCallTimeout = duration("--dynamodb-call-timeout", v, Duration.ofMillis(100),
                            Duration.ofMinutes(5))),
            new Option(Section.DYNAMODB, "--dynamodb-max-attempts", Integer.toString(Defaults.DYNAMODB.maxAttempts()),
                    "attempts per write batch (throttling, 5xx, timeouts) before the flush fails and retries later (1..100)",
                    (b, v) -> b.dynamodbMaxAttempts = (int) integer("--dynamodb-max-attempts", v, 1, 100)),
            new Option(Section.DYNAMODB, "--dynamodb-max-in-flight", Integer.toString(Defaults.DYNAMODB.maxInFlightBatches()), "write batches in flight at once (1..256)",
                    (b, v) -> b.dynamodbMaxInFlight = (int) integer("--dynamodb-max-in-flight", v, 1, 256)),
            new Option(Section.DYNAMODB, "--dynamodb-create-table", onOffText(Defaults.DYNAMODB.autoCreateTable()),
                    "create the table (on-demand capacity) when it is missing; off: a missing table stops the start",
                    (b, v) -> b.dynamodbCreateTable = onOff("--dynamodb-create-table", v)),
            new Option(Section.DYNAMODB, "--dynamodb-operation-timeout", Units.formatDuration(Defaults.DYNAMODB.operationTimeout()),
                    "a whole write batch, retries included (1s..1h)",
                    (b, v) -> b.dynamodbOperationTimeout = duration("--dynamodb-operation-timeout", v,
                            Duration.ofSeconds(1), Duration.ofHours(1))),
            new Option(Section.DYNAMODB, "--dynamodb-retry-base-delay", Units.formatDuration(Defaults.DYNAMODB.retryBaseDelay()),
                    "first retry delay, doubled per attempt with jitter (1ms..1m)",
                    (b, v) -> b.dynamodbRetryBaseDelay = duration("--dynamodb-retry-base-delay", v, Duration.ofMillis(1),
                            Duration.ofMinutes(1))),
            new Option(Section.DYNAMODB, "--dynamodb-retry-max-delay", Units.formatDuration(Defaults.DYNAMODB.retryMaxDelay()), "the longest retry delay (1ms..10m)",
                    (b, v) -> b.dynamodbRetryMaxDelay = duration("--dynamodb-retry-max-delay", v, Duration.ofMillis(1),
                            Duration.ofMinutes(10))),
            new Option(Section.DYNAMODB, "--dynamodb-table-ready-timeout", Units.formatDuration(Defaults.DYNAMODB.tableReadyTimeout()),
                    "how long start-up waits for a new table to become active (1s..1h)",
                    (b, v) -> b.dynamodbTableReadyTimeout = duration("--dynamodb-table-ready-timeout", v,
                            Duration.ofSeconds(1), Duration.ofHours(1))),
            new Option(Section.DYNAMODB, "--dynamodb-ttl-attribute", "expires_at",
                    "attribute holding an item's expiry (epoch seconds) under --retention; TTL is enabled on it",
                    (b, v) -> b.dynamodbTtlAttribute = attributeName(v)),
            new Option(Section.DYNAMODB, "--table", "metrics-service", "DynamoDB table name (3..255 of [A-Za-z0-9_.-])",
                    (b, v) -> b.table = OptionValues.table(v)),
            new Option(Section.STORE, "--flush-interval", "10s", "time between flushes to the store (100ms..1h)",
                    (b, v) -> b.flushInterval = duration("--flush-interval", v, Duration.ofMillis(100), Duration.ofHours(1))),
            new Option(Section.STORE, "--flush-retry-min", "100ms",
                    "shortest pause before a failed flush is retried; it doubles up to --flush-retry-max (1ms..1h)",
                    (b, v) -> b.flushRetryMin = duration("--flush-retry-min", v, Duration.ofMillis(1), Duration.ofHours(1))),
            new Option(Section.STORE, "--flush-retry-max", "5s", "longest pause between flush retries (1ms..1h)",
                    (b, v) -> b.flushRetryMax = duration("--flush-retry-max", v, Duration.ofMillis(1), Duration.ofHours(1))),
            new Option(Section.STORE, "--flush-write-timeout", "30s",
                    "how long one store write may take before the flush counts as failed and is retried (10ms..1h)",
                    (b, v) -> b.flushWriteTimeout = duration("--flush-write-timeout", v, Duration.ofMillis(10),
                            Duration.ofHours(1))),
            new Option(Section.DEMO_AND_LOAD, "--duration", "the profile's (seed: 55s)",
                    "demo run length; 0 serves without load until SIGTERM/SIGINT (0..24h)",
                    (b, v) -> b.runDuration = duration("--duration", v, Duration.ZERO, Duration.ofHours(24))),
            new Option(Section.TELEMETRY, "--telemetry", "on", "record runtime traces: on or off", (b, v) -> b.telemetry = onOff("--telemetry", v)),
            new Option(Section.TELEMETRY, "--trace-dir", "/tmp/metrics-service-traces", "directory for trace files",
                    (b, v) -> b.traceDir = Path.of(nonEmpty("--trace-dir", v))),
            new Option(Section.TELEMETRY, "--trace-max-file-bytes", "1MiB", "size at which a trace file is rotated (64KiB..1GiB)",
                    (b, v) -> b.traceMaxFileBytes = size("--trace-max-file-bytes", v, 64 * 1024, 1L << 30)),
            new Option(Section.TELEMETRY, "--trace-max-total-bytes", "30MiB", "total size of trace files kept (64KiB..100GiB)",
                    (b, v) -> b.traceMaxTotalBytes = size("--trace-max-total-bytes", v, 64 * 1024, 100L << 30)),
            new Option(Section.TELEMETRY, "--trace-rotate-interval", Units.formatDuration(Defaults.TRACES.rotateInterval()),
                    "also start a new trace file after this long; 0 = by size only (0..24h)",
                    (b, v) -> b.traceRotateInterval = duration("--trace-rotate-interval", v, Duration.ZERO,
                            Duration.ofHours(24))),
            new Option(Section.TELEMETRY, "--trace-gzip", onOffText(Defaults.TRACES.gzipSealedFiles()), "compress sealed trace files (trace.N.bin.gz)",
                    (b, v) -> b.traceGzip = onOff("--trace-gzip", v)),
            new Option(Section.TELEMETRY, "--trace-buffer-bytes", Units.formatBytes(Defaults.TRACES.bufferBytesPerThread()),
                    "each recording thread's ring buffer, a power of two; when full, events are dropped and counted"
                    + " (4KiB..64MiB)",
                    (b, v) -> b.traceBufferBytes = powerOfTwo("--trace-buffer-bytes", size("--trace-buffer-bytes", v,
                            4096, 64L << 20))),
            new Option(Section.TELEMETRY, "--trace-task-queue-capacity", Integer.toString(Defaults.TRACES.taskQueueCapacity()),
                    "pending tasks of each traced event loop, a power of two; beyond it Netty rejects tasks (16..16777216)",
                    (b, v) -> b.traceTaskQueueCapacity = powerOfTwo("--trace-task-queue-capacity",
                            integer("--trace-task-queue-capacity", v, 16, 1 << 24))),
            new Option(Section.TELEMETRY, "--trace-drain-interval", Units.formatDuration(Defaults.TRACES.drainInterval()), "how often the trace writer drains (1ms..10s)",
                    (b, v) -> b.traceDrainInterval = duration("--trace-drain-interval", v, Duration.ofMillis(1),
                            Duration.ofSeconds(10))),
            new Option(Section.TELEMETRY, "--trace-queue-sample-interval", Units.formatDuration(Defaults.TRACES.queueSampleInterval()),
                    "how often each loop's pending tasks are sampled (1ms..10s)",
                    (b, v) -> b.traceQueueSampleInterval = duration("--trace-queue-sample-interval", v,
                            Duration.ofMillis(1), Duration.ofSeconds(10))),
            new Option(Section.TELEMETRY, "--trace-max-strings", Integer.toString(Defaults.TRACES.maxStrings()),
                    "distinct strings a trace interns (task and handler names, routes); later ones share one (16..10000000)",
                    (b, v) -> b.traceMaxStrings = (int) integer("--trace-max-strings", v, 16, 10_000_000)),
            new Option(Section.TELEMETRY, "--trace-gc", onOffText(Defaults.TRACES.recordGc()), "trace GC pauses: on or off",
                    (b, v) -> b.traceGc = onOff("--trace-gc", v)),
            new Option(Section.AGGREGATION, "--window", "10s", "aggregation window width, whole seconds (1s..1h)",
                    (b, v) -> b.window = OptionValues.window(v)),
            new Option(Section.HTTP, "--max-body-bytes", "1MiB", "largest accepted request body (1KiB..64MiB)",
                    (b, v) -> b.maxBodyBytes = size("--max-body-bytes", v, 1024, 64L << 20)),
            new Option(Section.HTTP, "--max-batch-samples", "10000", "most samples in one batch POST (1..1000000)",
                    (b, v) -> b.maxBatchSamples = (int) integer("--max-batch-samples", v, 1, 1_000_000)),
            new Option(Section.AGGREGATION, "--max-series", "100000", "most live series (1..100000000); idle ones retire (--series-ttl)",
                    (b, v) -> b.maxSeries = (int) integer("--max-series", v, 1, 100_000_000)),
            new Option(Section.AGGREGATION, "--max-series-per-name", "10000",
                    "most live series of one metric name, all its tag combinations (1..100000000)",
                    (b, v) -> b.maxSeriesPerName = (int) integer("--max-series-per-name", v, 1, 100_000_000)),
            new Option(Section.AGGREGATION, "--sketch-accuracy", "1%",
                    "relative accuracy of the quantiles of distributions, 0.01%..10% (as 1% or 0.01)",
                    (b, v) -> b.sketchAccuracy = accuracy(v)),
            new Option(Section.AGGREGATION, "--sketch-max-buckets", "2048",
                    "most buckets per sign in a distribution window's sketch (16..8192); past it the smallest values fold",
                    (b, v) -> b.sketchMaxBuckets = (int) integer("--sketch-max-buckets", v, 16, 8192)),
            new Option(Section.HTTP, "--dedup-window", "10m",
                    "how long a POST's Idempotency-Key is remembered: a retry within it is answered like the first (1s..7d)",
                    (b, v) -> b.dedupWindow = duration("--dedup-window", v, Duration.ofSeconds(1), Duration.ofDays(7))),
            new Option(Section.HTTP, "--dedup-max-keys", "1000000",
                    "most Idempotency-Keys remembered, oldest forgotten first; about 200 bytes each (1..100000000)",
                    (b, v) -> b.dedupMaxKeys = (int) integer("--dedup-max-keys", v, 1, 100_000_000)),
            new Option(Section.STORE, "--retention", "30d",
                    "how long stored windows are kept: SQLite deletes older ones, DynamoDB items carry a TTL; 0 = forever",
                    (b, v) -> b.retention = duration("--retention", v, Duration.ZERO, Duration.ofDays(36_500))),
            new Option(Section.AGGREGATION, "--series-ttl", "15m",
                    "a series with no sample and nothing unstored for this long is retired; 0 = never (0..365d)",
                    (b, v) -> b.seriesTtl = duration("--series-ttl", v, Duration.ZERO, Duration.ofDays(365))),
            new Option(Section.AGGREGATION, "--allowed-lateness", "5s", "how long after a window ends it is finalized (0..24h)",
                    (b, v) -> b.allowedLateness = duration("--allowed-lateness", v, Duration.ZERO, Duration.ofHours(24))),
            new Option(Section.AGGREGATION, "--max-lateness", "1h",
                    "oldest client timestamp accepted; later ones amend their final window (0..7d)",
                    (b, v) -> b.maxLateness = duration("--max-lateness", v, Duration.ZERO, Duration.ofDays(7))),
            new Option(Section.AGGREGATION, "--max-future-skew", "60s", "how far ahead of the clock a client timestamp may be (0..24h)",
                    (b, v) -> b.maxFutureSkew = duration("--max-future-skew", v, Duration.ZERO, Duration.ofHours(24))),
            new Option(Section.AGGREGATION, "--max-pending-windows", "1000000",
                    "window aggregates held for the store before POST answers 503 (1..1000000000)",
                    (b, v) -> b.maxPendingWindows = integer("--max-pending-windows", v, 1, 1_000_000_000)),
            new Option(Section.AGGREGATION, "--max-name-bytes", "200", "longest metric name in UTF-8 bytes (1..65535)",
                    (b, v) -> b.maxNameBytes = (int) integer("--max-name-bytes", v, 1, 65_535)),
            new Option(Section.HTTP, "--auth-token", "(none)",
                    "bearer token required for writes (at least 16 characters); visible in ps: prefer --auth-token-file",
                    (b, v) -> b.authToken = token(v)),
            new Option(Section.HTTP, "--auth-token-file", "(none)",
                    "file holding the bearer token (first line; a Kubernetes secret volume, say)",
                    (b, v) -> b.authTokenFile = Path.of(nonEmpty("--auth-token-file", v))),
            new Option(Section.HTTP, "--auth-reads", "off",
                    "reads (GET /metrics/{name}, /series, /stats, GET /metrics) need the token too; /health and /ready never",
                    (b, v) -> b.authReads = onOff("--auth-reads", v)),
            new Option(Section.HTTP, "--io-threads", Integer.toString(Defaults.HTTP.ioThreads()), "HTTP event loops; 0 = one per processor (0..1024)",
                    (b, v) -> b.ioThreads = (int) integer("--io-threads", v, 0, 1024)),
            new Option(Section.HTTP, "--max-connections", Integer.toString(Defaults.HTTP.maxConnections()),
                    "open connections; more are answered 503 and closed (1..10000000)",
                    (b, v) -> b.maxConnections = (int) integer("--max-connections", v, 1, 10_000_000)),
            new Option(Section.HTTP, "--max-connections-per-address", Integer.toString(Defaults.HTTP.maxConnectionsPerAddress()),
                    "open connections from one client IP address; more are answered 503, others keep being served (1..10000000)",
                    (b, v) -> b.maxConnectionsPerAddress = (int) integer("--max-connections-per-address", v, 1, 10_000_000)),
            new Option(Section.HTTP, "--idle-timeout", Units.formatDuration(Defaults.HTTP.idleTimeout()), "a connection silent this long is closed (100ms..1h)",
                    (b, v) -> b.idleTimeout = duration("--idle-timeout", v, Duration.ofMillis(100), Duration.ofHours(1))),
            new Option(Section.HTTP, "--header-timeout", Units.formatDuration(Defaults.HTTP.headerReadTimeout()),
                    "a request's line and headers must arrive within this of its first byte, else 408 (100ms..1h)",
                    (b, v) -> b.headerTimeout = duration("--header-timeout", v, Duration.ofMillis(100), Duration.ofHours(1))),
            new Option(Section.HTTP, "--request-timeout", Units.formatDuration(Defaults.HTTP.requestReadTimeout()),
                    "a whole request (body included) must arrive within this of its first byte, else 408 (100ms..1h)",
                    (b, v) -> b.requestTimeout = duration("--request-timeout", v, Duration.ofMillis(100), Duration.ofHours(1))),
            new Option(Section.HTTP, "--drain-timeout", Units.formatDuration(Defaults.HTTP.shutdownTimeout()),
                    "on shutdown, how long in-flight requests may finish before connections close (0..10m)",
                    (b, v) -> b.drainTimeout = duration("--drain-timeout", v, Duration.ZERO, Duration.ofMinutes(10))),
            new Option(Section.HTTP, "--retry-after", Units.formatDuration(Defaults.HTTP.retryAfter()), "the Retry-After sent with 503 answers (1s..1h)",
                    (b, v) -> b.retryAfter = duration("--retry-after", v, Duration.ofSeconds(1), Duration.ofHours(1))),
            new Option(Section.HTTP, "--default-query-limit", Integer.toString(Defaults.HTTP.defaultQueryLimit()), "windows a query returns without limit= (1..1000000)",
                    (b, v) -> b.defaultQueryLimit = (int) integer("--default-query-limit", v, 1, 1_000_000)),
            new Option(Section.HTTP, "--max-query-limit", Integer.toString(Defaults.HTTP.maxQueryLimit()), "the largest limit= accepted (1..1000000)",
                    (b, v) -> b.maxQueryLimit = (int) integer("--max-query-limit", v, 1, 1_000_000)),
            new Option(Section.DEMO_AND_LOAD, "--profile", "seed", "load profile: seed, smoke, soak, or a profile file",
                    (b, v) -> b.profile = nonEmpty("--profile", v)),
            new Option(Section.DEMO_AND_LOAD, "--tags", "none",
                    "tags on the demo load: key=count,... (host=8,region=2: 16 series per metric); verified per series",
                    (b, v) -> b.loadTags = v.equals("none") ? "" : v),
            new Option(Section.DEMO_AND_LOAD, "--types", "latency=distribution",
                    "types of the demo load's metrics: name=type,... ('none': all summaries)",
                    (b, v) -> b.loadTypes = v.equals("none") ? "" : v),
            new Option(Section.DEMO_AND_LOAD, "--report-dir", "reports", "directory for the load report (JSON and HTML)",
                    (b, v) -> b.reportDir = Path.of(nonEmpty("--report-dir", v))),
            new Option(Section.AGGREGATION, "--writer-id", "(random)", "this instance's writer id, 1..64 of [A-Za-z0-9._-]"
                    + " (with the WAL: the one kept in --wal-dir)",
                    (b, v) -> b.writerId = OptionValues.writerId(v)),
            new Option(Section.DURABILITY, "--durability", "wal (memory store: none)",
                    "wal: a 202 means the samples are on disk (write-ahead log, replayed after a crash);"
                    + " none: a 202 means in memory",
                    (b, v) -> b.durability = OptionValues.durability(v)),
            new Option(Section.DURABILITY, "--wal-dir", "data/wal", "write-ahead log directory; one live process per directory",
                    (b, v) -> b.walDir = Path.of(nonEmpty("--wal-dir", v))),
            new Option(Section.DURABILITY, "--wal-max-bytes", "1GiB",
                    "most bytes the write-ahead log holds (what the store has not taken yet); beyond it POST answers 503",
                    (b, v) -> b.walMaxBytes = size("--wal-max-bytes", v, 1L << 20, 1L << 50)),
            new Option(Section.DURABILITY, "--wal-segment-bytes", "min(64MiB, max/4)",
                    "size at which a log segment is closed and a new one begun; a segment is deleted once all it holds"
                    + " is stored (64KiB..--wal-max-bytes)",
                    (b, v) -> b.walSegmentBytes = size("--wal-segment-bytes", v, 64 * 1024, 1L << 50)),
            new Option(Section.DURABILITY, "--shutdown-timeout", "20s",
                    "on SIGTERM, how long the final flush may try (WAL on: what it cannot write is replayed next start)",
                    (b, v) -> b.shutdownTimeout = duration("--shutdown-timeout", v, Duration.ofMillis(100), Duration.ofHours(1))),
            new Option(Section.LOGGING, "--log-format", "text",
                    "text, or json: one JSON object per line (time, level, logger, thread, message, fields)",
                    (b, v) -> b.logFormat = OptionValues.logFormat(v)),
            new Option(Section.LOGGING, "--log-level", "info", "root log level: error, warn, info, debug or trace",
                    (b, v) -> b.logLevel = OptionValues.logLevel(v)));

    /**
     * Parses environment variables, then flags. {@code serve} as the first argument is short for
     * {@code --duration 0}.
     *
     * @throws ConfigException naming the bad flag or variable and what it accepts
     */
    public static AppConfig parse(String[] args, Map<String, String> env) {
        Builder b = new Builder();
        for (Option o : OPTIONS) {
            String v = env.get(o.env());
            if (v != null) {
                apply(o, b, v, o.env());
                if (o.flag().equals("--region")) {
                    b.regionSource = o.env();
                }
            }
        }
        Map<String, Option> byFlag = new LinkedHashMap<>();
        OPTIONS.forEach(o -> byFlag.put(o.flag(), o));
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && (rest.get(0).equals("serve") || rest.get(0).equals("run"))) {
            if (rest.remove(0).equals("serve")) {
                b.runDuration = Duration.ZERO;
            }
        }
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            String value;
            String flag;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else {
                flag = arg;
                value = null;
            }
            Option o = byFlag.get(flag);
            if (o == null) {
                throw new ConfigException("unknown option '" + arg + "'; see --help");
            }
            if (value == null) {
                if (i + 1 >= rest.size()) {
                    throw new ConfigException(flag + " needs a value; see --help");
                }
                value = rest.get(++i);
            }
            apply(o, b, value, flag);
            if (flag.equals("--region")) {
                b.regionSource = "--region";
            }
        }
        return b.build();
    }

    private static void apply(Option o, Builder b, String value, String source) {
        try {
            o.apply().accept(b, value);
        } catch (ConfigException e) {
            // Messages name the flag; say which environment variable carried the value.
            throw source.equals(o.flag()) ? e : new ConfigException(source + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    /** The text printed by {@code --help}: every option with its variable and default. */
    public static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: metrics-app [run|serve] [--option value]...\n\n")
                .append("  run    (default) serve, drive the load profile for --duration, flush, verify, report\n")
                .append("  serve  serve only, until SIGTERM or SIGINT (same as --duration 0)\n\n")
                .append("Every option can also be set by the environment variable shown; flags win.\n\n");
        for (Section section : Section.values()) {
            sb.append(section.title).append(":\n");
            for (Option o : OPTIONS) {
                if (o.section() == section) {
                    sb.append(String.format(Locale.ROOT, "  %-34s %s%n  %-34s env %s, default %s%n", o.flag() + " VALUE",
                            o.help(), "", o.env(), o.defaultText()));
                }
            }
            sb.append('\n');
        }
        sb.append("  --version                          print the version and exit\n")
                .append("  --help                             print this and exit\n");
        return sb.toString();
    }

}
