package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.store.SeriesListQuery;
import java.util.ArrayList;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.channel.EventLoopGroup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A {@link MetricStore} on Amazon DynamoDB (or any DynamoDB-compatible server), using the AWS
 * SDK v2 asynchronous client over Netty.
 *
 * <pre>{@code
 * DynamoDbStoreConfig config = DynamoDbStoreConfig.builder()
 *         .endpointOverride(URI.create("http://127.0.0.1:4567"))   // omit for real DynamoDB
 *         .build();
 * try (DynamoDbMetricStore store = DynamoDbMetricStore.open(config).join()) {  // creates the table if missing
 *     store.write(batch.aggregates()).join();
 *     List<SeriesWindow> rows = store.query(MetricQuery.latest("cpu", 20)).join();
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>One item per (metric, window, writer): a repeated or retried write replaces, never adds.</li>
 *   <li>A write completes normally only when DynamoDB accepted every item; otherwise it fails with
 *       a {@link StoreException} saying how many were confirmed and why the rest were not.</li>
 *   <li>Every SDK call has a timeout ({@code callTimeout}), every write and query an overall one
 *       ({@code operationTimeout}); throttling, 5xx and connection errors are retried with capped,
 *       jittered exponential backoff; at most {@code maxInFlightBatches} BatchWriteItem requests are
 *       outstanding at once.</li>
 *   <li>Doubles round-trip exactly (see the module README for how).</li>
 *   <li>Queries are strongly consistent by default and see every completed write.</li>
 * </ul>
 *
 * <p>Thread-safe. No method blocks; futures complete on SDK or store threads, never on the
 * caller's. See the module README for the table schema.
 */
public final class DynamoDbMetricStore implements MetricStore {

    private static final AtomicInteger STORE_IDS = new AtomicInteger();

    private final DynamoDbAsyncClient client;
    /** Event loops of the client this store built, or null when the caller supplied the client. */
    private final EventLoopGroup eventLoops;
    private final DynamoDbStoreConfig config;
    private final String where;
    private final ItemMapper mapper;
    private final ErrorMapper errors;
    private final Retrier retrier;
    private final ScheduledThreadPoolExecutor scheduler;
    private final BatchWriter writer;
    private final TableManager tables;
    private final SeriesIndex index;
    private final long operationTimeoutNanos;
    /** Futures handed out and not yet complete; close() fails them, since their timers stop with it. */
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    DynamoDbMetricStore(DynamoDbAsyncClient client, DynamoDbStoreConfig config) {
        this(client, null, config);
    }

    private DynamoDbMetricStore(DynamoDbAsyncClient client, EventLoopGroup eventLoops, DynamoDbStoreConfig config) {
        this.client = client;
        this.eventLoops = eventLoops;
        this.config = config;
        this.where = config.endpointOverride() != null
                ? "endpoint " + config.endpointOverride()
                : "region " + (config.region() != null ? config.region() : "(default chain)");
        this.mapper = new ItemMapper(config.ttlAttribute());
        this.errors = new ErrorMapper(config.tableName(), where);
        int id = STORE_IDS.incrementAndGet();
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dynamodb-store-" + id + "-timer");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        // On close, pending delays are dropped (their operations are failed by close itself).
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.retrier = new Retrier(scheduler, config.retryBaseDelay(), config.retryMaxDelay(), config.maxAttempts(),
                config.callTimeout());
        this.operationTimeoutNanos = config.operationTimeout().toNanos();
        this.writer = new BatchWriter(client, config.tableName(), mapper, errors, retrier,
                new AsyncPermits(config.maxInFlightBatches()), scheduler, operationTimeoutNanos,
                config::expiryEpochSecond, () -> closed);
        this.tables = new TableManager(client, config, errors, retrier);
        this.index = new SeriesIndex(client, config, errors, retrier);
    }

    /**
     * Builds the client and makes sure the table exists (creating it when allowed), waiting for it
     * to become ACTIVE.
     *
     * @return a future of the ready store, or failing with a {@link StoreException} that says what
     *     to fix (no credentials, no region, unreachable endpoint, incompatible table)
     */
    public static CompletableFuture<DynamoDbMetricStore> open(DynamoDbStoreConfig config) {
        SdkEventLoopGroup eventLoops = newEventLoops();
        DynamoDbAsyncClient client;
        try {
            client = newClient(config, eventLoops);
        } catch (SdkException | IllegalArgumentException e) {
            eventLoops.eventLoopGroup().shutdownGracefully(0, 1, TimeUnit.SECONDS);
            return CompletableFuture.failedFuture(new ErrorMapper(config.tableName(),
                    String.valueOf(config.endpointOverride())).map("client set-up", e));
        }
        return ensureTable(new DynamoDbMetricStore(client, eventLoops.eventLoopGroup(), config));
    }

    /**
     * Like {@link #open(DynamoDbStoreConfig)} with a client built by the caller (custom HTTP
     * settings, metrics publishers). The store takes ownership and closes it. The config's
     * endpoint, region and credentials are then only used in messages.
     */
    public static CompletableFuture<DynamoDbMetricStore> open(DynamoDbAsyncClient client, DynamoDbStoreConfig config) {
        return ensureTable(new DynamoDbMetricStore(client, config));
    }

    private static CompletableFuture<DynamoDbMetricStore> ensureTable(DynamoDbMetricStore store) {
        return store.tables.ensureTable().handle((ok, error) -> {
            if (error != null) {
                store.close();
                throw StoreException.of(error);
            }
            return store;
        });
    }

    /**
     * A small event loop group of our own. Left to itself the SDK creates one per client and, on
     * close, waits out a two-second quiet period; owning it lets {@link #close()} finish promptly.
     */
    private static SdkEventLoopGroup newEventLoops() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        AtomicInteger n = new AtomicInteger();
        return SdkEventLoopGroup.builder()
                .numberOfThreads(threads)
                .threadFactory(r -> {
                    Thread t = new Thread(r, "dynamodb-store-io-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                })
                .build();
    }

    /**
     * A client for {@code config}: Netty transport on {@code eventLoops} (null: the SDK's own), no SDK
     * retries, a call timeout.
     */
    static DynamoDbAsyncClient newClient(DynamoDbStoreConfig config, SdkEventLoopGroup eventLoops) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder();
        if (eventLoops != null) {
            http.eventLoopGroup(eventLoops);
        }
        DynamoDbAsyncClientBuilder builder = DynamoDbAsyncClient.builder()
                .httpClientBuilder(http
                        // Enough connections for every batch in flight plus concurrent queries.
                        .maxConcurrency(Math.max(32, config.maxInFlightBatches() * 2))
                        .connectionTimeout(config.callTimeout())
                        .connectionAcquisitionTimeout(config.callTimeout()))
                .overrideConfiguration(o -> o
                        .apiCallTimeout(config.callTimeout())
                        .retryStrategy(AwsRetryStrategy.doNotRetry()))
                .credentialsProvider(credentials(config));
        if (config.endpointOverride() != null) {
            builder.endpointOverride(config.endpointOverride());
        }
        if (config.region() != null) {
            builder.region(Region.of(config.region()));
        } else if (config.endpointOverride() != null) {
            builder.region(Region.of(DynamoDbStoreConfig.LOCAL_DEFAULT_REGION));
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(DynamoDbStoreConfig config) {
        if (config.credentialsProvider() != null) {
            return config.credentialsProvider();
        }
        if (config.isLocalEndpoint()) {
            // Local servers check that requests are signed, not by whom.
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public CompletableFuture<Void> write(List<WindowAggregate> aggregates) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        try {
            long now = System.currentTimeMillis();
            SeriesIndex.Due due = index.itemsFor(aggregates, now);
            CompletableFuture<Void> written = writer.write(aggregates, due.items());
            if (!due.series().isEmpty()) {
                written = written.thenRun(() -> index.written(due.series(), now));
            }
            return track(written, "a write");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(errors.map("BatchWriteItem", e));
        }
    }

    /**
     * Reads the untagged series' partition directly (items written before tags existed live there)
     * and, in parallel, asks the series index which tagged series match; then reads those.
     */
    @Override
    public CompletableFuture<List<SeriesWindow>> query(MetricQuery query) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        if (query.name().isEmpty() || query.fromEpochSecond() >= query.toEpochSecond()
                || query.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > ItemMapper.MAX_PARTITION_KEY_BYTES
                        - SeriesIndex.SERIES_PREFIX.length() - 4) {
            // No item can match: an empty range, or a name DynamoDB could never have stored.
            return CompletableFuture.completedFuture(List.of());
        }
        try {
            long deadline = System.nanoTime() + operationTimeoutNanos;
            long from = query.fromEpochSecond();
            CompletableFuture<List<SeriesWindow>> untagged = query.filters().isEmpty()
                    ? runner(deadline).run(query, SeriesKey.of(query.name()), from)
                    : CompletableFuture.completedFuture(List.of());
            CompletableFuture<List<SeriesWindow>> tagged = index.tagged(query.name(), query.filters(), from, deadline)
                    .thenCompose(entries -> {
                        List<CompletableFuture<List<SeriesWindow>>> reads = new ArrayList<>(entries.size());
                        for (SeriesIndex.Entry e : entries) {
                            reads.add(runner(deadline).run(query, e.series(), from));
                        }
                        return allOf(reads);
                    });
            return track(untagged.thenCombine(tagged, (a, b) -> {
                List<SeriesWindow> all = new ArrayList<>(a.size() + b.size());
                all.addAll(a);
                all.addAll(b);
                return all;
            }), "a query");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(errors.map("Query", e));
        }
    }

    private QueryRunner runner(long deadlineNanos) {
        return new QueryRunner(client, config, mapper, errors, retrier, deadlineNanos);
    }

    private static CompletableFuture<List<SeriesWindow>> allOf(List<CompletableFuture<List<SeriesWindow>>> reads) {
        return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<SeriesWindow> all = new ArrayList<>();
            for (var r : reads) {
                all.addAll(r.join());
            }
            return all;
        });
    }

    /**
     * Lists series from the series index. A tagged series is listed when its index says it held
     * data within {@link SeriesIndex#REFRESH_MILLIS} twice over of the range's start (the index is
     * refreshed that often); an untagged series when its partition holds a window in the range.
     */
    @Override
    public CompletableFuture<List<SeriesInfo>> listSeries(SeriesListQuery query) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        try {
            long deadline = System.nanoTime() + operationTimeoutNanos;
            CompletableFuture<List<SeriesIndex.NameEntry>> names = query.name().isPresent()
                    ? CompletableFuture.completedFuture(List.of(
                            new SeriesIndex.NameEntry(query.name().get(), true, true, null, Long.MAX_VALUE)))
                    : index.names(null, deadline);
            return track(names.thenCompose(list -> listNames(query, list, 0, new ArrayList<>(), deadline)),
                    "a series listing");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(errors.map("Query", e));
        }
    }


    private CompletableFuture<List<SeriesInfo>> listNames(SeriesListQuery query, List<SeriesIndex.NameEntry> names,
                                                          int at, List<SeriesInfo> out, long deadline) {
        if (at == names.size() || out.size() >= query.limit()) {
            return CompletableFuture.completedFuture(out.size() > query.limit() ? out.subList(0, query.limit()) : out);
        }
        SeriesIndex.NameEntry n = names.get(at);
        if (query.after().isPresent() && SeriesKey.of(n.name()).compareTo(SeriesKey.of(query.after().get().name())) < 0) {
            return listNames(query, names, at + 1, out, deadline); // before the cursor's name
        }
        CompletableFuture<List<SeriesInfo>> untagged = n.untagged() && query.filters().isEmpty()
                ? untaggedInRange(n.name(), query, deadline) : CompletableFuture.completedFuture(List.of());
        CompletableFuture<List<SeriesIndex.Entry>> tagged = n.tagged()
                ? index.tagged(n.name(), query.filters(), query.fromEpochSecond(), deadline)
                : CompletableFuture.completedFuture(List.of());
        return untagged.thenCombine(tagged, (u, t) -> {
            List<SeriesInfo> found = new ArrayList<>(u);
            for (SeriesIndex.Entry e : t) {
                found.add(SeriesIndex.info(e));
            }
            found.removeIf(s -> !query.matches(s.series()));
            found.sort(java.util.Comparator.comparing(SeriesInfo::series));
            return found;
        }).thenCompose(found -> {
            out.addAll(found);
            return listNames(query, names, at + 1, out, deadline);
        });
    }

    private CompletableFuture<List<SeriesInfo>> untaggedInRange(String name, SeriesListQuery query, long deadline) {
        MetricQuery probe = new MetricQuery(SeriesKey.of(name), query.fromEpochSecond(), query.toEpochSecond(), 1,
                MetricQuery.Order.NEWEST_FIRST);
        return runner(deadline).run(probe, SeriesKey.of(name), probe.fromEpochSecond()).thenApply(rows -> rows.isEmpty()
                ? List.<SeriesInfo>of() : List.of(new SeriesInfo(SeriesKey.of(name), rows.get(0).type())));
    }

    @Override
    public CompletableFuture<Void> checkReady() {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        return track(tables.describe(System.nanoTime() + config.callTimeout().toNanos()).thenApply(table -> {
            if (table == null) {
                throw new StoreException(Kind.MISCONFIGURED, "DynamoDB table '" + config.tableName()
                        + "' does not exist at " + where);
            }
            String problem = tables.schemaProblem(table);
            if (problem != null) {
                throw new StoreException(Kind.MISCONFIGURED, problem);
            }
            if (table.tableStatus() != TableStatus.ACTIVE && table.tableStatus() != TableStatus.UPDATING) {
                throw new StoreException(Kind.UNAVAILABLE, "DynamoDB table '" + config.tableName() + "' is "
                        + table.tableStatusAsString() + ", not ACTIVE");
            }
            return null;
        }), "a readiness check");
    }

    /**
     * The future the caller gets: completes like {@code inner}, with failures as store exceptions,
     * or fails with {@link Kind#CLOSED} when the store is closed first.
     */
    private <T> CompletableFuture<T> track(CompletableFuture<T> inner, String what) {
        CompletableFuture<T> outer = new CompletableFuture<>();
        pending.add(outer);
        outer.whenComplete((v, e) -> pending.remove(outer));
        inner.whenComplete((v, e) -> {
            if (e == null) {
                outer.complete(v);
            } else if (closed) {
                outer.completeExceptionally(new StoreException(Kind.CLOSED, "the DynamoDB store for table '"
                        + config.tableName() + "' was closed while " + what + " was in flight", StoreException.of(e)));
            } else {
                outer.completeExceptionally(StoreException.of(e));
            }
        });
        if (closed) {
            // close() may have swept the set just before this future was added.
            outer.completeExceptionally(closedError());
        }
        return outer;
    }

    @Override
    public String describe() {
        return "dynamodb table " + config.tableName() + " at " + where;
    }

    /** The series index of this store, for tests. */
    SeriesIndex index() {
        return index;
    }

    /** The configuration this store runs with. */
    public DynamoDbStoreConfig config() {
        return config;
    }

    /**
     * Closes the client and the store's timer. Writes and queries still in flight fail with
     * {@link Kind#CLOSED} or {@link Kind#UNAVAILABLE}; later calls fail with {@link Kind#CLOSED}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (CompletableFuture<?> f : pending) {
            f.completeExceptionally(new StoreException(Kind.CLOSED, "the DynamoDB store for table '"
                    + config.tableName() + "' was closed before this operation finished"));
        }
        // shutdown(), not shutdownNow(): close() may itself run on the timer thread (a failed
        // open() closes the store from its last callback), and interrupting it would break the
        // SDK's own close below.
        scheduler.shutdown();
        client.close();
        if (eventLoops != null) {
            // A short quiet period: the client's close still hands connection-pool releases to the
            // event loops for a moment, and a terminated loop would reject them. Not awaited.
            eventLoops.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS);
        }
    }

    private StoreException closedError() {
        return new StoreException(Kind.CLOSED, "the DynamoDB store for table '" + config.tableName() + "' is closed");
    }
}
