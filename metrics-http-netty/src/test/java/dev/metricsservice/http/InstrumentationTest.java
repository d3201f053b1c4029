package dev.metricsservice.http;

import dev.metricsservice.testsupport.NettyLeakCheck;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.InMemoryMetricStore;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The server calls every {@link ServerInstrumentation} hook as the contract says. */
class InstrumentationTest {

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    @ChannelHandler.Sharable
    static final class CountingReads extends ChannelInboundHandlerAdapter {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reads.incrementAndGet();
            ctx.fireChannelRead(msg);
        }
    }

    @Test
    void hooks_calledWithRequestFacts() throws Exception {
        AtomicInteger groups = new AtomicInteger();
        CountingReads handler = new CountingReads();
        List<String> requests = new CopyOnWriteArrayList<>();
        ServerInstrumentation hooks = new ServerInstrumentation() {
            @Override
            public EventLoopGroup newEventLoopGroup(int threads, IoHandlerFactory factory, ThreadFactory threadFactory) {
                groups.incrementAndGet();
                return ServerInstrumentation.super.newEventLoopGroup(threads, factory, threadFactory);
            }

            @Override
            public ChannelHandler channelHandler() {
                return handler;
            }

            @Override
            public void onRequest(String method, String route, int status, long requestBytes, long responseBytes,
                                  long startNanos, long durationNanos) {
                assertThat(durationNanos).isNotNegative();
                requests.add(method + " " + route + " " + status + " " + requestBytes + " " + responseBytes);
            }
        };
        try (MetricsHttpServer server = MetricsHttpServer.start(TestServers.aggregator(), new InMemoryMetricStore(),
                TestServers.config().build(), hooks)) {
            InetSocketAddress a = server.localAddress();
            try (RawClient c = new RawClient(a, 5000)) {
                String body = "{\"name\":\"i\",\"value\":1}";
                assertThat(c.send(RawClient.post("/metrics", body)).read().status()).isEqualTo(202);
                assertThat(c.send(RawClient.get("/metrics/i")).read().status()).isEqualTo(200);
                assertThat(c.send(RawClient.get("/x")).read().status()).isEqualTo(404);
            }
        }
        assertThat(groups).hasValue(1);
        assertThat(handler.reads.get()).isPositive();
        assertThat(requests).hasSize(3);
        assertThat(requests.get(0)).isEqualTo("POST /metrics 202 22 14");
        assertThat(requests.get(1)).startsWith("GET /metrics/{name} 200 0 ");
        assertThat(requests.get(2)).startsWith("GET other 404 0 ");
    }
}
