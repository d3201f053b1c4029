package dev.metricsservice.http;

import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A store that forwards everything; tests override the call whose failure or delay they need. */
class DelegatingStore implements MetricStore {
    private final MetricStore delegate;

    DelegatingStore(MetricStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<Void> write(List<WindowAggregate> aggregates) {
        return delegate.write(aggregates);
    }

    @Override
    public CompletableFuture<List<WindowStats>> query(MetricQuery query) {
        return delegate.query(query);
    }

    @Override
    public CompletableFuture<Void> checkReady() {
        return delegate.checkReady();
    }

    @Override
    public String describe() {
        return "delegating " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
