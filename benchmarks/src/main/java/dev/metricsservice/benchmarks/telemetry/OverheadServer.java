package dev.metricsservice.benchmarks.telemetry;

import dev.metricsservice.telemetry.Telemetry;
import dev.metricsservice.telemetry.TelemetryConfig;
import dev.metricsservice.telemetry.TelemetryStats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Minimal HTTP server for the telemetry overhead benchmark: answers every POST with 202 and an empty body.
 * Modes: {@code none} (plain Netty group, no telemetry), {@code off} (instrumented, recording switched off),
 * {@code on} (instrumented and recording). Binds 127.0.0.1 only; stops on SIGTERM and prints one summary line.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.telemetry.OverheadServer \
 *      --port 18080 --mode on --threads 1 --dir /tmp/telemetry-bench [--alternate-ms 1000 --skip-ms 3000]
 * </pre>
 * With {@code --alternate-ms} recording is switched on and off every period and {@link AlternatingProbe} reports
 * paired on/off ratios at shutdown.
 * Driven by {@code benchmarks/telemetry/run.sh}.
 */
public final class OverheadServer {
    private OverheadServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = 18080;
        String mode = "on";
        int threads = 1;
        Path dir = Path.of("/tmp/telemetry-bench");
        long alternateMillis = 0;
        long skipMillis = 3000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--mode" -> mode = args[i + 1];
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--alternate-ms" -> alternateMillis = Long.parseLong(args[i + 1]);
                case "--skip-ms" -> skipMillis = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!mode.equals("none") && !mode.equals("off") && !mode.equals("on")) {
            throw new IllegalArgumentException("--mode must be none, off or on, was " + mode);
        }
        Telemetry telemetry = mode.equals("none") ? null
                : Telemetry.start(TelemetryConfig.defaults().withDirectory(dir).withServiceName("overhead-bench")
                        .withEnabledAtStart(mode.equals("on")));
        ThreadFactory tf = new DefaultThreadFactory("bench-loop");
        IoHandlerFactory io = NioIoHandler.newFactory();
        EventLoopGroup group = telemetry == null ? new MultiThreadIoEventLoopGroup(threads, tf, io)
                : telemetry.newEventLoopGroup(threads, io, tf);
        LongAdder requests = new LongAdder();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new OverheadInitializer(telemetry, requests))
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        System.out.println("listening on 127.0.0.1:" + port + " mode " + mode);
        AlternatingProbe probe = null;
        if (alternateMillis > 0) {
            if (telemetry == null) {
                throw new IllegalArgumentException("--alternate-ms needs --mode on or off");
            }
            probe = new AlternatingProbe(telemetry, requests, alternateMillis, skipMillis);
            Thread t = new Thread(probe, "bench-alternate");
            t.setDaemon(true);
            t.start();
        }
        AlternatingProbe alternating = probe;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (alternating != null) {
                    alternating.stop();
                    System.out.println(alternating.report());
                }
                server.close().syncUninterruptibly();
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
                String stats = "";
                if (telemetry != null) {
                    telemetry.close();
                    TelemetryStats s = telemetry.stats();
                    stats = String.format(Locale.ROOT,
                            " events=%d dropped=%d bytes=%d bytesPerEvent=%.2f bytesPerRequest=%.2f",
                            s.eventsWritten(), s.eventsDropped(), s.bytesWritten(), s.bytesPerEvent(),
                            requests.sum() == 0 ? 0.0 : (double) s.bytesWritten() / requests.sum());
                }
                System.out.println("RESULT mode=" + args0(args) + " requests=" + requests.sum() + stats);
                System.out.flush();
            } finally {
                stopped.countDown();
            }
        }, "bench-shutdown"));
        server.closeFuture().await();
        stopped.await();
    }

    private static String args0(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--mode")) {
                return args[i + 1];
            }
        }
        return "on";
    }
}
