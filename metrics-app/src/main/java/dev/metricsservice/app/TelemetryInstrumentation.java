package dev.metricsservice.app;

import dev.metricsservice.http.ServerInstrumentation;
import dev.metricsservice.telemetry.Telemetry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import java.util.concurrent.ThreadFactory;

/** Lets the HTTP server report to telemetry without either module knowing the other. */
final class TelemetryInstrumentation implements ServerInstrumentation {

    private final Telemetry telemetry;

    TelemetryInstrumentation(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public EventLoopGroup newEventLoopGroup(int threads, IoHandlerFactory ioHandlerFactory, ThreadFactory threadFactory) {
        return telemetry.newEventLoopGroup(threads, ioHandlerFactory, threadFactory);
    }

    @Override
    public ChannelHandler channelHandler() {
        return telemetry.channelHandler();
    }

    @Override
    public void onRequest(String method, String route, int status, long requestBytes, long responseBytes,
                          long startNanos, long durationNanos) {
        telemetry.onRequest(method, route, status, requestBytes, responseBytes, startNanos, durationNanos);
    }
}
