package dev.metricsservice.store.sqlite;

import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.storetest.MetricStoreContractTest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The whole store contract, against a fresh database file per test. */
class SqliteMetricStoreContractTest extends MetricStoreContractTest {

    @TempDir
    Path dir;

    @Override
    protected MetricStore newStore() {
        return SqliteMetricStore.open(dir.resolve("contract.db"));
    }

    @Override
    protected MetricStore newStoreWithRetention(Duration retention) {
        return SqliteMetricStore.open(SqliteStoreConfig.builder().path(dir.resolve("retention.db")).retention(retention)
                .build());
    }
}
