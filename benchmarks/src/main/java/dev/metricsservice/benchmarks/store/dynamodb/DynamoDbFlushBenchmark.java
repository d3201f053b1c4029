package dev.metricsservice.benchmarks.store.dynamodb;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.store.dynamodb.DynamoDbMetricStore;
import dev.metricsservice.store.dynamodb.DynamoDbStoreConfig;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Flush throughput of {@code metrics-store-dynamodb} against a DynamoDB-compatible server
 * (dynalite), with two baselines measured in the same run on the same server:
 * <ul>
 *   <li><b>plain-batch</b> (the ceiling): the same items written with BatchWriteItem in chunks of
 *       25 straight from the SDK client, the same number of requests in flight, unprocessed items
 *       resent at once; no validation, de-duplication, backoff, deadlines or error mapping.</li>
 *   <li><b>naive-put</b> (the seed service's way): one PutItem per aggregate, one after another.
 *       It is slow, so it writes only the first {@value #NAIVE_MAX_ITEMS} items of a batch and is
 *       reported in items per second like the others.</li>
 * </ul>
 * Every run writes into a fresh table, so no run overwrites another's items. A small main rather
 * than JMH: one measurement is one flush of many thousands of network calls to an external
 * process, seconds long, and what matters is the ratio between contenders in the same run.
 *
 * <p>Run with {@code benchmarks/store/run-dynamodb.sh}, which builds, starts dynalite and calls
 * {@code java -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.store.dynamodb.DynamoDbFlushBenchmark
 * <endpoint> [rounds-at-10000] [rounds-at-100000]}.
 */
public final class DynamoDbFlushBenchmark {

    static final int NAIVE_MAX_ITEMS = 2_000;
    static final int IN_FLIGHT = 8;
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private final URI endpoint;
    private final DynamoDbAsyncClient raw;

    private DynamoDbFlushBenchmark(URI endpoint) {
        this.endpoint = endpoint;
        // The same client settings the store uses (Netty, 32 connections, no SDK retries, a call
        // timeout), so the baselines differ from the store only by the store layer.
        this.raw = DynamoDbAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(32)
                        .eventLoopGroupBuilder(SdkEventLoopGroup.builder()
                                .numberOfThreads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(30))
                        .retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DynamoDbFlushBenchmark <endpoint> [rounds-at-10000] [rounds-at-100000]");
            System.exit(2);
        }
        URI endpoint = URI.create(args[0]);
        int smallRounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int largeRounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        DynamoDbFlushBenchmark bench = new DynamoDbFlushBenchmark(endpoint);
        try {
            System.out.printf(Locale.ROOT, "endpoint %s, %d requests in flight, load average at start %.1f%n",
                    endpoint, IN_FLIGHT, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.println("warm-up (2,000 items each, not reported)");
            bench.round(2_000, 0);
            bench.report(10_000, smallRounds);
            bench.report(100_000, largeRounds);
            System.out.printf(Locale.ROOT, "load average at end %.1f%n",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            bench.raw.close();
        }
    }

    private void report(int items, int rounds) throws Exception {
        List<double[]> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            results.add(round(items, r));
        }
        String[] names = {"store", "plain-batch", "naive-put"};
        for (int c = 0; c < names.length; c++) {
            double[] rates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                rates[r] = results.get(r)[c];
            }
            Arrays.sort(rates);
            System.out.printf(Locale.ROOT, "%-7d %-12s median %,10.0f items/s   (runs: %s)%s%n", items, names[c],
                    rates[rounds / 2], Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()),
                    c == 2 ? "   first " + Math.min(items, NAIVE_MAX_ITEMS) + " items only" : "");
        }
        double[] storeVsPlain = new double[rounds];
        double[] storeVsNaive = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            storeVsPlain[r] = results.get(r)[0] / results.get(r)[1];
            storeVsNaive[r] = results.get(r)[0] / results.get(r)[2];
        }
        Arrays.sort(storeVsPlain);
        Arrays.sort(storeVsNaive);
        System.out.printf(Locale.ROOT, "%-7d ratio store/plain-batch %.2f, store/naive-put %.1f (median of per-round ratios)%n",
                items, storeVsPlain[rounds / 2], storeVsNaive[rounds / 2]);
    }

    /** One round: each contender once, in an order that rotates with the round. Returns items/s per contender. */
    private double[] round(int items, int round) throws Exception {
        List<WindowAggregate> batch = batch(items);
        double[] rates = new double[3];
        for (int i = 0; i < 3; i++) {
            int contender = (i + round) % 3;
            rates[contender] = switch (contender) {
                case 0 -> viaStore(batch);
                case 1 -> plainBatch(batch);
                default -> naivePut(batch.subList(0, Math.min(batch.size(), NAIVE_MAX_ITEMS)));
            };
        }
        return rates;
    }

    /** A flush's worth of aggregates: 1,000 series, consecutive windows, one writer. */
    static List<WindowAggregate> batch(int items) {
        List<WindowAggregate> batch = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            double v = (i % 977) * 0.25;
            batch.add(new WindowAggregate(SeriesKey.of("series-" + (i % 1_000)), 1_764_000_000L + 10L * (i / 1_000), "bench-writer",
                    Stats.of(1 + i % 50, v * (1 + i % 50), v, v)));
        }
        return batch;
    }

    private String freshTable() throws Exception {
        String table = "bench-" + RUN + "-" + TABLES.incrementAndGet();
        // Opening a store creates the table with the store's schema; every contender gets the same.
        DynamoDbMetricStore.open(config(table)).get(2, TimeUnit.MINUTES).close();
        return table;
    }

    private DynamoDbStoreConfig config(String table) {
        return DynamoDbStoreConfig.builder().endpointOverride(endpoint).tableName(table)
                .maxInFlightBatches(IN_FLIGHT).callTimeout(Duration.ofSeconds(30))
                .operationTimeout(Duration.ofMinutes(10)).build();
    }

    private double viaStore(List<WindowAggregate> batch) throws Exception {
        String table = freshTable();
        try (DynamoDbMetricStore store = DynamoDbMetricStore.open(config(table)).get(2, TimeUnit.MINUTES)) {
            long t0 = System.nanoTime();
            store.write(batch).get(10, TimeUnit.MINUTES);
            return rate(batch.size(), System.nanoTime() - t0);
        }
    }

    private double plainBatch(List<WindowAggregate> batch) throws Exception {
        String table = freshTable();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int start = 0; start < batch.size(); start += 25) {
            List<WriteRequest> chunk = new ArrayList<>(25);
            for (WindowAggregate a : batch.subList(start, Math.min(batch.size(), start + 25))) {
                chunk.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item(a)).build()).build());
            }
            inFlight.acquire();
            CompletableFuture<Void> done = sendAll(table, chunk);
            done.whenComplete((v, e) -> inFlight.release());
            all.add(done);
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
        return rate(batch.size(), System.nanoTime() - t0);
    }

    private CompletableFuture<Void> sendAll(String table, List<WriteRequest> chunk) {
        return raw.batchWriteItem(b -> b.requestItems(Map.of(table, chunk))).thenCompose((BatchWriteItemResponse r) -> {
            List<WriteRequest> left = r.hasUnprocessedItems() ? r.unprocessedItems().getOrDefault(table, List.of()) : List.of();
            return left.isEmpty() ? CompletableFuture.completedFuture(null) : sendAll(table, left);
        });
    }

    private double naivePut(List<WindowAggregate> batch) throws Exception {
        String table = freshTable();
        long t0 = System.nanoTime();
        for (WindowAggregate a : batch) {
            raw.putItem(b -> b.tableName(table).item(item(a))).get(1, TimeUnit.MINUTES);
        }
        return rate(batch.size(), System.nanoTime() - t0);
    }

    /** The same item layout the store writes (see the store's README), built inline: no store code involved. */
    private static Map<String, AttributeValue> item(WindowAggregate a) {
        Map<String, AttributeValue> item = new HashMap<>(16);
        String window = Long.toString(a.windowStartEpochSecond());
        item.put("metric_name", AttributeValue.fromS(a.series().name()));
        item.put("window_writer", AttributeValue.fromS("0".repeat(19 - window.length()) + window + "#" + a.writerId()));
        item.put("timestamp", AttributeValue.fromN(window));
        item.put("writer", AttributeValue.fromS(a.writerId()));
        item.put("count", AttributeValue.fromN(Long.toString(a.stats().count())));
        item.put("sum", AttributeValue.fromN(Double.toString(a.stats().sum())));
        item.put("min", AttributeValue.fromN(Double.toString(a.stats().min())));
        item.put("max", AttributeValue.fromN(Double.toString(a.stats().max())));
        return item;
    }

    private static double rate(int items, long nanos) {
        return items / (nanos / 1e9);
    }
}
