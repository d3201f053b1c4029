package dev.metricsservice.http;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.core.store.MetricStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The metrics HTTP API on raw Netty: {@code POST /metrics}, {@code GET /metrics/{name}},
 * {@code GET /health}, {@code GET /ready}, {@code GET /stats}. It records into an
 * {@link Aggregator} and reads from a {@link MetricStore}; flushing the aggregator into the store
 * is the caller's job.
 *
 * <pre>{@code
 * try (MetricsHttpServer server = MetricsHttpServer.start(aggregator, store,
 *         HttpServerConfig.builder().port(3001).build(), ServerInstrumentation.NONE)) {
 *     System.out.println("listening on " + server.localAddress() + " (" + server.transport() + ")");
 *     awaitStopSignal();
 * } // close(): stop accepting, finish in-flight requests within shutdownTimeout, close
 * }</pre>
 *
 * <p>Uses the native epoll transport when available (and allowed by the config), NIO otherwise.
 * Event loops never block: store calls complete asynchronously and their answers are written on
 * the connection's own event loop; aggregator statistics are read on a separate thread.
 *
 * <p>Thread-safe: {@link #counters()}, {@link #shutdown(Duration)} and {@link #close()} may be called
 * from any thread; shutting down more than once is harmless.
 */
public final class MetricsHttpServer implements AutoCloseable {

    private final ServerState state;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ExecutorService offLoop;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private MetricsHttpServer(ServerState state, EventLoopGroup group, Channel serverChannel, ExecutorService offLoop) {
        this.state = state;
        this.group = group;
        this.serverChannel = serverChannel;
        this.offLoop = offLoop;
    }

    /**
     * Starts listening.
     *
     * @throws IllegalStateException if the address cannot be bound (the message says which and why)
     */
    public static MetricsHttpServer start(Aggregator aggregator, MetricStore store, HttpServerConfig config,
                                          ServerInstrumentation instrumentation) {
        return start(aggregator, store, config, instrumentation, null);
    }

    /**
     * Starts listening with every POST going through {@code durable} (null for none): a 202 then
     * means the batch is on disk. The idempotency keys of batches it replayed are known again.
     */
    public static MetricsHttpServer start(Aggregator aggregator, MetricStore store, HttpServerConfig config,
                                          ServerInstrumentation instrumentation, DurableIngest durable) {
        Objects.requireNonNull(aggregator, "aggregator");
        if (durable != null && durable.aggregator() != aggregator) {
            throw new IllegalArgumentException("the durable log drives another aggregator than the server's");
        }
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(instrumentation, "instrumentation");
        boolean epoll = config.preferNativeTransport() && Epoll.isAvailable();
        IoHandlerFactory ioFactory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = instrumentation.newEventLoopGroup(threads, ioFactory, new DefaultThreadFactory("metrics-http"));
        ExecutorService offLoop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http-stats");
            t.setDaemon(true);
            return t;
        });
        ServerState state = new ServerState(aggregator, store, config, instrumentation,
                new DefaultChannelGroup("metrics-http", GlobalEventExecutor.INSTANCE), offLoop, epoll ? "epoll" : "nio",
                durable);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new MetricsHttpInitializer(state))
                    .bind(new InetSocketAddress(config.bindHost(), config.port()))
                    .syncUninterruptibly()
                    .channel();
            return new MetricsHttpServer(state, group, channel, offLoop);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            offLoop.shutdownNow();
            throw new IllegalStateException("cannot listen on " + config.bindHost() + ":" + config.port() + ": " + e, e);
        }
    }

    /** The aggregator is the source of truth; a config that says otherwise is a wiring mistake. */
    /** The address actually bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** {@code "epoll"} or {@code "nio"}. */
    public String transport() {
        return state.transport;
    }

    /** The server's own counters. */
    public ServerCounters counters() {
        return state.counters();
    }

    /**
     * Stops gracefully: stops accepting, lets requests in progress finish (idle keep-alive
     * connections are closed at once, busy ones after their current answer) for at most
     * {@code timeout}, then closes every connection and the event loops.
     *
     * @return true when every in-flight request was answered before the deadline
     */
    public boolean shutdown(Duration timeout) {
        if (!stopped.compareAndSet(false, true)) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        state.shuttingDown = true;
        serverChannel.close().syncUninterruptibly();
        for (Channel ch : state.channels) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(ConnectionEvent.SHUTDOWN));
        }
        boolean drained = true;
        while (state.inFlight.sum() > 0) {
            if (System.nanoTime() - deadline > 0) {
                drained = false;
                break;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                drained = false;
                break;
            }
        }
        state.channels.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        offLoop.shutdownNow();
        return drained;
    }

    /** {@link #shutdown(Duration)} with the configured {@code shutdownTimeout}. */
    @Override
    public void close() {
        shutdown(state.config.shutdownTimeout());
    }
}
