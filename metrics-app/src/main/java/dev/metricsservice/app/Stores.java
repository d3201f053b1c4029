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
        return switch (config.store()) {
            case MEMORY -> new InMemoryMetricStore();
            case SQLITE -> SqliteMetricStore.open(SqliteStoreConfig.at(config.sqlitePath()));
            case DYNAMODB -> {
                DynamoDbStoreConfig.Builder b = DynamoDbStoreConfig.builder()
                        .region(config.region())
                        .tableName(config.table());
                if (config.dynamodbEndpoint() != null) {
                    b.endpointOverride(config.dynamodbEndpoint());
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
