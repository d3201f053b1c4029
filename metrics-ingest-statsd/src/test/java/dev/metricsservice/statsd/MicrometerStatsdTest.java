package dev.metricsservice.statsd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.storetest.Totals;
import dev.metricsservice.core.store.InMemoryMetricStore;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Micrometer's own StatsD registry, unchanged, sending to the real listener: counters, gauges,
 * timers and distribution summaries with tags arrive with exact counts and sums.
 */
class MicrometerStatsdTest {

    private final Aggregator aggregator = Aggregator.builder().clock(MetricClock.system()).build();
    private final InMemoryMetricStore store = new InMemoryMetricStore();
    private StatsdServer server;
    private StatsdMeterRegistry registry;

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Stats total(SeriesKey key) throws Exception {
        return Totals.of(aggregator, store, key);
    }

    @ParameterizedTest
    @EnumSource(value = StatsdFlavor.class, names = {"ETSY", "DATADOG"})
    void micrometer_flavor_countsArriveExactly(StatsdFlavor flavor) throws Exception {
        server = StatsdServer.start(aggregator, null, StatsdConfig.defaults().withAddress("127.0.0.1", 0));
        int port = server.localAddress().getPort();
        io.micrometer.statsd.StatsdConfig config = new io.micrometer.statsd.StatsdConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public StatsdFlavor flavor() {
                return flavor;
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public Duration pollingFrequency() {
                return Duration.ofMillis(100);
            }

            @Override
            public boolean buffered() {
                return true; // several lines per datagram
            }
        };
        registry = new StatsdMeterRegistry(config, Clock.SYSTEM);
        boolean etsy = flavor == StatsdFlavor.ETSY;
        Tags eu = Tags.of("region", "eu");
        // The names each flavour sends (Micrometer's conventions: the etsy flavour folds tags and
        // the statistic into the name and camel-cases it; the datadog one sends tags).
        SeriesKey ordersKey = etsy ? SeriesKey.of("orders.region.eu.statistic.count")
                : SeriesKey.of("orders", eu.and("statistic", "count"));
        SeriesKey latencyKey = etsy ? SeriesKey.of("checkoutLatency.region.eu") : SeriesKey.of("checkout.latency", eu);
        SeriesKey sizesKey = etsy ? SeriesKey.of("payloadSize.region.eu") : SeriesKey.of("payload.size", eu);
        SeriesKey depthKey = etsy ? SeriesKey.of("queueDepth.region.eu.statistic.value")
                : SeriesKey.of("queue.depth", eu.and("statistic", "value"));
        SeriesKey readyKey = etsy ? SeriesKey.of("ready.statistic.count") : SeriesKey.of("ready", Tags.of("statistic", "count"));
        // Micrometer connects its UDP client in the background and drops what is recorded before;
        // wait until a probe arrives, then record what is checked.
        Counter ready = Counter.builder("ready").register(registry);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (total(readyKey).sum() == 0 && System.nanoTime() < deadline) {
            ready.increment();
            Thread.sleep(50);
        }
        assertThat(total(readyKey).sum()).as("the registry's client is connected").isPositive();
        Counter orders = Counter.builder("orders").tag("region", "eu").register(registry);
        Timer latency = Timer.builder("checkout.latency").tag("region", "eu").register(registry);
        DistributionSummary sizes = DistributionSummary.builder("payload.size").tag("region", "eu").register(registry);
        AtomicInteger depth = registry.gauge("queue.depth", io.micrometer.core.instrument.Tags.of("region", "eu"),
                new AtomicInteger(0));
        for (int i = 1; i <= 500; i++) {
            orders.increment();
            latency.record(i, TimeUnit.MILLISECONDS);
            sizes.record(i * 2);
            if (i % 5 == 0) {
                // Micrometer's sink is bounded and drops lines on overflow: keep the burst within
                // what an application emits, not 1,500 lines in a millisecond.
                Thread.sleep(2);
            }
        }
        depth.set(42);
        // The registry sends on its own schedule; wait until everything has arrived.
        while (System.nanoTime() < deadline && (total(ordersKey).sum() < 500 || total(latencyKey).count() < 500
                || total(sizesKey).count() < 500 || total(depthKey).last() != 42.0)) {
            Thread.sleep(50);
        }
        assertThat(total(ordersKey).sum()).as("counter increments").isEqualTo(500.0);
        assertThat(aggregator.typeOf(ordersKey.name())).contains(MetricType.COUNTER);
        Stats timer = total(latencyKey);
        assertThat(timer.count()).as("timer samples").isEqualTo(500);
        assertThat(timer.sum()).as("timer total ms").isEqualTo(125_250.0);
        assertThat(aggregator.typeOf(latencyKey.name())).contains(MetricType.DISTRIBUTION);
        Stats summary = total(sizesKey);
        assertThat(summary.count()).isEqualTo(500);
        assertThat(summary.sum()).isEqualTo(250_500.0);
        assertThat(total(depthKey).last()).isEqualTo(42.0);
        assertThat(server.counters().get("dropped_malformed")).isZero();
        assertThat(server.counters().get("dropped_unknown_section")).isZero();
    }
}
