package dev.metricsservice.core.storetest;

import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.InMemoryMetricStore;

import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.store.SeriesListQuery;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A store that forwards every call to another one; a test overrides the call whose failure or
 * delay it needs. Published in the test-jar.
 *
 * <pre>{@code
 * MetricStore down = new ForwardingMetricStore(new InMemoryMetricStore()) {
 *     @Override public CompletableFuture<Void> write(List<WindowAggregate> batch) {
 *         return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.UNAVAILABLE, "down"));
 *     }
 * };
 * }</pre>
 */
public class ForwardingMetricStore implements MetricStore {

    private final MetricStore delegate;

    public ForwardingMetricStore(MetricStore delegate) {
        this.delegate = delegate;
    }

    /** The store calls are forwarded to. */
    public MetricStore delegate() {
        return delegate;
    }

    @Override
    public CompletableFuture<Void> write(List<WindowAggregate> aggregates) {
        return delegate.write(aggregates);
    }

    @Override
    public CompletableFuture<List<SeriesWindow>> query(MetricQuery query) {
        return delegate.query(query);
    }

    @Override
    public CompletableFuture<List<SeriesInfo>> listSeries(SeriesListQuery query) {
        return delegate.listSeries(query);
    }

    @Override
    public CompletableFuture<Void> checkReady() {
        return delegate.checkReady();
    }

    @Override
    public String describe() {
        return "forwarding to " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
