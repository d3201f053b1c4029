package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.AggregatorCounters;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.store.sqlite.SqliteMetricStore;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle series expiring and late samples amending their window, through the running app. */
class SeriesLifecycleAppTest {

    @TempDir
    Path dir;

    private final AppHarness harness = new AppHarness();

    /**
     * Six waves of 900 new names, five seconds apart, through a service that holds 1,000 live
     * series: each wave is accepted because the previous one has been retired meanwhile. One-second
     * windows finalized at once, so a wave's series are idle (and then retired) within about four
     * seconds.
     */
    @Test
    void serve_wavesOfNewNamesAboveMaxSeries_areAllAcceptedAsIdleSeriesRetire() throws Exception {
        int waves = 6;
        int perWave = 900;
        List<Integer> statuses = new ArrayList<>();
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--store", "memory", "--duration", "0",
                "--max-series", "1000", "--series-ttl", "2s", "--window", "1s", "--allowed-lateness", "0",
                "--flush-interval", "500ms"))) {
            URI base = app.baseUri();
            for (int wave = 0; wave < waves; wave++) {
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < perWave; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"name\":\"job-").append(wave).append('-').append(i)
                            .append("\",\"value\":").append(i % 10).append('}');
                }
                HttpResponse<String> r = harness.post(base, "application/json", batch.append(']').toString());
                statuses.add(r.statusCode());
                assertThat(r.statusCode()).as("wave %d: %s", wave, r.body()).isEqualTo(202);
                if (wave < waves - 1) {
                    Thread.sleep(5_000);
                }
            }
            HttpResponse<String> stats = harness.get(base, "/stats");
            assertThat(stats.body()).contains("\"series\":" + perWave);
            app.shutdown();
            AggregatorCounters c = app.aggregator().counters();
            assertThat(c.accepted()).isEqualTo((long) waves * perWave);
            assertThat(c.rejectedTotal()).isZero();
            assertThat(c.retiredSeries()).isGreaterThanOrEqualTo((long) (waves - 1) * perWave);
        }
        assertThat(statuses).containsOnly(202);
    }

    /**
     * Samples one minute and ten minutes late are stored exactly (as amendments of windows the
     * service finalized long ago, or never held); two hours late is refused with the limit named.
     */
    @Test
    void serve_lateSamples_amendTheirWindowsAndTooLateIsRefused() throws Exception {
        long now = System.currentTimeMillis();
        try (MetricsApp app = harness.start(AppHarness.baseArgs(dir, "--duration", "0", "--flush-interval", "200ms"))) {
            URI base = app.baseUri();
            // A sample in the current window first, so that its flush stores the window itself.
            assertThat(harness.post(base, "application/json", "{\"name\":\"late-1m\",\"value\":1}").statusCode())
                    .isEqualTo(202);
            for (int i = 0; i < 10; i++) {
                assertThat(post(base, "late-1m", i + 1, now - 60_000 - i).statusCode()).isEqualTo(202);
                assertThat(post(base, "late-10m", i + 1, now - 600_000 - i).statusCode()).isEqualTo(202);
                Thread.sleep(50); // spread over several flushes: several amendments of one window
            }
            HttpResponse<String> tooLate = post(base, "late-2h", 1, now - 7_200_000);
            assertThat(tooLate.statusCode()).isEqualTo(422);
            assertThat(tooLate.body()).contains("\"error\":\"timestamp_too_old\"", "field 'timestamp'", "maximum lateness of 1h");
            app.shutdown();
        }
        try (SqliteMetricStore store = SqliteMetricStore.open(dir.resolve("metrics.db"))) {
            assertThat(storedCount(store, "late-1m")).isEqualTo(11);
            assertThat(storedSum(store, "late-1m")).isEqualTo(1 + 55.0);
            assertThat(storedCount(store, "late-10m")).isEqualTo(10);
            assertThat(storedSum(store, "late-10m")).isEqualTo(55.0);
            assertThat(storedCount(store, "late-2h")).isZero();
        }
    }

    private HttpResponse<String> post(URI base, String name, double value, long timestamp) throws Exception {
        return harness.post(base, "application/json",
                "{\"name\":\"" + name + "\",\"value\":" + value + ",\"timestamp\":" + timestamp + "}");
    }

    private static long storedCount(SqliteMetricStore store, String name) {
        return store.query(MetricQuery.latest(name, 1000)).join().stream().mapToLong(r -> r.stats().count()).sum();
    }

    private static double storedSum(SqliteMetricStore store, String name) {
        return store.query(MetricQuery.latest(name, 1000)).join().stream().mapToDouble(r -> r.stats().sum()).sum();
    }
}
