package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StatsD datagrams to the app (SQLite, write-ahead log on): stored exactly after shutdown. */
class StatsdAppTest {

    @TempDir
    Path dir;

    @Test
    void statsd_countersToTheApp_storedExactlyThroughTheLog() throws Exception {
        AppHarness harness = new AppHarness();
        List<String> args = AppHarness.baseArgs(dir, "--duration", "0");
        long sent = 0;
        try (MetricsApp app = harness.start(args)) {
            assertThat(app.durable()).isTrue();
            InetSocketAddress statsd = app.statsdAddress().orElseThrow();
            try (DatagramSocket s = new DatagramSocket()) {
                for (int i = 0; i < 200; i++) {
                    byte[] b = ("deploys:1|c|#team:core\ndeploys:2|c|#team:core\nbogus\n").getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(b, b.length, statsd));
                    sent += 3;
                    if (i % 20 == 0) {
                        Thread.sleep(2);
                    }
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (app.aggregator().counters().accepted() < 400 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(app.aggregator().counters().accepted()).isEqualTo(400);
            assertThat(harness.get(app.baseUri(), "/stats").body()).contains("\"statsd\"").contains("\"dropped_malformed\":200");
            app.shutdown();
        }
        try (MetricStore store = Stores.open(AppConfig.parse(args.toArray(String[]::new), Map.of()))) {
            long sum = 0;
            for (SeriesWindow w : store.query(new MetricQuery(SeriesKey.of("deploys", Tags.of("team", "core")), 0,
                    4_000_000_000L, 10_000, MetricQuery.Order.OLDEST_FIRST)).get(30, TimeUnit.SECONDS)) {
                sum += (long) w.stats().sum();
            }
            assertThat(sum).isEqualTo(sent);
        }
    }
}
