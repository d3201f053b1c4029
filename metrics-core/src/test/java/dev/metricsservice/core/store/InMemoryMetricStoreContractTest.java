package dev.metricsservice.core.store;

class InMemoryMetricStoreContractTest extends MetricStoreContractTest {

    @Override
    protected MetricStore newStore() {
        return new InMemoryMetricStore();
    }
}
