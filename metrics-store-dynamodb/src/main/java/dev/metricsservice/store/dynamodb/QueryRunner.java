package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import dev.metricsservice.core.store.WindowMerger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads one series for a {@link MetricQuery}: a Query on the series' partition with the time range
 * as one sort-key {@code BETWEEN}, read in the query's order, pages followed until the limit is
 * certain, writers merged by {@link WindowMerger}.
 *
 * <p>Because the sort key orders items by window and then by writer, all writers of a window are
 * adjacent. Once more than {@code limit} distinct steps have been seen in reading order, the first
 * {@code limit} steps are complete and later pages cannot change the answer, so reading stops;
 * a "newest 20" query on a long history reads one page, not the whole partition.
 *
 * <p>One instance per query; not thread-safe (pages are handled one after another).
 */
final class QueryRunner {

    /** Items per page: a few writers' worth of the usual limit, far below DynamoDB's 1 MB page cap. */
    private static final int MIN_PAGE_ITEMS = 100;
    private static final int MAX_PAGE_ITEMS = 1000;

    private final DynamoDbAsyncClient client;
    private final DynamoDbStoreConfig config;
    private final ItemMapper mapper;
    private final ErrorMapper errors;
    private final Retrier retrier;
    private final long deadlineNanos;
    private final WindowMerger merger = new WindowMerger();
    private final long nowEpochSecond = System.currentTimeMillis() / 1000;
    private int distinctSteps;
    private long lastStep;
    private MetricQuery query;
    private SeriesKey series;

    QueryRunner(DynamoDbAsyncClient client, DynamoDbStoreConfig config, ItemMapper mapper, ErrorMapper errors,
                Retrier retrier, long deadlineNanos) {
        this.client = client;
        this.config = config;
        this.mapper = mapper;
        this.errors = errors;
        this.retrier = retrier;
        this.deadlineNanos = deadlineNanos;
    }

    CompletableFuture<List<SeriesWindow>> run(MetricQuery q, SeriesKey s, long fromEpochSecond) {
        this.query = q;
        this.series = s;
        String id = ItemMapper.seriesId(s);
        if (fromEpochSecond >= q.toEpochSecond() || s.name().isEmpty()
                || id.getBytes(StandardCharsets.UTF_8).length > ItemMapper.MAX_PARTITION_KEY_BYTES) {
            // No item can match: an empty range, or a name DynamoDB could never have stored.
            return CompletableFuture.completedFuture(List.of());
        }
        QueryRequest first = QueryRequest.builder()
                .tableName(config.tableName())
                .keyConditionExpression("#pk = :name AND #sk BETWEEN :lo AND :hi")
                .expressionAttributeNames(Map.of("#pk", ItemMapper.PARTITION_KEY, "#sk", ItemMapper.SORT_KEY))
                .expressionAttributeValues(Map.of(
                        ":name", AttributeValue.fromS(id),
                        ":lo", AttributeValue.fromS(ItemMapper.lowerBound(fromEpochSecond)),
                        ":hi", AttributeValue.fromS(ItemMapper.upperBound(q.toEpochSecond() - 1))))
                .scanIndexForward(q.order() == MetricQuery.Order.OLDEST_FIRST)
                .consistentRead(config.consistentReads())
                .limit((int) Math.min(MAX_PAGE_ITEMS, Math.max(MIN_PAGE_ITEMS, (long) q.limit() + 1)))
                .build();
        return page(first);
    }

    private CompletableFuture<List<SeriesWindow>> page(QueryRequest request) {
        String action = "Query for series '" + ItemMapper.abbreviate(series.toString()) + "'";
        return retrier.call(action, () -> client.query(request), errors, deadlineNanos).thenCompose(response -> {
            boolean enough = consume(response);
            if (enough || !response.hasLastEvaluatedKey() || response.lastEvaluatedKey().isEmpty()) {
                return CompletableFuture.completedFuture(merger.result(query));
            }
            return page(request.toBuilder().exclusiveStartKey(response.lastEvaluatedKey()).build());
        });
    }

    /** Adds a page's items; true once more than {@code limit} steps were seen. */
    private boolean consume(QueryResponse response) {
        for (Map<String, AttributeValue> item : response.items()) {
            ItemMapper.StoredAggregate a;
            try {
                a = mapper.fromItem(item);
            } catch (RuntimeException e) {
                throw new StoreException(Kind.INTERNAL, "DynamoDB table '" + config.tableName() + "' holds an item of "
                        + "series '" + ItemMapper.abbreviate(series.toString()) + "' that this store cannot read (sort key "
                        + item.get(ItemMapper.SORT_KEY) + "): " + e.getMessage()
                        + "; was the table written by another program?", e);
            }
            if (a.expiryEpochSecond() != null && a.expiryEpochSecond() <= nowEpochSecond) {
                // DynamoDB deletes expired items lazily (within days); hide them meanwhile.
                continue;
            }
            if (!a.series().equals(series)) {
                continue; // another series whose long tags hash to the same id: not ours
            }
            long step = query.stepStart(a.windowStartEpochSecond());
            if (distinctSteps == 0 || step != lastStep) {
                distinctSteps++;
                lastStep = step;
            }
            merger.add(a.series(), a.type(), a.windowStartEpochSecond(), a.stats());
        }
        return distinctSteps > query.limit();
    }
}
