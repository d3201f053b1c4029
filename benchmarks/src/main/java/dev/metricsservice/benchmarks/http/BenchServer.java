package dev.metricsservice.benchmarks.http;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.http.HttpServerConfig;
import dev.metricsservice.http.MetricsHttpServer;
import dev.metricsservice.http.ServerInstrumentation;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a server for {@code benchmarks/http/run.sh} until killed: either ours (the metrics API
 * with an in-memory store and a flush every 10 s, as the app runs it) or the bare-Netty ceiling.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.http.BenchServer ours 18081 2
 * java -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.http.BenchServer ceiling 18082 2
 * </pre>
 * Arguments: mode ({@code ours} or {@code ceiling}), port on 127.0.0.1, event loop threads.
 */
public final class BenchServer {

    private BenchServer() {
    }

    /** A JSON answer of 20 rows shaped like ours, 10 s windows ending now. */
    static byte[] twentyRows() {
        StringBuilder sb = new StringBuilder("[");
        long w = System.currentTimeMillis() / 10_000 * 10;
        for (int i = 0; i < 20; i++) {
            double v = 20 - i;
            sb.append(i == 0 ? "" : ",").append("{\"timestamp\":").append(w - 10L * i).append(",\"sum\":").append(v)
                    .append(",\"count\":1,\"min\":").append(v).append(",\"max\":").append(v).append('}');
        }
        return sb.append(']').toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("ours") || args[0].equals("ceiling") || args[0].equals("ceiling-rows"))) {
            System.err.println("usage: BenchServer ours|ceiling|ceiling-rows <port> <threads>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        CountDownLatch stop = new CountDownLatch(1);
        if (args[0].startsWith("ceiling")) {
            // ceiling-rows answers with as many bytes as our answer to query.sh's GET of 20 windows.
            io.netty.buffer.ByteBuf body = args[0].equals("ceiling-rows") ? io.netty.buffer.Unpooled.unreleasableBuffer(
                    io.netty.buffer.Unpooled.directBuffer().writeBytes(twentyRows())).asReadOnly() : null;
            try (CeilingServer ceiling = body == null ? CeilingServer.start("127.0.0.1", port, threads)
                    : CeilingServer.start("127.0.0.1", port, threads, body)) {
                System.out.println("ceiling listening on 127.0.0.1:" + port + " (" + ceiling.transport() + ")");
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                stop.await();
            }
            return;
        }
        Aggregator aggregator = Aggregator.builder().build();
        InMemoryMetricStore store = new InMemoryMetricStore();
        HttpServerConfig config = HttpServerConfig.builder().port(port).ioThreads(threads).build();
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor();
        flusher.scheduleWithFixedDelay(() -> {
            CollectedBatch batch = aggregator.collect();
            store.write(batch.aggregates()).join();
            batch.commit();
        }, 10, 10, TimeUnit.SECONDS);
        MetricsHttpServer server = MetricsHttpServer.start(aggregator, store, config, ServerInstrumentation.NONE);
        System.out.println("ours listening on " + server.localAddress() + " (" + server.transport() + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown(Duration.ofSeconds(2));
            flusher.shutdownNow();
            stop.countDown();
        }));
        stop.await();
    }
}
