package dev.metricsservice.http;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricStore;
import java.time.Duration;

/** Starts servers on a free port of 127.0.0.1 for tests. */
final class TestServers {

    private TestServers() {
    }

    static HttpServerConfig.Builder config() {
        return HttpServerConfig.builder().bindHost("127.0.0.1").port(0).ioThreads(2)
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    static Aggregator aggregator() {
        return Aggregator.builder().clock(MetricClock.system()).build();
    }

    static MetricsHttpServer start(Aggregator aggregator, MetricStore store, HttpServerConfig config) {
        return MetricsHttpServer.start(aggregator, store, config, ServerInstrumentation.NONE);
    }

    static MetricsHttpServer start(Aggregator aggregator) {
        return start(aggregator, new InMemoryMetricStore(), config().build());
    }
}
