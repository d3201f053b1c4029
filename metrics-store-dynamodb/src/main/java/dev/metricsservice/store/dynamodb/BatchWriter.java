package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes a list of aggregates with BatchWriteItem: chunks of {@value #MAX_ITEMS_PER_BATCH}, a
 * bounded number of chunks in flight across the whole store, UnprocessedItems and retryable
 * errors resent after a capped, jittered exponential backoff, and one deadline for everything.
 *
 * <p>A write's future completes normally only once DynamoDB has accepted every item. A chunk
 * gives up after {@code maxAttempts} consecutive attempts that stored nothing, on the first
 * non-retryable error, or at the deadline; the write then fails with a {@link StoreException}
 * that says how many items were confirmed and why the rest were not, and the chunks not yet sent
 * are dropped rather than sent for nothing.
 *
 * <p>Thread-safe; never blocks. Each write has its own {@link Operation}; only the permits are shared.
 */
final class BatchWriter {

    /** DynamoDB's limit on items per BatchWriteItem request. */
    static final int MAX_ITEMS_PER_BATCH = 25;

    private final DynamoDbAsyncClient client;
    private final String tableName;
    private final ItemMapper mapper;
    private final ErrorMapper errors;
    private final Retrier retrier;
    private final AsyncPermits permits;
    private final ScheduledExecutorService scheduler;
    private final long operationTimeoutNanos;
    private final LongFunction<Long> expiry;
    private final BooleanSupplier closed;

    BatchWriter(DynamoDbAsyncClient client, String tableName, ItemMapper mapper, ErrorMapper errors, Retrier retrier,
                AsyncPermits permits, ScheduledExecutorService scheduler, long operationTimeoutNanos,
                LongFunction<Long> expiry, BooleanSupplier closed) {
        this.client = client;
        this.tableName = tableName;
        this.mapper = mapper;
        this.errors = errors;
        this.retrier = retrier;
        this.permits = permits;
        this.scheduler = scheduler;
        this.operationTimeoutNanos = operationTimeoutNanos;
        this.expiry = expiry;
        this.closed = closed;
    }

    CompletableFuture<Void> write(List<WindowAggregate> aggregates, List<Map<String, AttributeValue>> indexItems) {
        // BatchWriteItem rejects a request naming one key twice, and two chunks in flight would race;
        // so identical identities are collapsed up front, the last one winning as a rewrite would.
        Map<ItemMapper.ItemKey, WriteRequest> unique = new LinkedHashMap<>(aggregates.size() * 4 / 3 + 1);
        for (int i = 0; i < aggregates.size(); i++) {
            WindowAggregate a = aggregates.get(i);
            Optional<String> problem = ItemMapper.problem(a);
            if (problem.isPresent()) {
                return CompletableFuture.failedFuture(new StoreException(Kind.INVALID_REQUEST,
                        "aggregate #" + i + " (metric '" + ItemMapper.abbreviate(a.series().name()) + "', window "
                                + a.windowStartEpochSecond() + ") cannot be stored in DynamoDB: " + problem.get()
                                + "; nothing was written"));
            }
            Map<String, AttributeValue> item = mapper.toItem(a, expiry.apply(a.windowStartEpochSecond()));
            unique.put(ItemMapper.keyOf(item), WriteRequest.builder().putRequest(PutRequest.builder().item(item).build())
                    .build());
        }
        for (Map<String, AttributeValue> item : indexItems) {
            unique.put(ItemMapper.keyOf(item), WriteRequest.builder().putRequest(PutRequest.builder().item(item).build())
                    .build());
        }
        if (unique.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<WriteRequest> all = new ArrayList<>(unique.values());
        int chunkCount = (all.size() + MAX_ITEMS_PER_BATCH - 1) / MAX_ITEMS_PER_BATCH;
        Operation op = new Operation(all.size(), chunkCount);
        for (int start = 0; start < all.size(); start += MAX_ITEMS_PER_BATCH) {
            List<WriteRequest> chunk = all.subList(start, Math.min(all.size(), start + MAX_ITEMS_PER_BATCH));
            permits.submit(() -> op.runChunk(chunk));
        }
        return op.result;
    }

    /** The state of one write: its result, its deadline and how far it got. */
    private final class Operation {
        final CompletableFuture<Void> result = new CompletableFuture<>();
        final int itemCount;
        final long deadlineNanos = System.nanoTime() + operationTimeoutNanos;
        final AtomicInteger chunksLeft;
        final AtomicLong confirmed = new AtomicLong();
        final ScheduledFuture<?> watchdog;

        Operation(int itemCount, int chunkCount) {
            this.itemCount = itemCount;
            this.chunksLeft = new AtomicInteger(chunkCount);
            ScheduledFuture<?> w;
            try {
                w = scheduler.schedule(() -> fail(Kind.TIMEOUT, "it did not finish within the operation timeout of "
                        + TimeUnit.NANOSECONDS.toMillis(operationTimeoutNanos) + " ms", null),
                        operationTimeoutNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                w = null;
                fail(Kind.CLOSED, "the store is closed", e);
            }
            watchdog = w;
            result.whenComplete((v, e) -> {
                if (watchdog != null) {
                    watchdog.cancel(false);
                }
            });
        }

        CompletableFuture<Void> runChunk(List<WriteRequest> chunk) {
            CompletableFuture<Void> chunkDone = new CompletableFuture<>();
            send(chunk, 0, 0, chunkDone);
            return chunkDone;
        }

        private void send(List<WriteRequest> pending, int retries, int fruitless, CompletableFuture<Void> chunkDone) {
            if (result.isDone()) {
                // The write already failed (or timed out): sending more would only cost capacity.
                chunkDone.complete(null);
                return;
            }
            BatchWriteItemRequest request = BatchWriteItemRequest.builder()
                    .requestItems(Map.of(tableName, pending))
                    .build();
            CompletableFuture<BatchWriteItemResponse> call;
            try {
                call = retrier.guarded(client.batchWriteItem(request));
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((response, error) -> {
                if (error != null) {
                    StoreException se = errors.map("BatchWriteItem", error);
                    if (!se.isRetryable() || closed.getAsBoolean()) {
                        fail(se, chunkDone);
                    } else {
                        retryOrFail(pending, retries, fruitless + 1, se, chunkDone);
                    }
                    return;
                }
                List<WriteRequest> left = response.hasUnprocessedItems()
                        ? response.unprocessedItems().getOrDefault(tableName, List.of()) : List.of();
                confirmed.addAndGet(pending.size() - left.size());
                if (left.isEmpty()) {
                    chunkDone.complete(null);
                    if (chunksLeft.decrementAndGet() == 0) {
                        result.complete(null);
                    }
                    return;
                }
                int nextFruitless = left.size() < pending.size() ? 0 : fruitless + 1;
                retryOrFail(left, retries, nextFruitless, new StoreException(Kind.THROTTLED, "DynamoDB returned "
                        + left.size() + " of " + pending.size() + " items as UnprocessedItems (the table is over its "
                        + "capacity)"), chunkDone);
            });
        }

        private void retryOrFail(List<WriteRequest> pending, int retries, int fruitless, StoreException cause,
                                 CompletableFuture<Void> chunkDone) {
            if (fruitless >= retrier.maxAttempts()) {
                fail(new StoreException(cause.kind(), cause.getMessage() + " (gave up after " + fruitless
                        + " attempts in a row stored nothing)", cause.getCause()), chunkDone);
                return;
            }
            long delay = retrier.delayNanos(retries);
            if (System.nanoTime() + delay - deadlineNanos > 0) {
                fail(new StoreException(Kind.TIMEOUT, cause.getMessage()
                        + " (no time left for another attempt within the operation timeout)", cause.getCause()), chunkDone);
                return;
            }
            try {
                retrier.schedule(() -> send(pending, retries + 1, fruitless, chunkDone), delay);
            } catch (RejectedExecutionException e) {
                fail(new StoreException(Kind.CLOSED, "the DynamoDB store was closed during a write", cause), chunkDone);
            }
        }

        private void fail(StoreException cause, CompletableFuture<Void> chunkDone) {
            fail(closed.getAsBoolean() ? Kind.CLOSED : cause.kind(), cause.getMessage(), cause);
            chunkDone.complete(null);
        }

        private void fail(Kind kind, String reason, Throwable cause) {
            if (result.isDone()) {
                return;
            }
            long ok = confirmed.get();
            result.completeExceptionally(new StoreException(kind, "DynamoDB write of " + itemCount
                    + " aggregates to table '" + tableName + "' failed, " + ok + " stored and " + (itemCount - ok)
                    + " not confirmed (write them again; rewriting is harmless): " + reason, cause));
        }
    }
}
