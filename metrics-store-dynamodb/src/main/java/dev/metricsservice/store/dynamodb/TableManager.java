package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * Makes sure the table exists with the expected key schema: DescribeTable, CreateTable (on-demand
 * billing) when it is missing and auto-create is on, then a short poll until ACTIVE within an
 * overall timeout. Optionally enables TTL, tolerating servers that cannot.
 *
 * <p>Thread-safe; every step is asynchronous.
 */
final class TableManager {

    private static final Logger LOG = LoggerFactory.getLogger(TableManager.class);
    static final String EXPECTED_SCHEMA = ItemMapper.PARTITION_KEY + " HASH (S), " + ItemMapper.SORT_KEY + " RANGE (S)";

    private final DynamoDbAsyncClient client;
    private final DynamoDbStoreConfig config;
    private final ErrorMapper errors;
    private final Retrier retrier;

    TableManager(DynamoDbAsyncClient client, DynamoDbStoreConfig config, ErrorMapper errors, Retrier retrier) {
        this.client = client;
        this.config = config;
        this.errors = errors;
        this.retrier = retrier;
    }

    /** Completes when the table is ACTIVE and compatible; fails with a {@link StoreException} saying why not. */
    CompletableFuture<Void> ensureTable() {
        long deadline = System.nanoTime() + config.tableReadyTimeout().toNanos();
        return describe(deadline).thenCompose(table -> {
            if (table != null) {
                return waitUntilActive(table, deadline);
            }
            if (!config.autoCreateTable()) {
                return CompletableFuture.failedFuture(new StoreException(Kind.MISCONFIGURED, "DynamoDB table '"
                        + config.tableName() + "' does not exist and autoCreateTable is off; create it with key schema "
                        + EXPECTED_SCHEMA + " or turn autoCreateTable on"));
            }
            return create(deadline).thenCompose(created -> describe(deadline))
                    .thenCompose(described -> waitUntilActive(described, deadline));
        }).thenCompose(ignored -> enableTtl());
    }

