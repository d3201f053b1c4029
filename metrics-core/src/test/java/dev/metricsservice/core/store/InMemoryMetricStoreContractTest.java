package dev.metricsservice.core.store;

import dev.metricsservice.core.storetest.MetricStoreContractTest;
import java.time.Duration;

class InMemoryMetricStoreContractTest extends MetricStoreContractTest {

    @Override
    protected MetricStore newStore() {
        return new InMemoryMetricStore();
    }

    @Override
    protected MetricStore newStoreWithRetention(Duration retention) {
        return new InMemoryMetricStore(retention);
    }
}
