package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.core.durability.DurableLog;
import dev.metricsservice.core.durability.DurableLogException;
import dev.metricsservice.core.store.InMemoryMetricStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * POST through a durable log: answered only once the record is durable, 503 when the log does
 * not take it, refusals answered once their void record is durable, keys known again after a
 * replay. The log here keeps records in memory and makes them "durable" when the test says so.
 */
class DurableIngestHttpTest {

    /** A log in memory; appends wait until {@link #release()}, or fail with {@link #failWith}. */
    static final class MemoryLog implements DurableLog {
        final List<byte[]> records = new ArrayList<>();
        final List<CompletableFuture<Long>> waiting = new ArrayList<>();
        volatile boolean hold;
        volatile DurableLogException.Reason failWith;

        @Override
        public synchronized CompletableFuture<Long> append(ByteBuffer record) {
            if (failWith != null) {
                return CompletableFuture.failedFuture(new DurableLogException(failWith, "test log: " + failWith));
            }
            return appendControl(record);
        }

        @Override
        public synchronized CompletableFuture<Long> appendControl(ByteBuffer record) {
            byte[] b = new byte[record.remaining()];
            record.duplicate().get(b);
            long position = records.size();
            records.add(b);
            CompletableFuture<Long> f = new CompletableFuture<>();
            if (hold) {
                waiting.add(f);
            } else {
                f.complete(position);
            }
            return f;
        }

        synchronized void release() {
            hold = false;
            for (int i = 0; i < waiting.size(); i++) {
                waiting.get(i).complete((long) (records.size() - waiting.size() + i));
            }
            waiting.clear();
        }

        @Override
        public synchronized long replay(RecordVisitor visitor) throws java.io.IOException {
            for (int i = 0; i < records.size(); i++) {
                visitor.record(i, ByteBuffer.wrap(records.get(i)));
            }
            return records.size();
        }

        @Override
        public void checkpoint(long position, byte[] state) {
            // keeps everything: replays start from the first record
        }

        @Override
        public byte[] checkpointState() {
            return new byte[0];
        }

        @Override
        public double fill() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    private static DurableIngest open(MemoryLog log) throws Exception {
        return DurableIngest.open(log, clock -> Aggregator.builder().clock(clock).build(), DurableIngest.Options.defaults());
    }

    private static RawClient.Response post(MetricsHttpServer server, String body, String... headers) throws Exception {
        try (RawClient c = new RawClient(server.localAddress(), 10_000)) {
            return c.send(RawClient.post("/metrics", body, headers)).read();
        }
    }

    @Test
    void post_durable_isAnsweredOnlyOnceTheRecordIsDurable() throws Exception {
        MemoryLog log = new MemoryLog();
        DurableIngest ingest = open(log);
        try (MetricsHttpServer server = MetricsHttpServer.start(ingest.aggregator(), new InMemoryMetricStore(),
                TestServers.config().build(), ServerInstrumentation.NONE, ingest)) {
            log.hold = true;
            var pool = Executors.newSingleThreadExecutor();
            Future<RawClient.Response> answer = pool.submit(() -> post(server, "{\"name\":\"cpu\",\"value\":2}"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> answer.get(500, TimeUnit.MILLISECONDS))
                    .isInstanceOf(TimeoutException.class);
            assertThat(ingest.aggregator().counters().accepted()).isZero();
            log.release();
            assertThat(answer.get(10, TimeUnit.SECONDS).status()).isEqualTo(202);
            assertThat(ingest.aggregator().counters().accepted()).isEqualTo(1);
            pool.shutdownNow();
        }
        ingest.close();
    }

    @Test
    void post_logFull_is503WithRetryAfterAndRecordsNothing() throws Exception {
        MemoryLog log = new MemoryLog();
        DurableIngest ingest = open(log);
        try (MetricsHttpServer server = MetricsHttpServer.start(ingest.aggregator(), new InMemoryMetricStore(),
                TestServers.config().build(), ServerInstrumentation.NONE, ingest)) {
            log.failWith = DurableLogException.Reason.FULL;
            RawClient.Response r = post(server, "[{\"name\":\"cpu\",\"value\":2},{\"name\":\"cpu\",\"value\":3}]");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("\"log_full\"").contains("retry later");
            assertThat(r.header("Retry-After")).isNotNull();
            log.failWith = DurableLogException.Reason.IO_ERROR;
            assertThat(post(server, "{\"name\":\"cpu\",\"value\":2}").body()).contains("\"log_failed\"");
            assertThat(ingest.aggregator().counters().accepted()).isZero();
        }
        ingest.close();
    }

    @Test
    void post_refusedAfterLogging_isAnsweredWithTheRefusalAndVoidedForReplay() throws Exception {
        MemoryLog log = new MemoryLog();
        DurableIngest ingest = open(log);
        try (MetricsHttpServer server = MetricsHttpServer.start(ingest.aggregator(), new InMemoryMetricStore(),
                TestServers.config().build(), ServerInstrumentation.NONE, ingest)) {
            assertThat(post(server, "{\"name\":\"jobs\",\"type\":\"counter\",\"value\":1}").status()).isEqualTo(202);
            RawClient.Response conflict = post(server, "{\"name\":\"jobs\",\"type\":\"gauge\",\"value\":1}");
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(conflict.body()).contains("type_conflict");
        }
        ingest.close();
        // Replay counts the accepted batch and skips the voided one.
        DurableIngest again = open(log);
        assertThat(again.replayResult().samplesReplayed()).isEqualTo(1);
        assertThat(again.replayResult().batchesVoided()).isEqualTo(1);
        assertThat(again.aggregator().typeOf("jobs")).hasValueSatisfying(t -> assertThat(t.wireName()).isEqualTo("counter"));
        again.close();
    }

    @Test
    void post_sameKeyAfterAReplay_isADuplicate() throws Exception {
        MemoryLog log = new MemoryLog();
        DurableIngest ingest = open(log);
        String body = "[{\"name\":\"cpu\",\"value\":2},{\"name\":\"cpu\",\"value\":3}]";
        try (MetricsHttpServer server = MetricsHttpServer.start(ingest.aggregator(), new InMemoryMetricStore(),
                TestServers.config().build(), ServerInstrumentation.NONE, ingest)) {
            assertThat(post(server, body, "Idempotency-Key: order-17").body()).isEqualTo("{\"accepted\":2}");
        }
        ingest.close();
        DurableIngest restarted = open(log); // a new process replaying the same log
        try (MetricsHttpServer server = MetricsHttpServer.start(restarted.aggregator(), new InMemoryMetricStore(),
                TestServers.config().build(), ServerInstrumentation.NONE, restarted)) {
            RawClient.Response again = post(server, body, "Idempotency-Key: order-17");
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.body()).isEqualTo("{\"accepted\":2,\"duplicate\":true}");
            assertThat(post(server, "{\"name\":\"cpu\",\"value\":9}", "Idempotency-Key: order-17").status()).isEqualTo(409);
            assertThat(restarted.aggregator().counters().accepted()).isEqualTo(2); // the replayed two, once
        }
        restarted.close();
    }
}
