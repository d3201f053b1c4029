package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.testsupport.NettyLeakCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One client address holding many half-sent requests must not lock others out: sockets from
 * 127.0.0.2 fill its own share, probes from 127.0.0.1 are still answered. Real sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionFairnessTest {

    private static final String HALF_HEAD = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
    private final List<RawClient> clients = new ArrayList<>();
    private MetricsHttpServer server;

    @AfterEach
    void stop() throws Exception {
        for (RawClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    private InetSocketAddress start(HttpServerConfig config) {
        server = TestServers.start(TestServers.aggregator(), new InMemoryMetricStore(), config);
        return server.localAddress();
    }

    /** Opens {@code n} connections from {@code from}, each sending half a request head. */
    private void holdHalfHeads(InetSocketAddress a, InetAddress from, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            RawClient c = new RawClient(a, from, 5000);
            clients.add(c);
            try {
                c.send(HALF_HEAD);
            } catch (java.io.IOException refusedAndClosed) {
                // a refused connection may be closed before the bytes go out
            }
        }
    }

    private static RawClient.Response health(InetSocketAddress a, String path) throws Exception {
        try (RawClient c = new RawClient(a, InetAddress.getByName("127.0.0.1"), 5000)) {
            return c.send(RawClient.get(path)).read();
        }
    }

    @Test
    void perAddressLimit_oneAddressAtItsLimit_othersStillServed() throws Exception {
        InetSocketAddress a = start(TestServers.config().maxConnections(60).maxConnectionsPerAddress(20)
                .headerReadTimeout(Duration.ofSeconds(30)).requestReadTimeout(Duration.ofSeconds(30)).build());
        InetAddress greedy = InetAddress.getByName("127.0.0.2");
        holdHalfHeads(a, greedy, 50);

        assertThat(health(a, "/health").status()).isEqualTo(200);
        assertThat(health(a, "/ready").status()).isEqualTo(200);
        // The greedy address's 21st and later connections were answered and closed.
        RawClient extra = new RawClient(a, greedy, 5000);
        clients.add(extra);
        RawClient.Response refused = extra.read();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).contains("too_many_connections_from_address").contains("20 connections");
        assertThat(refused.header("retry-after")).isNotNull();
        assertThat(server.counters().refusedPerAddress()).isEqualTo(31);
        assertThat(server.counters().refusedConnections()).isZero();
    }

    @Test
    void perAddressLimit_asHighAsTheServerLimit_lockedOthersOut() throws Exception {
        // What the per-address limit prevents: with it as high as the server's limit, one address
        // takes every connection and a probe from another address is refused.
        InetSocketAddress a = start(TestServers.config().maxConnections(30).maxConnectionsPerAddress(30)
                .headerReadTimeout(Duration.ofSeconds(30)).requestReadTimeout(Duration.ofSeconds(30)).build());
        holdHalfHeads(a, InetAddress.getByName("127.0.0.2"), 30);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.counters().openConnections() < 30 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        RawClient.Response probe = health(a, "/health");
        assertThat(probe.status()).isEqualTo(503);
        assertThat(probe.body()).contains("\"too_many_connections\"");
    }

    @Test
    void headerTimeout_halfAHead_gets408LongBeforeTheBodyTimeout() throws Exception {
        InetSocketAddress a = start(TestServers.config().headerReadTimeout(Duration.ofMillis(300))
                .requestReadTimeout(Duration.ofSeconds(20)).idleTimeout(Duration.ofSeconds(20)).build());
        // The socket's 10 s read timeout is below the 20 s body clock: only the header clock can answer in time.
        try (RawClient c = new RawClient(a, 10_000)) {
            c.send(HALF_HEAD);
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.body()).contains("header_timeout");
            assertThat(c.closedByServer()).isTrue();
        }
        // A whole head with a slow body is judged by the body clock: still open after the header timeout.
        try (RawClient c = new RawClient(a, 1500)) {
            c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n[");
            Thread.sleep(900);
            c.send("{\"name\":\"a\",\"value\":1}]      ");
            assertThat(c.read().status()).isEqualTo(202);
        }
    }
}
