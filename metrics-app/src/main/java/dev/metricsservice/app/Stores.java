package dev.metricsservice.app;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.store.dynamodb.DynamoDbMetricStore;
import dev.metricsservice.store.dynamodb.DynamoDbStoreConfig;
import dev.metricsservice.store.sqlite.SqliteMetricStore;
import dev.metricsservice.store.sqlite.SqliteStoreConfig;
import java.util.concurrent.TimeUnit;

/** Opens the store the configuration names. */
final class Stores {

    private Stores() {
    }

    /**
     * Opens (and for DynamoDB, creates the table of) the configured store.
     *
     * @throws dev.metricsservice.core.store.StoreException with a message saying what to fix
     */
    static MetricStore open(AppConfig config) throws Exception {
        return open(config, config.store() == AppConfig.StoreKind.DYNAMODB ? region(config) : null);
    }

    /**
     * {@link #open(AppConfig)} with the DynamoDB region already resolved (null for the other
     * stores): the chain may ask the instance metadata service, so a process resolves it once.
     */
    static MetricStore open(AppConfig config, dev.metricsservice.store.dynamodb.RegionResolver.Resolved region)
            throws Exception {
        return switch (config.store()) {
            case MEMORY -> new InMemoryMetricStore(config.retention());
            case SQLITE -> SqliteMetricStore.open(SqliteStoreConfig.builder().path(config.sqlitePath())
                    .retention(config.retention())
                    .synchronous(config.sqliteSynchronous())
                    .busyTimeout(config.sqliteBusyTimeout())
                    .readConnections(config.sqliteReadConnections())
                    .closeTimeout(config.tuning().sqliteCloseTimeout())
                    .build());
            case DYNAMODB -> {
                DynamoDbStoreConfig.Builder b = DynamoDbStoreConfig.builder()
                        .region(region.region())
                        .tableName(config.table())
                        .consistentReads(config.dynamodbConsistentReads())
                        .callTimeout(config.dynamodbCallTimeout())
                        .maxAttempts(config.dynamodbMaxAttempts())
                        .maxInFlightBatches(config.dynamodbMaxInFlight())
                        .autoCreateTable(config.tuning().dynamodbCreateTable())
                        .operationTimeout(config.tuning().dynamodbOperationTimeout())
                        .retryBaseDelay(config.tuning().dynamodbRetryBaseDelay())
                        .retryMaxDelay(config.tuning().dynamodbRetryMaxDelay())
                        .tableReadyTimeout(config.tuning().dynamodbTableReadyTimeout());
                if (config.dynamodbEndpoint() != null) {
                    b.endpointOverride(config.dynamodbEndpoint());
                }
                if (!config.retention().isZero()) {
                    // Items carry their expiry; TTL is enabled on the table where the server can.
                    b.ttl(config.dynamodbTtlAttribute(), config.retention());
                }
                try {
                    yield DynamoDbMetricStore.open(b.build()).get(2, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw dev.metricsservice.core.store.StoreException.of(e);
                }
            }
        };
    }

    /**
     * The AWS region the DynamoDB store uses and where it came from: {@code --region} (or its
     * variable), else the AWS chain over this process's environment and properties.
     *
     * @throws dev.metricsservice.store.dynamodb.RegionResolver.NoRegionException saying how to set one
     */
    static dev.metricsservice.store.dynamodb.RegionResolver.Resolved region(AppConfig config) {
        return dev.metricsservice.store.dynamodb.RegionResolver.resolve(config.region(), config.regionSource(),
                config.dynamodbEndpoint(), System.getenv(), System.getProperties());
    }

    /** True when a second, independent connection to the same data can be opened after close. */
    static boolean durable(AppConfig config) {
        return config.store() != AppConfig.StoreKind.MEMORY;
    }
}
