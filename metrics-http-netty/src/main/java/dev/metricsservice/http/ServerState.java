package dev.metricsservice.http;

import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.store.MetricStore;
import io.netty.channel.group.ChannelGroup;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What every connection of one server shares: the API's collaborators, limits and counters. Thread-safe. */
final class ServerState {

    final Aggregator aggregator;
    final MetricStore store;
    final HttpServerConfig config;
    final ServerInstrumentation instrumentation;
    final ChannelGroup channels;
    /** Runs work that may take a lock (aggregator stats), so that event loops never wait. */
    final Executor offLoop;
    final String transport;

    final AtomicInteger openConnections = new AtomicInteger();
    final LongAdder acceptedConnections = new LongAdder();
    final LongAdder refusedConnections = new LongAdder();
    final AddressLimits addressLimits;
    /**
     * Requests whose response is not yet written; graceful shutdown waits for zero. An adder, not
     * an atomic, because every request changes it twice from every event loop and only shutdown
     * reads it.
     */
    final LongAdder inFlight = new LongAdder();
    private final LongAdder[] byStatus = new LongAdder[600];
    volatile boolean shuttingDown;
    /** The durable log batches go through before they are acknowledged; null when there is none. */
    final DurableIngest durable;

    ServerState(Aggregator aggregator, MetricStore store, HttpServerConfig config,
                ServerInstrumentation instrumentation, ChannelGroup channels, Executor offLoop, String transport,
                DurableIngest durable) {
        this.durable = durable;
        this.aggregator = aggregator;
        this.store = store;
        this.config = config;
        this.addressLimits = new AddressLimits(config.maxConnectionsPerAddress());
        this.instrumentation = instrumentation;
        this.channels = channels;
        this.offLoop = offLoop;
        this.transport = transport;
        for (int i = 0; i < byStatus.length; i++) {
            byStatus[i] = new LongAdder();
        }
    }

    /** Answers by route and status: index route.ordinal() * 600 + status. */
    private final LongAdder[] byRouteStatus = new LongAdder[Route.values().length * 600];

    void countStatus(Route route, int status) {
        countStatus(status);
        if (status >= 0 && status < 600) {
            int i = route.ordinal() * 600 + status;
            LongAdder a = byRouteStatus[i];
            if (a == null) {
                synchronized (byRouteStatus) {
                    a = byRouteStatus[i];
                    if (a == null) {
                        a = new LongAdder();
                        byRouteStatus[i] = a;
                    }
                }
            }
            a.increment();
        }
    }

    /** {route template, status, count} for every pair answered at least once. */
    java.util.List<Object[]> answersByRouteAndStatus() {
        java.util.List<Object[]> out = new java.util.ArrayList<>();
        Route[] routes = Route.values();
        synchronized (byRouteStatus) {
            for (int i = 0; i < byRouteStatus.length; i++) {
                if (byRouteStatus[i] != null) {
                    out.add(new Object[] {routes[i / 600].template, i % 600, byRouteStatus[i].sum()});
                }
            }
        }
        return out;
    }

    void countStatus(int status) {
        if (status >= 0 && status < byStatus.length) {
            byStatus[status].increment();
        }
    }

    ServerCounters counters() {
        Map<Integer, Long> statuses = new TreeMap<>();
        for (int i = 0; i < byStatus.length; i++) {
            long n = byStatus[i].sum();
            if (n != 0) {
                statuses.put(i, n);
            }
        }
        return new ServerCounters(transport, openConnections.get(), acceptedConnections.sum(),
                refusedConnections.sum(), addressLimits.refused(), statuses);
    }
}
