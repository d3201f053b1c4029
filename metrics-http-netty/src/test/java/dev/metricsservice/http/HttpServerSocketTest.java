package dev.metricsservice.http;

import dev.metricsservice.testsupport.NettyLeakCheck;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.storetest.ForwardingMetricStore;
import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.store.StoreException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server over real sockets on 127.0.0.1: JDK HttpClient for the API, raw sockets for the protocol. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpServerSocketTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsHttpServer server;
    private Aggregator aggregator;

    private InetSocketAddress start(HttpServerConfig config) {
        return start(new InMemoryMetricStore(), config, TestServers.aggregator());
    }

    private InetSocketAddress start(MetricStore store, HttpServerConfig config, Aggregator agg) {
        aggregator = agg;
        server = TestServers.start(agg, store, config);
        return server.localAddress();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return CLIENT.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(InetSocketAddress a, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(a, "/metrics")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> get(InetSocketAddress a, String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(a, path)).GET());
    }

    private static URI uri(InetSocketAddress a, String path) {
        return URI.create("http://127.0.0.1:" + a.getPort() + path);
    }

    @Test
    void postAndGet_roundTrip() throws Exception {
        InetSocketAddress a = start(TestServers.config().build());
        assertThat(server.localAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(post(a, "{\"name\":\"a b/c\",\"value\":2}").statusCode()).isEqualTo(202);
        HttpResponse<String> batch = post(a, "[{\"name\":\"a b/c\",\"value\":3},{\"name\":\"a b/c\",\"value\":5,\"extra\":[1,{}]}]");
        assertThat(batch.statusCode()).isEqualTo(202);
        assertThat(batch.body()).isEqualTo("{\"accepted\":2}");
        HttpResponse<String> r = get(a, "/metrics/a%20b%2Fc");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).matches("\\[\\{\"timestamp\":\\d+,\"sum\":10\\.0,\"count\":3,\"min\":2\\.0,\"max\":5\\.0}]");
        assertThat(get(a, "/metrics/unknown").body()).isEqualTo("[]");
        assertThat(get(a, "/metrics/a%20b%2Fc?from=0&to=1").body()).isEqualTo("[]");
        assertThat(get(a, "/metrics/a%20b%2Fc?limit=1").body()).contains("\"count\":3");
        assertThat(get(a, "/metrics/a%20b%2Fc?limit=0").statusCode()).isEqualTo(400);
        assertThat(get(a, "/metrics/a%20b%2Fc?limit=1001").statusCode()).isEqualTo(400);
        assertThat(get(a, "/metrics/a%20b%2Fc?from=x").statusCode()).isEqualTo(400);
        assertThat(get(a, "/metrics/a%20b%2Fc?from=10&to=5").statusCode()).isEqualTo(400);
        try (RawClient c = new RawClient(a, 5000)) {
            assertThat(c.send(RawClient.get("/metrics/bad%zz")).read().status()).isEqualTo(400);
            assertThat(c.send(RawClient.get("/metrics/bad%C3%28")).read().body()).contains("percent-encoded UTF-8");
        }
    }

    @Test
    void post_invalidInput_answersNamingTheField() throws Exception {
        InetSocketAddress a = start(TestServers.config().build());
        long now = System.currentTimeMillis();
        record Case(String body, int status, String code, String text) { }
        List<Case> cases = List.of(
                new Case("{\"name\":\"cpu\",", 400, "malformed_json", "malformed JSON"),
                new Case("", 400, "malformed_json", "empty"),
                new Case("{\"name\":\"x\",\"value\":1} {}", 400, "malformed_json", "after the JSON value"),
                new Case("{\"value\":1}", 422, "missing_field", "'name'"),
                new Case("{\"name\":\"x\"}", 422, "missing_field", "'value'"),
                new Case("{\"name\":1,\"value\":1}", 422, "wrong_type", "'name'"),
                new Case("{\"name\":\"x\",\"value\":\"1\"}", 422, "wrong_type", "'value'"),
                new Case("{\"name\":\"\",\"value\":1}", 422, "invalid_name", "empty"),
                new Case("{\"name\":\"" + "n".repeat(201) + "\",\"value\":1}", 422, "invalid_name", "longer than 200"),
                new Case("{\"name\":\"a\\u0000b\",\"value\":1}", 422, "invalid_name", "control"),
                new Case("{\"name\":\"x\",\"value\":1e400}", 422, "non_finite_value", "'value'"),
                new Case("{\"name\":\"x\",\"value\":1,\"timestamp\":1.5}", 422, "wrong_type", "'timestamp'"),
                new Case("{\"name\":\"x\",\"value\":1,\"timestamp\":1000}", 422, "timestamp_too_old", "'timestamp'"),
                new Case("{\"name\":\"x\",\"value\":1,\"timestamp\":" + (now + 3_600_000) + "}", 422, "timestamp_too_new", "'timestamp'"),
                new Case("{\"name\":\"x\",\"value\":1,\"timestamp\":99999999999999999999999}", 422, "timestamp_out_of_range", "'timestamp'"),
                new Case("[{\"name\":\"x\",\"value\":1},{\"name\":\"x\",\"value\":1,\"timestamp\":" + (now - 3_600_000) + "}]",
                        422, "timestamp_too_old", "element 1"),
                new Case("[{\"name\":\"x\",\"value\":1}, 5]", 422, "wrong_type", "element 1"),
                new Case("\"x\"", 422, "wrong_type", "object"),
                new Case("{\"name\":\"x\",\"name\":\"y\",\"value\":1}", 422, "duplicate_field", "'name'"));
        for (Case c : cases) {
            HttpResponse<String> r = post(a, c.body());
            assertThat(r.statusCode()).as(c.body()).isEqualTo(c.status());
            assertThat(r.body()).as(c.body()).contains("\"error\":\"" + c.code() + "\"").contains(c.text());
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        }
        assertThat(aggregator.counters().accepted()).isZero();
        HttpResponse<String> noType = send(HttpRequest.newBuilder(uri(a, "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"value\":1}")));
        assertThat(noType.statusCode()).isEqualTo(415);
        assertThat(get(a, "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(uri(a, "/metrics/x")).DELETE());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void post_batchTooLarge_413_andSeriesLimit_429_andOverloaded_503() throws Exception {
        Aggregator small = Aggregator.builder().maxSeries(2).maxPendingWindows(1).build();
        InetSocketAddress a = start(new InMemoryMetricStore(), TestServers.config().maxBatchSize(3).build(), small);
        assertThat(post(a, "[{\"name\":\"a\",\"value\":1},{\"name\":\"a\",\"value\":1},{\"name\":\"a\",\"value\":1},{\"name\":\"a\",\"value\":1}]")
                .statusCode()).isEqualTo(413);
        HttpResponse<String> limit = post(a, "[{\"name\":\"a\",\"value\":1},{\"name\":\"b\",\"value\":1},{\"name\":\"c\",\"value\":1}]");
        assertThat(limit.statusCode()).isEqualTo(429);
        assertThat(limit.body()).contains("series_limit").contains("element 2");
        assertThat(small.counters().accepted()).as("all or none").isZero();
        assertThat(post(a, "{\"name\":\"a\",\"value\":1}").statusCode()).isEqualTo(202);
        small.collect(); // not committed: one window pending, the bound of 1 is reached
        HttpResponse<String> over = post(a, "{\"name\":\"a\",\"value\":1}");
        assertThat(over.statusCode()).isEqualTo(503);
        assertThat(over.headers().firstValue("retry-after")).hasValue("5");
        assertThat(over.body()).contains("\"error\":\"overloaded\"");
        // Writes are refused now for every client: the instance is not ready.
        HttpResponse<String> ready = get(a, "/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"error\":\"overloaded\"").contains("--max-pending-windows");
    }

    @Test
    void ready_storeDown_staysReadyBecauseWritesAreStillTaken() throws Exception {
        MetricStore down = new ForwardingMetricStore(new InMemoryMetricStore()) {
            @Override
            public CompletableFuture<Void> checkReady() {
                return CompletableFuture.supplyAsync(() -> {
                    throw new StoreException(StoreException.Kind.UNAVAILABLE, "no route to store");
                });
            }
        };
        InetSocketAddress a = start(down, TestServers.config().build(), TestServers.aggregator());
        assertThat(get(a, "/health").body()).isEqualTo("{\"status\":\"ok\"}");
        HttpResponse<String> ready = get(a, "/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"ready\"");
        post(a, "{\"name\":\"x\",\"value\":1}");
        post(a, "{\"name\":\"\",\"value\":1}");
        HttpResponse<String> stats = get(a, "/stats");
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).contains("\"accepted\":1").contains("\"202\":1").contains("\"422\":1")
                .doesNotContain("\"503\"").contains("\"open\":").contains("\"transport\":\"" + server.transport() + "\"");
    }

    @Test
    void ready_okWithWorkingStore() throws Exception {
        InetSocketAddress a = start(TestServers.config().build());
        HttpResponse<String> r = get(a, "/ready");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"ready\"").contains("memory");
    }

    @Test
    void auth_bearerTokenRequiredForPost() throws Exception {
        InetSocketAddress a = start(TestServers.config().authToken("tok-123").build());
        HttpResponse<String> none = post(a, "{\"name\":\"x\",\"value\":1}");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("unauthorized");
        HttpResponse<String> ok = send(HttpRequest.newBuilder(uri(a, "/metrics")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer tok-123").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"value\":1}")));
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(get(a, "/metrics/x").statusCode()).isEqualTo(200);
    }

    @Test
    void keepAlive_pipelinedRequestsAnsweredInOrder() throws Exception {
        InetSocketAddress a = start(TestServers.config().build());
        try (RawClient c = new RawClient(a, 5000)) {
            c.send(RawClient.post("/metrics", "{\"name\":\"p\",\"value\":1}") + RawClient.get("/metrics/p")
                    + RawClient.get("/nope") + RawClient.post("/metrics", "{\"name\":\"p\",\"value\":2}") + RawClient.get("/metrics/p"));
            assertThat(c.read().status()).isEqualTo(202);
            RawClient.Response first = c.read();
            assertThat(first.body()).contains("\"count\":1");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.read().status()).isEqualTo(202);
            assertThat(c.read().body()).contains("\"count\":2");
        }
    }

    @Test
    void expect100Continue_thenBody() throws Exception {
        InetSocketAddress a = start(TestServers.config().build());
        String body = "{\"name\":\"e\",\"value\":1}";
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                    + body.length() + "\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            c.send(body);
            assertThat(c.read().status()).isEqualTo(202);
            // Too large: refused before the body is sent, without 100.
            c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void chunkedBody_accepted_andOverLimit413() throws Exception {
        InetSocketAddress a = start(TestServers.config().maxBodyBytes(100).build());
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "a\r\n{\"name\":\"c\r\nd\r\nh\",\"value\":7}\r\n0\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(202);
            c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "40\r\n" + " ".repeat(64) + "\r\n40\r\n" + " ".repeat(64) + "\r\n");
            assertThat(c.read().status()).isEqualTo(413);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(get(a, "/metrics/ch").body()).contains("\"sum\":7.0");
    }

    @Test
    void bodyOverLimit_answered413WithoutReadingIt() throws Exception {
        InetSocketAddress a = start(TestServers.config().build());
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n");
            RawClient.Response r = c.read(); // no byte of the body was sent
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("body_too_large");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void headerAndLineLimits_431And414() throws Exception {
        InetSocketAddress a = start(TestServers.config().maxHeaderBytes(1024).maxInitialLineBytes(256).build());
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(2000) + "\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(431);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("GET /metrics/" + "y".repeat(400) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(414);
        }
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("BLAH\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(400);
        }
    }

    @Test
    void idleConnection_closed() throws Exception {
        InetSocketAddress a = start(TestServers.config().idleTimeout(Duration.ofMillis(300)).build());
        try (RawClient c = new RawClient(a, 5000)) {
            c.send(RawClient.get("/health"));
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue(); // within the 5 s read timeout
        }
    }

    @Test
    void tricklingClient_gets408() throws Exception {
        InetSocketAddress a = start(TestServers.config().idleTimeout(Duration.ofSeconds(10))
                .requestReadTimeout(Duration.ofMillis(400)).build());
        try (RawClient c = new RawClient(a, 5000)) {
            String head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            c.send(head);
            RawClient.Response r = null;
            for (int i = 0; i < 40 && r == null; i++) {
                Thread.sleep(50);
                try {
                    c.send("a");
                } catch (java.io.IOException closed) {
                    break;
                }
            }
            r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void maxConnections_refusesExtraWith503() throws Exception {
        InetSocketAddress a = start(TestServers.config().maxConnections(2).build());
        try (RawClient c1 = new RawClient(a, 5000); RawClient c2 = new RawClient(a, 5000)) {
            c1.send(RawClient.get("/health"));
            c2.send(RawClient.get("/health"));
            assertThat(c1.read().status()).isEqualTo(200);
            assertThat(c2.read().status()).isEqualTo(200);
            try (RawClient c3 = new RawClient(a, 5000)) {
                RawClient.Response r = c3.read();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.body()).contains("too_many_connections");
                assertThat(r.header("retry-after")).isNotNull();
            }
            assertThat(server.counters().refusedConnections()).isEqualTo(1);
        }
        // once those are closed, new connections are served again
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.counters().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(get(a, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void connectionClose_andHttp10_closeAfterAnswer() throws Exception {
        InetSocketAddress a = start(TestServers.config().build());
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(a, 5000)) {
            c.send("GET /health HTTP/1.0\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void shutdown_finishesInFlightRequest_thenRefuses() throws Exception {
        CompletableFuture<List<dev.metricsservice.core.SeriesWindow>> slow = new CompletableFuture<>();
        MetricStore store = new ForwardingMetricStore(new InMemoryMetricStore()) {
            @Override
            public CompletableFuture<List<dev.metricsservice.core.SeriesWindow>> query(MetricQuery query) {
                return slow;
            }
        };
        InetSocketAddress a = start(store, TestServers.config().build(), TestServers.aggregator());
        try (RawClient busy = new RawClient(a, 5000); RawClient idle = new RawClient(a, 5000)) {
            idle.send(RawClient.get("/health"));
            assertThat(idle.read().status()).isEqualTo(200);
            busy.send(RawClient.get("/metrics/x"));
            while (server.counters().requestsByStatus().getOrDefault(200, 0L) < 1) {
                Thread.sleep(5);
            }
            Thread.sleep(100); // let the GET reach the store
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(5)));
            assertThat(idle.closedByServer()).as("idle keep-alive connection closed at once").isTrue();
            assertThat(stopped).isNotDone();
            slow.complete(List.of());
            RawClient.Response r = busy.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(stopped.get(10, TimeUnit.SECONDS)).as("drained in time").isTrue();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RawClient(a, 2000).read())
                .isInstanceOf(java.io.IOException.class);
    }
}
