package dev.metricsservice.http;

import dev.metricsservice.testsupport.NettyLeakCheck;
import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.ManualClock;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.storetest.ForwardingMetricStore;
import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request handler on an {@link EmbeddedChannel}: bytes in, bytes out, no sockets. */
class RequestHandlerTest {

    private static final long T0 = 1_764_000_000_000L; // a window boundary for 10 s windows
    private final ManualClock clock = MetricClock.manual(T0 + 1_000);
    private final Aggregator aggregator = Aggregator.builder().clock(clock).writerId("test").build();
    private EmbeddedChannel channel;

    private EmbeddedChannel channel(MetricStore store, HttpServerConfig config) {
        return channel(aggregator, store, config);
    }

    private EmbeddedChannel channel(Aggregator aggregator, MetricStore store, HttpServerConfig config) {
        ServerState state = new ServerState(aggregator, store, config, ServerInstrumentation.NONE,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), Runnable::run, "embedded", null);
        ConnectionTimeouts timeouts = new ConnectionTimeouts(config);
        channel = new EmbeddedChannel(timeouts, new HttpServerCodec(), new AdmissionHandler(config),
                new RequestHandler(state, new Api(state), timeouts));
        return channel;
    }

    private EmbeddedChannel channel() {
        return channel(new InMemoryMetricStore(), HttpServerConfig.defaults());
    }

    private static String exchange(EmbeddedChannel ch, String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.UTF_8));
        return output(ch);
    }

    private static String output(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }

    @AfterEach
    void finish() {
        if (channel != null) {
            assertThat(channel.finishAndReleaseAll()).as("nothing left unread in the channel").isFalse();
        }
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    /** What the aggregator holds for a query (nothing was flushed in these tests). */
    private java.util.List<WindowStats> inMemory(MetricQuery q) {
        return new dev.metricsservice.core.QueryService(aggregator, new dev.metricsservice.core.store.InMemoryMetricStore())
                .query(q).join().rows();
    }

    @Test
    void post_singleSample_accepted() {
        String out = exchange(channel(), RawClient.post("/metrics", "{\"name\":\"cpu\",\"value\":42.5}"));
        assertThat(out).startsWith("HTTP/1.1 202 Accepted").endsWith("{\"accepted\":1}");
        assertThat(inMemory(MetricQuery.latest("cpu", 20)))
                .containsExactly(new WindowStats(T0 / 1000, Stats.of(42.5)));
    }

    @Test
    void post_batchWithBadElement_recordsNothing() {
        String out = exchange(channel(), RawClient.post("/metrics",
                "[{\"name\":\"a\",\"value\":1},{\"name\":\"b\",\"value\":\"x\"}]"));
        assertThat(out).startsWith("HTTP/1.1 422 ").contains("\"error\":\"wrong_type\"").contains("element 1");
        assertThat(inMemory(MetricQuery.latest("a", 20))).isEmpty();
        assertThat(aggregator.counters().accepted()).isZero();
    }

    @Test
    void post_batch_acceptedWhole() {
        String out = exchange(channel(), RawClient.post("/metrics",
                "[{\"name\":\"a\",\"value\":1},{\"name\":\"a\",\"value\":2,\"timestamp\":" + (T0 + 500) + "}]"));
        assertThat(out).startsWith("HTTP/1.1 202 ").endsWith("{\"accepted\":2}");
        assertThat(inMemory(MetricQuery.latest("a", 20)))
                .containsExactly(new WindowStats(T0 / 1000, new Stats(2, 3, 1, 2)));
    }

    @Test
    void post_batchesOverTheSeriesLimit_areCountedInStatsByReason() {
        Aggregator small = Aggregator.builder().clock(clock).maxSeries(2).build();
        channel(small, new InMemoryMetricStore(), HttpServerConfig.defaults());
        for (int i = 0; i < 20; i++) {
            String out = exchange(channel, RawClient.post("/metrics",
                    "[{\"name\":\"a\",\"value\":1},{\"name\":\"b\",\"value\":1},{\"name\":\"c" + i + "\",\"value\":1}]"));
            assertThat(out).startsWith("HTTP/1.1 429 ").contains("\"error\":\"series_limit\"", "element 2");
        }
        String stats = exchange(channel, RawClient.get("/stats"));

        // 20 refused batches of 3 samples: every sample counted under the reason, none accepted
        assertThat(stats).contains("\"series_limit\":60", "\"accepted\":0");
    }

    @Test
    void post_tags_makeSeparateSeriesQueriedByTagGroupAndStep() {
        EmbeddedChannel ch = channel();
        String out = exchange(ch, RawClient.post("/metrics", "["
                + "{\"name\":\"cpu\",\"value\":1,\"tags\":{\"host\":\"a\",\"region\":\"eu\"}},"
                + "{\"name\":\"cpu\",\"value\":2,\"tags\":{\"region\":\"eu\",\"host\":\"b\"}},"
                + "{\"name\":\"cpu\",\"value\":4,\"tags\":{\"host\":\"c\",\"region\":\"us\"}},"
                + "{\"name\":\"cpu\",\"value\":8}]"));
        assertThat(out).startsWith("HTTP/1.1 202 ").endsWith("{\"accepted\":4}");
        long w = T0 / 1000;

        assertThat(exchange(ch, RawClient.get("/metrics/cpu"))).endsWith(
                "[{\"timestamp\":" + w + ",\"sum\":15.0,\"count\":4,\"min\":1.0,\"max\":8.0}]");
        assertThat(exchange(ch, RawClient.get("/metrics/cpu?tag=region:eu&tag=host:b"))).endsWith(
                "[{\"timestamp\":" + w + ",\"sum\":2.0,\"count\":1,\"min\":2.0,\"max\":2.0}]");
        assertThat(exchange(ch, RawClient.get("/metrics/cpu?group_by=region&step=60"))).endsWith("["
                + "{\"timestamp\":" + w + ",\"sum\":8.0,\"count\":1,\"min\":8.0,\"max\":8.0,\"tags\":{}},"
                + "{\"timestamp\":" + w + ",\"sum\":3.0,\"count\":2,\"min\":1.0,\"max\":2.0,\"tags\":{\"region\":\"eu\"}},"
                + "{\"timestamp\":" + w + ",\"sum\":4.0,\"count\":1,\"min\":4.0,\"max\":4.0,\"tags\":{\"region\":\"us\"}}]");
    }

    @Test
    void post_gauge_rowsCarryTheLastValue() {
        EmbeddedChannel ch = channel();
        exchange(ch, RawClient.post("/metrics", "[{\"name\":\"q\",\"type\":\"gauge\",\"value\":5,\"timestamp\":" + (T0 + 900)
                + "},{\"name\":\"q\",\"type\":\"gauge\",\"value\":3,\"timestamp\":" + (T0 + 100) + "}]"));

        assertThat(exchange(ch, RawClient.get("/metrics/q"))).endsWith(
                "[{\"timestamp\":" + T0 / 1000 + ",\"sum\":8.0,\"count\":2,\"min\":3.0,\"max\":5.0,\"last\":5.0}]");
    }

    @Test
    void post_set_rowsCarryTheDistinctCountInBothRenderings() {
        EmbeddedChannel ch = channel();
        exchange(ch, RawClient.post("/metrics", "[{\"name\":\"u\",\"type\":\"set\",\"value\":7},"
                + "{\"name\":\"u\",\"type\":\"set\",\"value\":9},{\"name\":\"u\",\"type\":\"set\",\"value\":7}]"));

        assertThat(exchange(ch, RawClient.get("/metrics/u"))).endsWith(
                ",\"sum\":23.0,\"count\":3,\"min\":7.0,\"max\":9.0,\"distinct\":2}]");
        assertThat(exchange(ch, RawClient.get("/metrics/u?step=60"))).endsWith(
                ",\"sum\":23.0,\"count\":3,\"min\":7.0,\"max\":9.0,\"distinct\":2}]");
    }

    @Test
    void post_typeConflict_409NamingBothTypes() {
        EmbeddedChannel ch = channel();
        exchange(ch, RawClient.post("/metrics", "{\"name\":\"hits\",\"type\":\"counter\",\"value\":1}"));

        String out = exchange(ch, RawClient.post("/metrics", "{\"name\":\"hits\",\"type\":\"gauge\",\"value\":1}"));

        assertThat(out).startsWith("HTTP/1.1 409 ").contains("\"error\":\"type_conflict\"", "field 'type'",
                "'hits' is a counter", "this sample is a gauge");
        assertThat(exchange(ch, RawClient.get("/stats"))).contains("\"type_conflict\":1");
    }

    @Test
    void post_badTagsOrType_422NamingTheTagAndTheRule() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"tags\":{\"host\":5}}")))
                .startsWith("HTTP/1.1 422 ").contains("\"error\":\"wrong_type\"", "tag 'host' must have a string value");
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"tags\":[\"a\"]}")))
                .startsWith("HTTP/1.1 422 ").contains("field 'tags' must be an object");
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"tags\":{\"a b\":\"v\"}}")))
                .startsWith("HTTP/1.1 422 ").contains("\"error\":\"invalid_tags\"", "tag key 'a b'", "a space");
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"tags\":{\"k\":\"\"}}")))
                .startsWith("HTTP/1.1 422 ").contains("value of tag 'k' must not be empty");
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"tags\":{\"k\":\"1\",\"k\":\"2\"}}")))
                .startsWith("HTTP/1.1 422 ").contains("'k' is given twice");
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"type\":\"histogram\"}")))
                .startsWith("HTTP/1.1 422 ").contains("\"error\":\"unknown_type\"",
                        "one of summary, counter, gauge, distribution");
        assertThat(aggregator.counters().accepted()).isZero();
    }

    @Test
    void post_seriesPerNameLimit_429SayingWhichLimit() {
        Aggregator small = Aggregator.builder().clock(clock).maxSeriesPerName(1).build();
        EmbeddedChannel ch = channel(small, new InMemoryMetricStore(), HttpServerConfig.defaults());
        exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"tags\":{\"h\":\"1\"}}"));

        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"c\",\"value\":1,\"tags\":{\"h\":\"2\"}}")))
                .startsWith("HTTP/1.1 429 ").contains("\"error\":\"series_per_name_limit\"", "1 live series per metric name");
    }

    @Test
    void get_badQueryParameters_400WithTheRule() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, RawClient.get("/metrics/cpu?tag=host"))).startsWith("HTTP/1.1 400 ").contains("key:value");
        assertThat(exchange(ch, RawClient.get("/metrics/cpu?step=15"))).startsWith("HTTP/1.1 400 ")
                .contains("multiple of the window width (10 s)");
        assertThat(exchange(ch, RawClient.get("/metrics/cpu?group_by=a,,b"))).startsWith("HTTP/1.1 400 ")
                .contains("'group_by'");
        assertThat(exchange(ch, RawClient.get("/series?cursor=!!"))).startsWith("HTTP/1.1 400 ").contains("'cursor'");
        assertThat(exchange(ch, RawClient.get("/series?limit=0"))).startsWith("HTTP/1.1 400 ").contains("'limit'");
    }

    @Test
    void get_quantilesOfADistribution_addsThemToEveryRowAfterGroupAndStep() {
        EmbeddedChannel ch = channel();
        StringBuilder batch = new StringBuilder("[");
        for (int i = 1; i <= 100; i++) {
            batch.append(i > 1 ? "," : "").append("{\"name\":\"lat\",\"type\":\"distribution\",\"value\":").append(i)
                    .append(",\"tags\":{\"host\":\"").append(i % 2 == 0 ? "a" : "b").append("\"}}");
        }
        assertThat(exchange(ch, RawClient.post("/metrics", batch.append("]").toString()))).startsWith("HTTP/1.1 202 ");
        long w = T0 / 1000;

        // 1..100 merged over both hosts: rank floor(q * 99) is the value floor(q * 99) + 1.
        String all = exchange(ch, RawClient.get("/metrics/lat?quantiles=0,0.5,0.99,1&step=60"));
        assertThat(all).startsWith("HTTP/1.1 200 ").contains("\"timestamp\":" + w, "\"count\":100",
                "\"quantiles\":{\"0\":1.0,\"0.5\":", "\"1\":100.0}", "\"sketch_count\":100");
        double median = Double.parseDouble(all.replaceAll("(?s).*\"0.5\":([0-9.Ee-]+).*", "$1"));
        assertThat(median).isBetween(50 * 0.99, 50 * 1.01);
        double p99 = Double.parseDouble(all.replaceAll("(?s).*\"0.99\":([0-9.Ee-]+).*", "$1"));
        assertThat(p99).isBetween(99 * 0.99, 99 * 1.01);

        // Per host after group_by: the even values and the odd ones.
        String grouped = exchange(ch, RawClient.get("/metrics/lat?quantiles=1&group_by=host"));
        assertThat(grouped).contains("\"quantiles\":{\"1\":100.0},\"sketch_count\":50,\"tags\":{\"host\":\"a\"}",
                "\"quantiles\":{\"1\":99.0},\"sketch_count\":50,\"tags\":{\"host\":\"b\"}");
    }

    @Test
    void get_quantilesOfAWindowStoredWithoutSketch_answerNullAndSayHowManyAreCovered() {
        InMemoryMetricStore store = new InMemoryMetricStore();
        // A distribution window as the previous release stored it: counts, no sketch.
        store.write(List.of(new WindowAggregate(SeriesKey.of("lat"), T0 / 1000 + 20, "old-writer", 0,
                Stats.of(3, 6.0, 1.0, 3.0), dev.metricsservice.core.MetricType.DISTRIBUTION))).join();
        EmbeddedChannel ch = channel(store, HttpServerConfig.defaults());
        assertThat(exchange(ch, RawClient.get("/metrics/lat?quantiles=0.5"))).startsWith("HTTP/1.1 200 ")
                .endsWith("\"quantiles\":{\"0.5\":null},\"sketch_count\":0}]");
        // Merged with a new window in one step: the quantiles cover the new samples, and say so.
        exchange(ch, RawClient.post("/metrics", "{\"name\":\"lat\",\"type\":\"distribution\",\"value\":8}"));
        assertThat(exchange(ch, RawClient.get("/metrics/lat?quantiles=0.5&step=3600"))).contains("\"count\":4",
                "\"quantiles\":{\"0.5\":8.0},\"sketch_count\":1");
    }

    @Test
    void get_quantilesOfAnotherType_422NotADistribution() {
        EmbeddedChannel ch = channel();
        exchange(ch, RawClient.post("/metrics", "{\"name\":\"hits\",\"type\":\"counter\",\"value\":1}"));

        assertThat(exchange(ch, RawClient.get("/metrics/hits?quantiles=0.5"))).startsWith("HTTP/1.1 422 ")
                .contains("\"error\":\"not_a_distribution\"", "'quantiles'", "'hits' is a counter");
        // A metric nobody sent has no type: no rows, no error.
        assertThat(exchange(ch, RawClient.get("/metrics/nothing?quantiles=0.5"))).startsWith("HTTP/1.1 200 ").endsWith("[]");
    }

    @Test
    void get_badQuantiles_400WithTheRule() {
        EmbeddedChannel ch = channel();
        for (String bad : new String[] {"1.5", "-0.1", "abc", "", "0.5,,0.9", "NaN", "1e-3", "0x1p-1"}) {
            assertThat(exchange(ch, RawClient.get("/metrics/lat?quantiles=" + bad))).as(bad).startsWith("HTTP/1.1 400 ")
                    .contains("'quantiles'", "from 0 to 1");
        }
        String many = "0.5," .repeat(40) + "0.5";
        assertThat(exchange(ch, RawClient.get("/metrics/lat?quantiles=" + many))).startsWith("HTTP/1.1 400 ")
                .contains("at most 32");
    }

    @Test
    void post_sameIdempotencyKeyAndBody_isAnsweredLikeTheFirstAndCountedOnce() {
        EmbeddedChannel ch = channel();
        String body = "[{\"name\":\"a\",\"value\":1},{\"name\":\"a\",\"value\":2}]";
        assertThat(exchange(ch, RawClient.post("/metrics", body, "Idempotency-Key: batch-0001")))
                .startsWith("HTTP/1.1 202 ").endsWith("{\"accepted\":2}");
        assertThat(exchange(ch, RawClient.post("/metrics", body, "Idempotency-Key: batch-0001")))
                .startsWith("HTTP/1.1 202 ").endsWith("{\"accepted\":2,\"duplicate\":true}");
        assertThat(aggregator.counters().accepted()).isEqualTo(2);
        assertThat(inMemory(MetricQuery.latest("a", 5))).extracting(WindowStats::stats)
                .containsExactly(Stats.of(2, 3.0, 1.0, 2.0));

        // The same key with another body is refused; a new key is a new request.
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"a\",\"value\":5}", "Idempotency-Key: batch-0001")))
                .startsWith("HTTP/1.1 409 ").contains("\"error\":\"idempotency_key_reused\"", "another body");
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"a\",\"value\":5}", "Idempotency-Key: batch-0002")))
                .startsWith("HTTP/1.1 202 ");
        assertThat(aggregator.counters().accepted()).isEqualTo(3);
        assertThat(exchange(ch, RawClient.get("/stats"))).contains("\"idempotency\":{\"keys\":2,\"duplicates\":1,\"reused\":1");
    }

    @Test
    void post_refusedRequest_doesNotUseUpItsKey() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"a\",\"value\":\"x\"}", "Idempotency-Key: k1")))
                .startsWith("HTTP/1.1 422 ");
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"a\",\"value\":1}", "Idempotency-Key: k1")))
                .startsWith("HTTP/1.1 202 ").endsWith("{\"accepted\":1}");
        assertThat(aggregator.counters().accepted()).isEqualTo(1);
    }

    @Test
    void post_badIdempotencyKey_400NamingTheHeaderAndTheRule() {
        EmbeddedChannel ch = channel();
        String body = "{\"name\":\"a\",\"value\":1}";
        assertThat(exchange(ch, RawClient.post("/metrics", body, "Idempotency-Key: " + "k".repeat(129))))
                .startsWith("HTTP/1.1 400 ").contains("'Idempotency-Key'", "1 to 128 visible ASCII");
        assertThat(exchange(ch, RawClient.post("/metrics", body, "Idempotency-Key: a b")))
                .startsWith("HTTP/1.1 400 ").contains("no spaces or control characters");
        assertThat(exchange(ch, RawClient.post("/metrics", body, "Idempotency-Key: x", "Idempotency-Key: y")))
                .startsWith("HTTP/1.1 400 ").contains("given 2 times");
        assertThat(aggregator.counters().accepted()).isZero();
    }

    @Test
    void get_series_pagesWithACursor() {
        EmbeddedChannel ch = channel();
        exchange(ch, RawClient.post("/metrics", "["
                + "{\"name\":\"cpu\",\"value\":1,\"tags\":{\"host\":\"a\"}},"
                + "{\"name\":\"cpu\",\"value\":1,\"tags\":{\"host\":\"b\"}},"
                + "{\"name\":\"hits\",\"type\":\"counter\",\"value\":1}]"));

        String first = exchange(ch, RawClient.get("/series?limit=2"));
        assertThat(first).startsWith("HTTP/1.1 200 ").endsWith("[{\"name\":\"cpu\",\"type\":\"summary\",\"tags\":{\"host\":\"a\"}},"
                + "{\"name\":\"cpu\",\"type\":\"summary\",\"tags\":{\"host\":\"b\"}}]");
        String cursor = first.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("x-next-cursor:"))
                .findFirst().orElseThrow().substring("x-next-cursor:".length()).trim();
        assertThat(first).contains("rel=\"next\"");
        String second = exchange(ch, RawClient.get("/series?limit=2&cursor=" + cursor));
        assertThat(second).endsWith("[{\"name\":\"hits\",\"type\":\"counter\",\"tags\":{}}]")
                .doesNotContainIgnoringCase("x-next-cursor");
        assertThat(exchange(ch, RawClient.get("/series?name=cpu&tag=host:b"))).endsWith(
                "[{\"name\":\"cpu\",\"type\":\"summary\",\"tags\":{\"host\":\"b\"}}]");
    }

    @Test
    void post_batchRefusedMidway_reportsWhereToResume() {
        // The collector has not run for 16 windows, so window w+16 would reuse the slot of window w,
        // which is still live: the aggregator refuses it as OVERLOADED, a refusal no pre-check can see.
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"a\",\"value\":1}"))).startsWith("HTTP/1.1 202 ");
        clock.advance(java.time.Duration.ofSeconds(160));
        String out = exchange(ch, RawClient.post("/metrics", "[{\"name\":\"b\",\"value\":5},{\"name\":\"a\",\"value\":2}]"));
        assertThat(out).startsWith("HTTP/1.1 503 ").contains("\"error\":\"partial_batch\"")
                .contains("elements 0..0 were recorded").contains("resend from element 1");
        assertThat(inMemory(MetricQuery.latest("b", 20))).extracting(r -> r.stats().count()).containsExactly(1L);
    }

    @Test
    void post_malformedJson_400() {
        String out = exchange(channel(), RawClient.post("/metrics", "{\"name\":\"cpu\","));
        assertThat(out).startsWith("HTTP/1.1 400 ").contains("\"error\":\"malformed_json\"");
    }

    @Test
    void post_wrongContentType_415() {
        String out = exchange(channel(), "POST /metrics HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(out).startsWith("HTTP/1.1 415 ").contains("unsupported_media_type");
    }

    @Test
    void unknownPath_404_andWrongMethod_405WithAllow() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, RawClient.get("/nope"))).startsWith("HTTP/1.1 404 ").contains("not_found");
        String out = exchange(ch, "PUT /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 405 ").containsIgnoringCase("allow: GET, POST");
        assertThat(exchange(ch, RawClient.get("/metrics"))).startsWith("HTTP/1.1 200 ").contains("# TYPE metricsservice_");
        assertThat(exchange(ch, RawClient.post("/health", "{}"))).startsWith("HTTP/1.1 405 ").containsIgnoringCase("allow: GET");
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void get_mergesStoreAndMemory_newestFirst() {
        InMemoryMetricStore store = new InMemoryMetricStore();
        long w0 = T0 / 1000;
        store.write(List.of(new WindowAggregate(SeriesKey.of("cpu"), w0 - 10, "other", new Stats(2, 10, 4, 6)),
                new WindowAggregate(SeriesKey.of("cpu"), w0, "other", Stats.of(1)))).join();
        EmbeddedChannel ch = channel(store, HttpServerConfig.defaults());
        exchange(ch, RawClient.post("/metrics", "{\"name\":\"cpu\",\"value\":3}"));
        String out = exchange(ch, RawClient.get("/metrics/cpu"));
        assertThat(out).startsWith("HTTP/1.1 200 ").endsWith("[{\"timestamp\":" + w0 + ",\"sum\":4.0,\"count\":2,\"min\":1.0,\"max\":3.0},"
                + "{\"timestamp\":" + (w0 - 10) + ",\"sum\":10.0,\"count\":2,\"min\":4.0,\"max\":6.0}]");
    }

    @Test
    void get_slowStore_pipelinedAnswersStayInOrder() {
        CompletableFuture<List<dev.metricsservice.core.SeriesWindow>> pending = new CompletableFuture<>();
        MetricStore slow = new ForwardingMetricStore(new InMemoryMetricStore()) {
            @Override
            public CompletableFuture<List<dev.metricsservice.core.SeriesWindow>> query(MetricQuery query) {
                return pending;
            }
        };
        EmbeddedChannel ch = channel(slow, HttpServerConfig.defaults());
        String out = exchange(ch, RawClient.get("/metrics/cpu") + RawClient.get("/health"));
        assertThat(out).isEmpty();
        assertThat(ch.config().isAutoRead()).isFalse();
        pending.complete(List.of(new dev.metricsservice.core.SeriesWindow(dev.metricsservice.core.SeriesKey.of("cpu"),
                dev.metricsservice.core.MetricType.SUMMARY, 100, Stats.of(7))));
        out = output(ch);
        assertThat(out.indexOf("HTTP/1.1 200")).isZero();
        assertThat(out.indexOf("\"count\":1")).isLessThan(out.indexOf("\"status\":\"ok\""));
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void get_storeFails_503() {
        MetricStore failing = new ForwardingMetricStore(new InMemoryMetricStore()) {
            @Override
            public CompletableFuture<List<dev.metricsservice.core.SeriesWindow>> query(MetricQuery query) {
                return CompletableFuture.failedFuture(new dev.metricsservice.core.store.StoreException(
                        dev.metricsservice.core.store.StoreException.Kind.UNAVAILABLE, "down"));
            }
        };
        String out = exchange(channel(failing, HttpServerConfig.defaults()), RawClient.get("/metrics/cpu"));
        assertThat(out).startsWith("HTTP/1.1 503 ").containsIgnoringCase("retry-after: 5").contains("store_unavailable");
    }

    @Test
    void connectionClose_honoured() {
        EmbeddedChannel ch = channel();
        String out = exchange(ch, "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void bodyOverLimit_413_andClosed() {
        EmbeddedChannel ch = channel(new InMemoryMetricStore(), HttpServerConfig.builder().maxBodyBytes(100).build());
        String out = exchange(ch, "POST /metrics HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 101\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 413 ").contains("body_too_large");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void auth_requiredForPost() {
        EmbeddedChannel ch = channel(new InMemoryMetricStore(), HttpServerConfig.builder().authToken("s3cret").build());
        assertThat(exchange(ch, RawClient.post("/metrics", "{\"name\":\"a\",\"value\":1}"))).startsWith("HTTP/1.1 401 ");
        String ok = "POST /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n{\"name\":\"a\",\"value\":1.0}";
        assertThat(exchange(ch, ok)).startsWith("HTTP/1.1 202 ");
        assertThat(exchange(ch, ok.replace("s3cret", "s3creT"))).startsWith("HTTP/1.1 401 ");
    }

    @Test
    void authReads_readsNeedTheTokenButProbesNever() {
        EmbeddedChannel ch = channel(new InMemoryMetricStore(),
                HttpServerConfig.builder().authToken("s3cret").authReads(true).build());
        for (String path : new String[] {"/metrics/a", "/series", "/stats", "/metrics"}) {
            assertThat(exchange(ch, RawClient.get(path))).as(path).startsWith("HTTP/1.1 401 ");
        }
        assertThat(exchange(ch, "GET /metrics/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n\r\n"))
                .startsWith("HTTP/1.1 200 ");
        assertThat(exchange(ch, RawClient.get("/health"))).startsWith("HTTP/1.1 200 ");
        assertThat(exchange(ch, RawClient.get("/ready"))).startsWith("HTTP/1.1 200 ");
        // Without authReads, reads stay open (the default).
        EmbeddedChannel open = channel(new InMemoryMetricStore(), HttpServerConfig.builder().authToken("s3cret").build());
        assertThat(exchange(open, RawClient.get("/metrics/a"))).startsWith("HTTP/1.1 200 ");
    }
}
