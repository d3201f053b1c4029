package dev.metricsservice.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.telemetry.reader.TraceEvent;
import dev.metricsservice.telemetry.reader.TraceReader;
import dev.metricsservice.telemetry.reader.TraceSummary;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TelemetryEventLoopTest {
    @TempDir
    Path dir;

    private Telemetry telemetry;
    private EventLoopGroup group;

    private void start() {
        telemetry = Telemetry.start(TelemetryConfig.defaults().withDirectory(dir).withRecordGc(false));
        group = telemetry.newEventLoopGroup(1, NioIoHandler.newFactory(), new DefaultThreadFactory("traced-loop"));
    }

    @AfterEach
    void stop() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (telemetry != null) {
            telemetry.close();
        }
    }

    private TraceSummary summarize(List<TraceEvent> sink) throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        group = null;
        telemetry.close();
        TraceSummary summary = new TraceSummary(Duration.ofMillis(10).toNanos());
        TraceReader.read(dir, e -> {
            summary.onEvent(e);
            sink.add(e);
        });
        return summary;
    }

    /** A named task class, so the report can name it. */
    static final class SleepyTask implements Runnable {
        @Override
        public void run() {
            sleep(50);
        }
    }

    @Test
    void blockedLoop_sleepingTask_isReportedWithItsName() throws Exception {
        start();
        group.submit(new SleepyTask()).sync();
        group.submit(() -> { }).sync();
        List<TraceEvent> events = new ArrayList<>();
        TraceSummary summary = summarize(events);

        assertThat(summary.blocked()).anySatisfy(b -> {
            assertThat(b.what()).isEqualTo("TelemetryEventLoopTest$SleepyTask");
            assertThat(b.loop()).startsWith("traced-loop");
            assertThat(b.durationNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        });
        assertThat(summary.render()).contains("event loop traced-loop").contains("blocked for")
                .contains("by TelemetryEventLoopTest$SleepyTask");
        assertThat(events).anyMatch(e -> e.type().equals("io_totals")); // short rounds are totalled
        assertThat(events).anyMatch(e -> e.type().equals("task_start")
                && e.text("task").equals("TelemetryEventLoopTest$SleepyTask"));
    }

    /** Sleeps in channelRead, answers "ok" and reports the request. */
    final class SleepyHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long start = Telemetry.nanoTime();
            int bytes = ((ByteBuf) msg).readableBytes();
            ((ByteBuf) msg).release();
            sleep(50);
            ByteBuf reply = ctx.alloc().buffer(2).writeBytes("ok".getBytes(StandardCharsets.US_ASCII));
            ctx.writeAndFlush(reply);
            telemetry.onRequest("POST", "/sleepy", 202, bytes, 2, start, Telemetry.nanoTime() - start);
        }
    }

    @Test
    void blockedLoop_sleepingHandler_isReportedAsAChannelRead() throws Exception {
        start();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(telemetry.channelHandler(), new SleepyHandler());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(2)).isEqualTo("ok".getBytes(StandardCharsets.US_ASCII));
        }
        server.close().sync();
        List<TraceEvent> events = new ArrayList<>();
        TraceSummary summary = summarize(events);

        assertThat(summary.blocked()).anySatisfy(b -> assertThat(b.what())
                .isEqualTo("channelRead in TelemetryEventLoopTest$SleepyHandler"));
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo("channel_read");
            assertThat(e.value("bytes", -1)).isEqualTo(5);
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo("http_request");
            assertThat(e.text("route")).isEqualTo("/sleepy");
            assertThat(e.value("requestBytes", -1)).isEqualTo(5);
            assertThat(e.threadName()).startsWith("traced-loop");
        });
    }

    @Test
    void scheduling_tasksFromOtherThreads_recordDelayAndQueueDepth() throws Exception {
        start();
        int tasks = 200;
        for (int i = 0; i < tasks; i++) {
            group.execute(() -> sleep(0));
        }
        group.submit(() -> sleep(30)).sync();
        // Samples come from the writer every 10 ms; on a loaded machine wait for one rather than for a fixed time.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean[] sampled = {false};
        while (!sampled[0] && System.nanoTime() < deadline) {
            Thread.sleep(10);
            TraceReader.read(dir, e -> sampled[0] |= e.type().equals("queue_depth")
                    && e.text("loop").startsWith("traced-loop"));
        }
        List<TraceEvent> events = new ArrayList<>();
        summarize(events);
        assertThat(events.stream().filter(e -> e.type().equals("task_start")).count()).isGreaterThanOrEqualTo(tasks);
        assertThat(events).anyMatch(e -> e.type().equals("task_start") && e.value("scheduleDelayNanos", 0) > 0);
        assertThat(events).anyMatch(e -> e.type().equals("queue_depth") && e.text("loop").startsWith("traced-loop"));
    }

    @Test
    void setEnabled_false_recordsNothingUntilSwitchedBackOn() throws Exception {
        start();
        telemetry.setEnabled(false);
        assertThat(telemetry.isEnabled()).isFalse();
        telemetry.onRequest("GET", "/off", 200, 0, 0, Telemetry.nanoTime(), 1);
        telemetry.recordFlush(Telemetry.nanoTime(), 1, 1, 1, 0, "off");
        group.submit(() -> { }).sync();
        telemetry.setEnabled(true);
        telemetry.onRequest("GET", "/on", 200, 0, 0, Telemetry.nanoTime(), 1);
        telemetry.recordFlush(Telemetry.nanoTime(), 5, 2, 3, 1, "ok");
        telemetry.recordSpan("custom", Telemetry.nanoTime(), 7, 42);
        telemetry.recordEvent("marker", 9);
        List<TraceEvent> events = new ArrayList<>();
        summarize(events);
        assertThat(events).noneMatch(e -> "/off".equals(e.text("route")) || "off".equals(e.text("outcome")));
        assertThat(events).anyMatch(e -> "/on".equals(e.text("route")));
        assertThat(events).anyMatch(e -> e.type().equals("flush") && e.value("retries", -1) == 1);
        assertThat(events).anyMatch(e -> e.type().equals("span") && e.value("value", 0) == 42);
        assertThat(events).anyMatch(e -> e.type().equals("event") && "marker".equals(e.text("name")));
        TelemetryStats stats = telemetry.stats();
        assertThat(stats.eventsWritten()).isEqualTo(events.size());
        assertThat(stats.filesSealed()).isEqualTo(1);
        assertThat(stats.eventsDropped()).isZero();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
