package dev.metricsservice.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.ThreadFactory;

/**
 * Hooks through which a telemetry module observes the server without this module depending on
 * it. Every method has a default that does nothing extra, so an implementation overrides only
 * what it records.
 *
 * <pre>{@code
 * ServerInstrumentation hooks = new ServerInstrumentation() {
 *     @Override
 *     public void onRequest(String method, String route, int status, long requestBytes,
 *                           long responseBytes, long startNanos, long durationNanos) {
 *         spans.record(route, status, durationNanos);   // must not block: runs on an event loop
 *     }
 * };
 * MetricsHttpServer.start(aggregator, store, HttpServerConfig.defaults(), hooks);
 * }</pre>
 *
 * <p>Implementations must be thread-safe: {@link #onRequest} is called concurrently from every
 * event loop, and must neither block nor throw.
 */
public interface ServerInstrumentation {

    /** No instrumentation: the plain event loop group, no extra handler, no request callback. */
    ServerInstrumentation NONE = new ServerInstrumentation() { };

    /**
     * Creates the event loop group the server runs on. The server picks the transport (epoll or
     * NIO) and passes the matching factory.
     *
     * @param threads          number of event loops
     * @param ioHandlerFactory the transport's I/O handler factory
     * @param threadFactory    names the server's threads
     */
    default EventLoopGroup newEventLoopGroup(int threads, IoHandlerFactory ioHandlerFactory,
                                             ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory);
    }

    /**
     * An optional {@code @Sharable} handler added at the head of every accepted channel's
     * pipeline, or null for none.
     */
    default ChannelHandler channelHandler() {
        return null;
    }

    /**
     * Called on the channel's event loop when a response has been handed to the channel.
     *
     * @param method        the request method, such as {@code "POST"}
     * @param route         the matched route template, such as {@code "/metrics/{name}"}, or
     *                      {@code "other"} when none matched
     * @param status        the HTTP status code sent
     * @param requestBytes  request body bytes received
     * @param responseBytes response body bytes sent
     * @param startNanos    {@link System#nanoTime()} when the request head arrived
     * @param durationNanos from the request head to the response
     */
    default void onRequest(String method, String route, int status, long requestBytes, long responseBytes,
                           long startNanos, long durationNanos) {
    }

    /**
     * Extra sections for {@code GET /stats}, such as the application's flush worker state. Called
     * on a thread that is not an event loop, once per request. Keys become JSON fields; values may
     * be maps (written as objects), numbers, booleans, strings or null. Default: none.
     */
    /**
     * Adds the embedder's metric families to {@code GET /metrics} (called off the event loop, once
     * per scrape). Default: none.
     */
    default void writeMetrics(Exposition exposition) {
    }

    default java.util.Map<String, Object> extraStats() {
        return java.util.Map.of();
    }
}