    /** The table's description, or null when it does not exist. */
    CompletableFuture<TableDescription> describe(long deadline) {
        return retrier.call("DescribeTable", () -> client.describeTable(b -> b.tableName(config.tableName()))
                        .thenApply(r -> r.table()), errors, deadline)
                .handle((table, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(table);
                    }
                    StoreException se = StoreException.of(error);
                    if (isNotFound(se)) {
                        return CompletableFuture.<TableDescription>completedFuture(null);
                    }
                    return CompletableFuture.<TableDescription>failedFuture(se);
                }).thenCompose(f -> f);
    }

    private static boolean isNotFound(StoreException se) {
        return se.getCause() instanceof software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
    }

    private CompletableFuture<Void> create(long deadline) {
        CreateTableRequest request = CreateTableRequest.builder()
                .tableName(config.tableName())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName(ItemMapper.PARTITION_KEY).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(ItemMapper.SORT_KEY).keyType(KeyType.RANGE).build())
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(ItemMapper.PARTITION_KEY)
                                .attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(ItemMapper.SORT_KEY)
                                .attributeType(ScalarAttributeType.S).build())
                .build();
        LOG.info("Creating DynamoDB table '{}' ({}, on-demand billing)", config.tableName(), EXPECTED_SCHEMA);
        return retrier.call("CreateTable", () -> client.createTable(request).<Void>thenApply(r -> null), errors, deadline)
                .exceptionally(error -> {
                    StoreException se = StoreException.of(error);
                    if (se.getCause() instanceof software.amazon.awssdk.services.dynamodb.model.ResourceInUseException) {
                        // Another instance created it at the same moment: wait for it like for our own.
                        return null;
                    }
                    throw se;
                });
    }

    private CompletableFuture<Void> waitUntilActive(TableDescription table, long deadline) {
        if (table == null) {
            return CompletableFuture.failedFuture(new StoreException(Kind.MISCONFIGURED, "DynamoDB table '"
                    + config.tableName() + "' disappeared right after it was created; is another process deleting it?"));
        }
        String problem = schemaProblem(table);
        if (problem != null) {
            return CompletableFuture.failedFuture(new StoreException(Kind.MISCONFIGURED, problem));
        }
        TableStatus status = table.tableStatus();
        if (status == TableStatus.ACTIVE || status == TableStatus.UPDATING) {
            return CompletableFuture.completedFuture(null);
        }
        if (status == TableStatus.DELETING || status == TableStatus.ARCHIVING || status == TableStatus.ARCHIVED
                || status == TableStatus.INACCESSIBLE_ENCRYPTION_CREDENTIALS) {
            return CompletableFuture.failedFuture(new StoreException(Kind.MISCONFIGURED, "DynamoDB table '"
                    + config.tableName() + "' cannot be used: its status is " + table.tableStatusAsString()));
        }
        long pollNanos = config.tablePollInterval().toNanos();
        if (System.nanoTime() + pollNanos - deadline > 0) {
            return CompletableFuture.failedFuture(new StoreException(Kind.TIMEOUT, "DynamoDB table '"
                    + config.tableName() + "' was still " + table.tableStatusAsString() + " after "
                    + config.tableReadyTimeout().toMillis() + " ms (tableReadyTimeout)"));
        }
        CompletableFuture<TableDescription> next = new CompletableFuture<>();
        try {
            retrier.schedule(() -> describe(deadline).whenComplete((t, e) -> {
                if (e != null) {
                    next.completeExceptionally(e);
                } else {
                    next.complete(t);
                }
            }), pollNanos);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreException(Kind.CLOSED, "the store was closed", e));
        }
        return next.thenCompose(t -> waitUntilActive(t, deadline));
    }

    /** Null when the table's key schema is the one this store writes, else a message saying what differs. */
    String schemaProblem(TableDescription table) {
        String actual = describeSchema(table);
        if (actual.equals(EXPECTED_SCHEMA)) {
            return null;
        }
        String hint = actual.contains("timestamp RANGE")
                ? " It looks like a table of the older seed service (one item per metric and flush second)."
                : "";
        return "DynamoDB table '" + config.tableName() + "' exists with key schema " + actual + ", but this store needs "
                + EXPECTED_SCHEMA + "." + hint + " Use another table name (tableName) or delete that table.";
    }

    static String describeSchema(TableDescription table) {
        List<KeySchemaElement> keys = table.keySchema();
        return keys.stream()
                .sorted((a, b) -> a.keyTypeAsString().compareTo(b.keyTypeAsString()))
                .map(k -> k.attributeName() + " " + k.keyTypeAsString() + " (" + table.attributeDefinitions().stream()
                        .filter(d -> d.attributeName().equals(k.attributeName()))
                        .map(AttributeDefinition::attributeTypeAsString)
                        .findFirst().orElse("?") + ")")
                .collect(Collectors.joining(", "));
    }

    /**
     * Turns TTL on for the configured attribute. Optional: a failure (no permission, a server
     * without TTL such as dynalite) is logged and start-up goes on; items still carry the attribute.
     */
    private CompletableFuture<Void> enableTtl() {
        String attribute = config.ttlAttribute();
        if (attribute == null) {
            return CompletableFuture.completedFuture(null);
        }
        return client.describeTimeToLive(b -> b.tableName(config.tableName()))
                .thenCompose(d -> {
                    var ttl = d.timeToLiveDescription();
                    if (ttl != null && attribute.equals(ttl.attributeName())
                            && (ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLED
                            || ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLING)) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return client.updateTimeToLive(b -> b.tableName(config.tableName())
                            .timeToLiveSpecification(s -> s.attributeName(attribute).enabled(true)))
                            .<Void>thenApply(r -> {
                                LOG.info("Enabled TTL on attribute '{}' of DynamoDB table '{}'", attribute,
                                        config.tableName());
                                return null;
                            });
                })
                .orTimeout(config.callTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)
                .exceptionally(error -> {
                    LOG.warn("Could not enable TTL on attribute '{}' of DynamoDB table '{}' ({}); items carry the "
                                    + "expiry attribute, queries skip expired items, but the server will not delete them",
                            attribute, config.tableName(), errors.map("UpdateTimeToLive", error).getMessage());
                    return null;
                });
    }
}
