package dev.metricsservice.core.store;

import dev.metricsservice.core.storetest.MetricStoreContractTest;

class InMemoryMetricStoreContractTest extends MetricStoreContractTest {

    @Override
    protected MetricStore newStore() {
        return new InMemoryMetricStore();
    }
}
