package dev.metricsservice.statsd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.storetest.Totals;
import dev.metricsservice.core.store.InMemoryMetricStore;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real datagrams to a real listener on 127.0.0.1. */
class StatsdServerTest {

    private final Aggregator aggregator = Aggregator.builder().clock(MetricClock.system()).build();
    private final InMemoryMetricStore store = new InMemoryMetricStore();
    private StatsdServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void send(String datagram) throws Exception {
        byte[] b = datagram.getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket s = new DatagramSocket()) {
            s.send(new DatagramPacket(b, b.length, server.localAddress()));
        }
    }

    private void awaitDatagrams(long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.counters().get("datagrams") < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(server.counters().get("datagrams")).isEqualTo(n);
    }

    private Stats total(SeriesKey key) throws Exception {
        return Totals.of(aggregator, store, key);
    }

    @Test
    void datagram_manyLines_goodOnesRecordedBadOnesCountedByReason() throws Exception {
        server = StatsdServer.start(aggregator, null, StatsdConfig.defaults().withAddress("127.0.0.1", 0));
        aggregator.counter("typed", Tags.empty()); // makes 'typed' a counter
        send("hits:1|c|#route:/a\nhits:2|c|#route:/a\nhits:5|c|@0.5|#route:/b\n"
                + "lat:10:20:30|ms\n"
                + "queue:10|g\nqueue:+5|g\nqueue:-3|g\n"
                + "broken line\nhits:x|c\n_e{1,1}:a|b\n"
                + "typed:4|g\n"            // refused: 'typed' is a counter
                + "hits:1|c|#route:/a\r\n");
        awaitDatagrams(1);
        assertThat(total(SeriesKey.of("hits", Tags.of("route", "/a")))).satisfies(s -> {
            assertThat(s.count()).isEqualTo(3);
            assertThat(s.sum()).isEqualTo(4.0);
        });
        assertThat(total(SeriesKey.of("hits", Tags.of("route", "/b"))).sum()).isEqualTo(10.0);
        assertThat(total(SeriesKey.of("lat")).count()).isEqualTo(3);
        assertThat(total(SeriesKey.of("lat")).sum()).isEqualTo(60.0);
        assertThat(total(SeriesKey.of("queue")).last()).isEqualTo(12.0);
        assertThat(total(SeriesKey.of("typed")).count()).isZero();
        var c = server.counters();
        assertThat(c.get("lines_accepted")).isEqualTo(6);
        assertThat(c.get("gauge_lines_coalesced")).isEqualTo(2); // queue:10 and +5, superseded by -3
        assertThat(c.get("dropped_malformed")).isEqualTo(1);
        assertThat(c.get("dropped_bad_value")).isEqualTo(1);
        assertThat(c.get("dropped_event")).isEqualTo(1);
        assertThat(c.get("refused_type_conflict")).isEqualTo(1);
    }

    @Test
    void datagram_sets_countDistinctMembersAcrossDatagrams() throws Exception {
        server = StatsdServer.start(aggregator, null, StatsdConfig.defaults().withAddress("127.0.0.1", 0));
        send("users:alice|s|#app:web\nusers:bob|s|#app:web\nusers:alice|s|#app:web\nusers:42|s|#app:web");
        send("users:bob|s|#app:web\nusers:carol|s|#app:web|@0.1\nusers:42.0|s|#app:web");
        awaitDatagrams(2);
        Stats users = total(SeriesKey.of("users", Tags.of("app", "web")));
        assertThat(users.count()).isEqualTo(7);
        assertThat(users.distinctEstimate()).isEqualTo(4); // alice, bob, carol, 42
        assertThat(server.counters().get("lines_accepted")).isEqualTo(7);
    }

    @Test
    void datagrams_fromManySenders_everyLineCountedOnce() throws Exception {
        server = StatsdServer.start(aggregator, null, StatsdConfig.defaults().withAddress("127.0.0.1", 0));
        int senders = 4;
        int perSender = 500;
        Thread[] threads = new Thread[senders];
        for (int t = 0; t < senders; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    for (int i = 0; i < perSender; i++) {
                        byte[] b = ("work:1|c|#sender:" + id + "\nwork:2|c|#sender:" + id).getBytes(StandardCharsets.UTF_8);
                        s.send(new DatagramPacket(b, b.length, server.localAddress()));
                        if (i % 50 == 0) {
                            Thread.sleep(1); // stay well under the kernel buffer: this test is about counting, not loss
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        awaitDatagrams((long) senders * perSender);
        for (int t = 0; t < senders; t++) {
            assertThat(total(SeriesKey.of("work", Tags.of("sender", String.valueOf(t)))).sum()).isEqualTo(3.0 * perSender);
        }
        assertThat(server.transport()).isNotEmpty();
        assertThat(((InetSocketAddress) server.localAddress()).getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void tcp_lines_splitAcrossWritesAreJoinedAndATooLongLineClosesOnlyItsConnection() throws Exception {
        StatsdConfig config = new StatsdConfig("127.0.0.1", 0, 1, 1 << 20, 1024, 100, 1000);
        server = StatsdServer.start(aggregator, null, config, new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress tcp = server.tcpAddress().orElseThrow();
        try (java.net.Socket s = new java.net.Socket(tcp.getAddress(), tcp.getPort())) {
            var out = s.getOutputStream();
            out.write("builds:1|c\nbuil".getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(50);
            out.write("ds:2|c\nbuilds:4|c\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (total(SeriesKey.of("builds")).sum() < 7 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertThat(total(SeriesKey.of("builds")).sum()).isEqualTo(7.0);
        assertThat(total(SeriesKey.of("builds")).count()).isEqualTo(3);
        try (java.net.Socket s = new java.net.Socket(tcp.getAddress(), tcp.getPort())) {
            s.getOutputStream().write(("x".repeat(5000) + "\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            s.setSoTimeout(5000);
            assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        }
        assertThat(server.counters().get("tcp_connections_closed_on_error")).isEqualTo(1);
        try (java.net.Socket s = new java.net.Socket(tcp.getAddress(), tcp.getPort())) {
            s.getOutputStream().write("builds:1|c\n".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (total(SeriesKey.of("builds")).sum() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertThat(total(SeriesKey.of("builds")).sum()).isEqualTo(8.0);
    }
}
