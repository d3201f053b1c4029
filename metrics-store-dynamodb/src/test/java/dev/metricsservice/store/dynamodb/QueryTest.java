package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Paging, early stop and retries of the query path, against a stubbed client that serves pages of 2 items. */
class QueryTest {

    private static final long T0 = 1_764_000_000L;
    private final StubDynamoDbClient client = new StubDynamoDbClient();
    private final DynamoDbMetricStore store = new DynamoDbMetricStore(client, DynamoDbStoreConfig.builder()
            .tableName("stub-table").endpointOverride(URI.create("http://127.0.0.1:9"))
            .retryBaseDelay(Duration.ofMillis(1)).retryMaxDelay(Duration.ofMillis(2)).build());

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** Serves {@code items} (already in the requested order) two per page. */
    private static QueryResponse page(List<Map<String, AttributeValue>> items, QueryRequest r) {
        int start = r.hasExclusiveStartKey() ? Integer.parseInt(r.exclusiveStartKey().get("i").n()) : 0;
        int end = Math.min(items.size(), start + 2);
        QueryResponse.Builder b = QueryResponse.builder().items(items.subList(start, end));
        if (end < items.size()) {
            b.lastEvaluatedKey(Map.of("i", AttributeValue.fromN(Integer.toString(end))));
        }
        return b.build();
    }

    /** Windows T0, T0+10, ... newest first, each written by three writers. */
    private static List<Map<String, AttributeValue>> newestFirst(int windows) {
        ItemMapper mapper = new ItemMapper(null);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int w = windows - 1; w >= 0; w--) {
            for (int writer = 0; writer < 3; writer++) {
                items.add(mapper.toItem(new WindowAggregate(SeriesKey.of("cpu"), T0 + 10L * w, "w" + writer, Stats.of(w + 1.0)), null));
            }
        }
        return items;
    }

    @Test
    void query_followsPagesAndMergesWriters() throws Exception {
        List<Map<String, AttributeValue>> items = newestFirst(4);
        client.onQuery = r -> CompletableFuture.completedFuture(page(items, r));

        List<WindowStats> rows = Rows.of(store, MetricQuery.latest("cpu", 100), 10);

        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).isEqualTo(new WindowStats(T0 + 30, Stats.of(3, 12.0, 4.0, 4.0)));
        assertThat(client.queries).hasSize(6);
        assertThat(client.getItems).hasSize(1); // the series index: no tagged series
        QueryRequest first = client.queries.get(0);
        assertThat(first.scanIndexForward()).isFalse();
        assertThat(first.consistentRead()).isTrue();
        assertThat(first.keyConditionExpression()).isEqualTo("#pk = :name AND #sk BETWEEN :lo AND :hi");
    }

    @Test
    void query_stopsReadingOnceTheLimitIsCertain() throws Exception {
        List<Map<String, AttributeValue>> items = newestFirst(50);
        client.onQuery = r -> CompletableFuture.completedFuture(page(items, r));

        List<WindowStats> rows = Rows.of(store, MetricQuery.latest("cpu", 2), 10);

        assertThat(rows).extracting(WindowStats::windowStartEpochSecond).containsExactly(T0 + 490, T0 + 480);
        assertThat(rows).allSatisfy(r -> assertThat(r.stats().count()).isEqualTo(3));
        // 3 writers x 2 windows = 6 items, plus one item of the third window: 4 pages of 2, not 75.
        assertThat(client.queries).hasSize(4);
    }

    @Test
    void query_throttledPage_isRetried() throws Exception {
        List<Map<String, AttributeValue>> items = newestFirst(2);
        AtomicInteger calls = new AtomicInteger();
        client.onQuery = r -> calls.incrementAndGet() == 2
                ? CompletableFuture.failedFuture(StubDynamoDbClient.serviceError("ThrottlingException", 400))
                : CompletableFuture.completedFuture(page(items, r));

        List<WindowStats> rows = Rows.of(store, MetricQuery.latest("cpu", 10), 10);

        assertThat(rows).hasSize(2);
        assertThat(calls.get()).isEqualTo(4);
    }

    @Test
    void query_unreadableItem_failsNamingTheItem() {
        client.onQuery = r -> CompletableFuture.completedFuture(QueryResponse.builder().items(List.of(Map.of(
                "metric_name", AttributeValue.fromS("cpu"),
                "window_writer", AttributeValue.fromS("0000000001764000000#w1"),
                "timestamp", AttributeValue.fromN("1764000000")))).build());

        CompletableFuture<List<dev.metricsservice.core.SeriesWindow>> f = store.query(MetricQuery.latest("cpu", 10));

        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot read").hasMessageContaining("0000000001764000000#w1");
    }

    @Test
    void query_nameThatCannotBeAKey_answersEmptyWithoutARequest() throws Exception {
        assertThat(Rows.of(store, MetricQuery.latest("", 10), 10)).isEmpty();
        assertThat(Rows.of(store, MetricQuery.latest("x".repeat(3000), 10), 10)).isEmpty();
        assertThat(client.queries).isEmpty();
        assertThat(client.getItems).isEmpty();
    }
}
