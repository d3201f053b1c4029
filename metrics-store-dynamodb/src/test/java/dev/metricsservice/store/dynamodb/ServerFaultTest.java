package dev.metricsservice.store.dynamodb;

import dev.metricsservice.testsupport.NettyLeakCheck;
import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server dies in the middle of a write, then comes back with its data directory: the write
 * must fail as a retryable domain error within its timeout (never report success), and writing
 * the same batch again must leave exact totals, however much of the first attempt got stored.
 */
class ServerFaultTest {

    private static final long T0 = 1_764_000_000L;
    private static final int NAMES = 10;
    private static final int WINDOWS = 600;
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;
    private DynaliteServer server;
    private DynamoDbMetricStore store;

    @BeforeEach
    void start() {
        assumeFalse(DynaliteExtension.isExternal(), "fault tests stop and restart their own dynalite; "
                + "they cannot run against -Ddynamodb.endpoint");
        server = DynaliteServer.start(dataDir);
        store = DynamoDbMetricStore.open(DynamoDbStoreConfig.builder()
                .endpointOverride(server.endpoint())
                .tableName("fault-test")
                .maxInFlightBatches(4)
                .callTimeout(Duration.ofSeconds(3))
                .operationTimeout(OPERATION_TIMEOUT)
                .maxAttempts(4)
                .retryBaseDelay(Duration.ofMillis(50))
                .retryMaxDelay(Duration.ofMillis(400))
                .build()).join();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
            NettyLeakCheck.assertNoLeaks();
        }
    }

    private static List<WindowAggregate> batch() {
        List<WindowAggregate> batch = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            for (int n = 0; n < NAMES; n++) {
                batch.add(new WindowAggregate(SeriesKey.of("fault-" + n), T0 + 10L * w, "writer-a", Stats.of(w + 1, 2.0 * (w + 1), 1.0, 3.0)));
            }
        }
        return batch;
    }

    @Test
    void write_serverStoppedMidWrite_failsRetryablyThenRewriteAfterRestartIsExact() throws Exception {
        List<WindowAggregate> batch = batch();
        CompletableFuture<Void> write = store.write(batch);
        waitUntilSomethingIsStored();
        assertThat(write).as("the write must still be in flight when the server goes away").isNotDone();

        server.stop();

        // Bounded by the operation timeout plus one call timeout and slack; a hang fails here.
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> write.get(OPERATION_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOf(StoreException.class);
        StoreException e = (StoreException) failure.getCause();
        assertThat(e.isRetryable()).as(e.getMessage()).isTrue();
        assertThat(e.getMessage()).contains("not confirmed", "fault-test");

        server.restart();
        store.write(batch).get(120, TimeUnit.SECONDS);

        long expectedCount = (long) WINDOWS * (WINDOWS + 1) / 2;
        for (int n = 0; n < NAMES; n++) {
            List<WindowStats> rows = Rows.of(store, new MetricQuery(SeriesKey.of("fault-" + n), T0, T0 + 10L * WINDOWS, WINDOWS,
                    MetricQuery.Order.OLDEST_FIRST), 60);
            assertThat(rows).hasSize(WINDOWS);
            assertThat(rows.stream().mapToLong(r -> r.stats().count()).sum()).isEqualTo(expectedCount);
            assertThat(rows.stream().mapToDouble(r -> r.stats().sum()).sum()).isEqualTo(2.0 * expectedCount);
        }
    }

    @Test
    void restart_keepsDataOnTheSamePath() throws Exception {
        WindowAggregate a = new WindowAggregate(SeriesKey.of("kept"), T0, "w1", Stats.of(7, 49.0, 7.0, 7.0));
        store.write(List.of(a)).get(60, TimeUnit.SECONDS);

        server.restart();

        assertThat(Rows.of(store, MetricQuery.latest("kept", 5), 60))
                .containsExactly(new WindowStats(T0, a.stats()));
    }

    private void waitUntilSomethingIsStored() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (int n = 0; n < NAMES; n++) {
                if (!Rows.of(store, MetricQuery.latest("fault-" + n, 1), 30).isEmpty()) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("nothing of the write reached the server within 60 s");
    }
}
