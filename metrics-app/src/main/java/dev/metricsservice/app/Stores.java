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

    /** The DynamoDB attribute holding an item's expiry (epoch seconds) under {@code --retention}. */
    static final String TTL_ATTRIBUTE = "expires_at";

    /**
     * Opens (and for DynamoDB, creates the table of) the configured store.
     *
     * @throws dev.metricsservice.core.store.StoreException with a message saying what to fix
     */
    static MetricStore open(AppConfig config) throws Exception {
        return switch (config.store()) {
            case MEMORY -> new InMemoryMetricStore(config.retention());
            case SQLITE -> SqliteMetricStore.open(SqliteStoreConfig.builder().path(config.sqlitePath())
                    .retention(config.retention()).build());
            case DYNAMODB -> {
                DynamoDbStoreConfig.Builder b = DynamoDbStoreConfig.builder()
                        .region(config.region())
                        .tableName(config.table());
                if (config.dynamodbEndpoint() != null) {
                    b.endpointOverride(config.dynamodbEndpoint());
                }
                if (!config.retention().isZero()) {
                    // Items carry their expiry; TTL is enabled on the table where the server can.
                    b.ttl(TTL_ATTRIBUTE, config.retention());
                }
                try {
                    yield DynamoDbMetricStore.open(b.build()).get(2, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw dev.metricsservice.core.store.StoreException.of(e);
                }
            }
        };
    }

    /** True when a second, independent connection to the same data can be opened after close. */
    static boolean durable(AppConfig config) {
        return config.store() != AppConfig.StoreKind.MEMORY;
    }
}
