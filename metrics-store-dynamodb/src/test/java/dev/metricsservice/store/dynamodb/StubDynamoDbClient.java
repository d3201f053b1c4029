package dev.metricsservice.store.dynamodb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A hand-written {@link DynamoDbAsyncClient} for the cases a real server will not produce
 * (UnprocessedItems, throttling, 5xx, silence). Each test scripts the answers; the stub records
 * every request and the highest number of BatchWriteItem calls outstanding at once.
 */
final class StubDynamoDbClient implements DynamoDbAsyncClient {

    volatile Function<BatchWriteItemRequest, CompletableFuture<BatchWriteItemResponse>> onBatchWrite =
            r -> CompletableFuture.completedFuture(BatchWriteItemResponse.builder().build());
    volatile Function<QueryRequest, CompletableFuture<QueryResponse>> onQuery =
            r -> CompletableFuture.completedFuture(QueryResponse.builder().build());

    final List<BatchWriteItemRequest> batchWrites = Collections.synchronizedList(new ArrayList<>());
    final List<QueryRequest> queries = Collections.synchronizedList(new ArrayList<>());
    /** GetItem answers: by default "no such item" (the series index has no tagged series). */
    volatile Function<software.amazon.awssdk.services.dynamodb.model.GetItemRequest,
            CompletableFuture<software.amazon.awssdk.services.dynamodb.model.GetItemResponse>> onGetItem =
            r -> CompletableFuture.completedFuture(software.amazon.awssdk.services.dynamodb.model.GetItemResponse.builder()
                    .build());
    final List<software.amazon.awssdk.services.dynamodb.model.GetItemRequest> getItems =
            Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    volatile boolean closed;

    @Override
    public CompletableFuture<BatchWriteItemResponse> batchWriteItem(BatchWriteItemRequest request) {
        batchWrites.add(request);
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        CompletableFuture<BatchWriteItemResponse> answer = onBatchWrite.apply(request);
        // Decrement before dependants run, so a follow-up call started from the callback counts right.
        CompletableFuture<BatchWriteItemResponse> counted = new CompletableFuture<>();
        answer.whenComplete((v, e) -> {
            outstanding.decrementAndGet();
            if (e != null) {
                counted.completeExceptionally(e);
            } else {
                counted.complete(v);
            }
        });
        return counted;
    }

    @Override
    public CompletableFuture<QueryResponse> query(QueryRequest request) {
        queries.add(request);
        return onQuery.apply(request);
    }

    @Override
    public CompletableFuture<software.amazon.awssdk.services.dynamodb.model.GetItemResponse> getItem(
            software.amazon.awssdk.services.dynamodb.model.GetItemRequest request) {
        getItems.add(request);
        return onGetItem.apply(request);
    }

    @Override
    public String serviceName() {
        return "dynamodb";
    }

    @Override
    public void close() {
        closed = true;
    }

    /** A service exception as the SDK would raise it. */
    static AwsServiceException serviceError(String code, int status) {
        return DynamoDbException.builder()
                .message(code + " from the stub")
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " from the stub")
                        .serviceName("DynamoDB").build())
                .build();
    }

    /** Total items over all BatchWriteItem requests so far. */
    int itemsSent() {
        synchronized (batchWrites) {
            return batchWrites.stream().mapToInt(r -> r.requestItems().values().stream().mapToInt(List::size).sum()).sum();
        }
    }
}
