package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** The write path against a stubbed client: the cases dynalite never produces. */
class BatchWriteTest {

    private static final String TABLE = "stub-table";
    private static final long T0 = 1_764_000_000L;

    private final StubDynamoDbClient client = new StubDynamoDbClient();
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor();
    /** What the stub "server" holds: sort key + name -> item. */
    private final Map<String, Map<String, AttributeValue>> stored = new ConcurrentHashMap<>();
    private DynamoDbMetricStore store;

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
        delayer.shutdownNow();
    }

    private DynamoDbMetricStore store(DynamoDbStoreConfig.Builder config) {
        store = new DynamoDbMetricStore(client, config.tableName(TABLE)
                .endpointOverride(java.net.URI.create("http://127.0.0.1:9")).build());
        // These tests count data items; the series index items are tested on their own.
        List<SeriesKey> used = new ArrayList<>(List.of(SeriesKey.of("cpu")));
        for (int i = 0; i < 7; i++) {
            used.add(SeriesKey.of("m" + i));
        }
        store.index().written(used, System.currentTimeMillis());
        return store;
    }

    private static DynamoDbStoreConfig.Builder fastRetries() {
        return DynamoDbStoreConfig.builder().retryBaseDelay(Duration.ofMillis(1)).retryMaxDelay(Duration.ofMillis(4));
    }

    private static List<WindowAggregate> aggregates(int n) {
        List<WindowAggregate> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new WindowAggregate(SeriesKey.of("m" + (i % 7)), T0 + 10L * i, "w1", Stats.of(i + 1, i, 0.0, i)));
        }
        return list;
    }

    /** Stores every put of the request and answers with the given unprocessed ones. */
    private CompletableFuture<BatchWriteItemResponse> accept(BatchWriteItemRequest request, List<WriteRequest> unprocessed) {
        for (WriteRequest w : request.requestItems().get(TABLE)) {
            if (!unprocessed.contains(w)) {
                Map<String, AttributeValue> item = w.putRequest().item();
                stored.put(item.get("metric_name").s() + "|" + item.get("window_writer").s(), item);
            }
        }
        BatchWriteItemResponse.Builder response = BatchWriteItemResponse.builder();
        if (!unprocessed.isEmpty()) {
            response.unprocessedItems(Map.of(TABLE, unprocessed));
        }
        return CompletableFuture.completedFuture(response.build());
    }

    private static StoreException failure(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(30, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(StoreException.class);
        return (StoreException) e.getCause();
    }

    @Test
    void write_newSeries_writesItsIndexItemsOnceWithTheFirstBatch() throws Exception {
        client.onBatchWrite = r -> accept(r, List.of());
        DynamoDbMetricStore s = store(fastRetries());
        WindowAggregate tagged = new WindowAggregate(SeriesKey.of("lat", dev.metricsservice.core.Tags.of("host", "a",
                "region", "eu")), T0, "w1", 0, Stats.of(1), dev.metricsservice.core.MetricType.DISTRIBUTION);

        s.write(List.of(tagged)).get(30, TimeUnit.SECONDS);
        s.write(List.of(tagged)).get(30, TimeUnit.SECONDS);

        // The data item, the name's "tagged" marker, one shard entry and one posting per tag.
        assertThat(stored).hasSize(1 + 1 + 1 + 2);
        assertThat(stored.keySet()).anyMatch(k -> k.startsWith("\u0001tag\u001Dlat\u001Dregion\u001Feu|"));
        assertThat(client.batchWrites.get(1).requestItems().get(TABLE)).hasSize(1); // refreshed hourly, not per write
    }

    @Test
    void write_largeBatch_isSentInChunksOf25() throws Exception {
        client.onBatchWrite = r -> accept(r, List.of());

        store(fastRetries()).write(aggregates(1_000)).get(30, TimeUnit.SECONDS);

        assertThat(client.batchWrites).hasSize(40);
        assertThat(client.batchWrites).allSatisfy(r -> assertThat(r.requestItems().get(TABLE)).hasSizeLessThanOrEqualTo(25));
        assertThat(stored).hasSize(1_000);
    }

    @Test
    void write_unprocessedItems_areResentUntilAccepted() throws Exception {
        // Every request leaves its second half unprocessed, as a throttled table does.
        client.onBatchWrite = r -> {
            List<WriteRequest> items = r.requestItems().get(TABLE);
            return accept(r, items.size() > 1 ? items.subList(items.size() / 2, items.size()) : List.of());
        };

        store(fastRetries()).write(aggregates(100)).get(30, TimeUnit.SECONDS);

        assertThat(stored).hasSize(100);
        for (WindowAggregate a : aggregates(100)) {
            Map<String, AttributeValue> item = stored.get(a.series().name() + "|" + ItemMapper.sortKey(a.windowStartEpochSecond(), "w1", 0));
            assertThat(new ItemMapper(null).fromItem(item).stats()).isEqualTo(a.stats());
        }
        // 25 items per chunk -> 12 + 6 + 3 + 2 + 1 + 1 unprocessed rounds: at least 6 requests per chunk.
        assertThat(client.batchWrites.size()).isGreaterThanOrEqualTo(4 * 6);
    }

    @Test
    void write_unprocessedForever_failsAsThrottledSayingWhat() {
        client.onBatchWrite = r -> accept(r, r.requestItems().get(TABLE));

        StoreException e = failure(store(fastRetries().maxAttempts(4)).write(aggregates(10)));

        assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains("10 aggregates", "0 stored", "10 not confirmed", "UnprocessedItems",
                "gave up after 4 attempts");
        assertThat(client.batchWrites).hasSize(4);
    }

    @Test
    void write_progressResetsTheAttemptCount() throws Exception {
        // One item per request is accepted: never 3 fruitless attempts in a row, so it must finish.
        client.onBatchWrite = r -> {
            List<WriteRequest> items = r.requestItems().get(TABLE);
            return accept(r, items.subList(1, items.size()));
        };

        store(fastRetries().maxAttempts(3)).write(aggregates(25)).get(30, TimeUnit.SECONDS);

        assertThat(stored).hasSize(25);
        assertThat(client.batchWrites).hasSize(25);
    }

    @Test
    void write_throttlingException_isRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        client.onBatchWrite = r -> calls.incrementAndGet() <= 2
                ? CompletableFuture.failedFuture(StubDynamoDbClient.serviceError("ProvisionedThroughputExceededException", 400))
                : accept(r, List.of());

        store(fastRetries()).write(aggregates(5)).get(30, TimeUnit.SECONDS);

        assertThat(calls.get()).isEqualTo(3);
        assertThat(stored).hasSize(5);
    }

    @Test
    void write_serverError_isRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        client.onBatchWrite = r -> calls.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(StubDynamoDbClient.serviceError("InternalServerError", 500))
                : accept(r, List.of());

        store(fastRetries()).write(aggregates(5)).get(30, TimeUnit.SECONDS);

        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void write_persistentServerError_failsAsUnavailable() {
        client.onBatchWrite = r -> CompletableFuture.failedFuture(StubDynamoDbClient.serviceError("ServiceUnavailable", 503));

        StoreException e = failure(store(fastRetries().maxAttempts(3)).write(aggregates(5)));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("503", "stub-table");
        assertThat(client.batchWrites).hasSize(3);
    }

    @Test
    void write_validationError_failsAtOnceAsInvalidRequest() {
        client.onBatchWrite = r -> CompletableFuture.failedFuture(StubDynamoDbClient.serviceError("ValidationException", 400));

        StoreException e = failure(store(fastRetries()).write(aggregates(5)));

        assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
        assertThat(e.isRetryable()).isFalse();
        assertThat(client.batchWrites).hasSize(1);
    }

    @Test
    void write_missingTable_failsAsMisconfiguredNamingTheTable() {
        client.onBatchWrite = r -> CompletableFuture.failedFuture(
                software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException.builder()
                        .message("Requested resource not found").statusCode(400)
                        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                                .errorCode("ResourceNotFoundException").errorMessage("Requested resource not found").build())
                        .build());

        StoreException e = failure(store(fastRetries()).write(aggregates(5)));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("'stub-table'", "does not exist", "autoCreateTable");
    }

    @Test
    void write_inFlightRequests_neverExceedTheConfiguredMaximum() throws Exception {
        client.onBatchWrite = r -> {
            CompletableFuture<BatchWriteItemResponse> later = new CompletableFuture<>();
            delayer.schedule(() -> accept(r, List.of()).thenAccept(later::complete), 2, TimeUnit.MILLISECONDS);
            return later;
        };
        DynamoDbMetricStore s = store(fastRetries().maxInFlightBatches(3));

        // Two writes at once share the store-wide bound.
        CompletableFuture<Void> a = s.write(aggregates(1_000));
        CompletableFuture<Void> b = s.write(aggregates(1_000).stream()
                .map(x -> new WindowAggregate(x.series(), x.windowStartEpochSecond(), "w2", x.stats())).toList());
        CompletableFuture.allOf(a, b).get(60, TimeUnit.SECONDS);

        assertThat(client.maxOutstanding.get()).isEqualTo(3);
        assertThat(stored).hasSize(2_000);
    }

    @Test
    void write_duplicateIdentities_areSentOnceAndTheLastWins() throws Exception {
        client.onBatchWrite = r -> accept(r, List.of());
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            batch.add(new WindowAggregate(SeriesKey.of("cpu"), T0, "w1", Stats.of(i, i, 1.0, 1.0)));
        }

        store(fastRetries()).write(batch).get(30, TimeUnit.SECONDS);

        assertThat(client.itemsSent()).isEqualTo(1);
        assertThat(stored.values().iterator().next().get("count").n()).isEqualTo("60");
    }

    @Test
    void write_serverNeverAnswers_failsWithTimeoutAtTheOperationTimeout() {
        client.onBatchWrite = r -> new CompletableFuture<>();

        StoreException e = failure(store(fastRetries().operationTimeout(Duration.ofMillis(300))).write(aggregates(5)));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("operation timeout", "0 stored", "5 not confirmed");
    }

    @Test
    void write_unstorableAggregate_failsBeforeSendingAnything() {
        List<WindowAggregate> batch = new ArrayList<>(aggregates(3));
        batch.add(new WindowAggregate(SeriesKey.of(""), T0, "w1", Stats.of(1.0)));

        StoreException e = failure(store(fastRetries()).write(batch));

        assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("aggregate #3", "empty", "nothing was written");
        assertThat(client.batchWrites).isEmpty();
    }

    @Test
    void write_storeClosedDuringRetries_failsAsClosed() throws Exception {
        CompletableFuture<Void> firstCall = new CompletableFuture<>();
        client.onBatchWrite = r -> {
            firstCall.complete(null);
            return CompletableFuture.failedFuture(StubDynamoDbClient.serviceError("ThrottlingException", 400));
        };
        DynamoDbMetricStore s = store(DynamoDbStoreConfig.builder().retryBaseDelay(Duration.ofMillis(200))
                .retryMaxDelay(Duration.ofMillis(400)));

        CompletableFuture<Void> write = s.write(aggregates(5));
        firstCall.get(10, TimeUnit.SECONDS);
        s.close();

        StoreException e = failure(write);
        assertThat(e.kind()).isEqualTo(Kind.CLOSED);
        assertThat(client.closed).isTrue();
        assertThatThrownBy(() -> s.write(aggregates(1)).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreException.class)
                .satisfies(t -> assertThat(StoreException.of(t).kind()).isEqualTo(Kind.CLOSED));
    }
}
