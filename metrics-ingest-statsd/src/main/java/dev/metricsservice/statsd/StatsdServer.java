package dev.metricsservice.statsd;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.DurableIngest;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The StatsD / DogStatsD listener over UDP: several reading threads on one port (SO_REUSEPORT with
 * the native epoll transport), several lines per datagram, each line judged on its own.
 *
 * <pre>{@code
 * try (StatsdServer statsd = StatsdServer.start(aggregator, durableOrNull, StatsdConfig.defaults())) {
 *     ... // clients send "requests:1|c|#route:/api" to 127.0.0.1:8125
 *     Map<String, Long> counters = statsd.counters();   // lines accepted, dropped by reason
 * }
 * }</pre>
 * Thread-safe. UDP has no acknowledgement: what the kernel drops (receive buffer full) is lost
 * before we see it; what we drop is counted by reason in {@link #counters()}.
 */
public final class StatsdServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final StatsdIngest ingest;
    private final String transport;

    /** The TCP listener's channel, or null when there is none. */
    private final Channel tcp;

    private StatsdServer(EventLoopGroup group, List<Channel> channels, Channel tcp, StatsdIngest ingest, String transport) {
        this.group = group;
        this.channels = channels;
        this.tcp = tcp;
        this.ingest = ingest;
        this.transport = transport;
    }

    /**
     * Binds and starts reading.
     *
     * @param durable the durable log samples go through before they are recorded; null for none
     * @throws IllegalStateException if the address cannot be bound (the message says which)
     */
    public static StatsdServer start(Aggregator aggregator, DurableIngest durable, StatsdConfig config) {
        return start(aggregator, durable, config, null);
    }

    /**
     * Binds UDP and, when {@code tcpAddress} is given, a TCP listener for newline-delimited lines
     * (a line longer than {@code maxDatagramBytes} closes its connection, counted).
     */
    public static StatsdServer start(Aggregator aggregator, DurableIngest durable, StatsdConfig config,
                                     InetSocketAddress tcpAddress) {
        Objects.requireNonNull(aggregator, "aggregator");
        boolean epoll = Epoll.isAvailable();
        int readers = epoll ? config.readers() : 1;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(readers,
                new DefaultThreadFactory("metrics-statsd"), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        StatsdIngest ingest = new StatsdIngest(aggregator, durable, config.maxValuesPerLine(), config.maxGauges());
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(config.maxDatagramBytes()))
                .handler(new DatagramHandler(ingest, config.maxDatagramBytes()));
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        List<Channel> channels = new ArrayList<>();
        Channel tcp = null;
        try {
            Channel first = b.bind(new InetSocketAddress(config.host(), config.port())).syncUninterruptibly().channel();
            channels.add(first);
            int port = ((InetSocketAddress) first.localAddress()).getPort();
            for (int i = 1; i < readers; i++) {
                channels.add(b.bind(new InetSocketAddress(config.host(), port)).syncUninterruptibly().channel());
            }
            if (tcpAddress != null) {
                tcp = new io.netty.bootstrap.ServerBootstrap()
                        .group(group)
                        .channel(epoll ? io.netty.channel.epoll.EpollServerSocketChannel.class
                                : io.netty.channel.socket.nio.NioServerSocketChannel.class)
                        .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new io.netty.handler.codec.LineBasedFrameDecoder(
                                        config.maxDatagramBytes(), true, false), new TcpLineHandler(ingest));
                            }
                        })
                        .bind(tcpAddress).syncUninterruptibly().channel();
            }
        } catch (RuntimeException e) {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen for StatsD on " + config.host() + ":" + config.port()
                    + (tcpAddress != null ? " (udp) / " + tcpAddress + " (tcp)" : " (udp)") + ": " + e, e);
        }
        return new StatsdServer(group, channels, tcp, ingest, epoll ? "epoll, " + readers + " readers" : "nio");
    }

    /** The address bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /** The TCP listener's address, if there is one. */
    public java.util.Optional<InetSocketAddress> tcpAddress() {
        return tcp == null ? java.util.Optional.empty() : java.util.Optional.of((InetSocketAddress) tcp.localAddress());
    }

    /** Which transport reads, and with how many threads. */
    public String transport() {
        return transport;
    }

    /** Datagrams, lines and samples accepted, and what was dropped or refused, by reason. */
    public Map<String, Long> counters() {
        return ingest.counters();
    }

    @Override
    public void close() {
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        channels.forEach(c -> c.close().syncUninterruptibly());
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One per channel, so one per reading thread: its byte array and parser are confined to it. */
    private static final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final StatsdIngest ingest;
        private final int maxDatagramBytes;

        DatagramHandler(StatsdIngest ingest, int maxDatagramBytes) {
            this.ingest = ingest;
            this.maxDatagramBytes = maxDatagramBytes;
        }

        @Override
        public boolean isSharable() {
            return true; // state lives in the per-thread reader below
        }

        private final io.netty.util.concurrent.FastThreadLocal<Object[]> perThread = new io.netty.util.concurrent.FastThreadLocal<>() {
            @Override
            protected Object[] initialValue() {
                return new Object[] {new byte[maxDatagramBytes], ingest.reader()};
            }
        };

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            Object[] state = perThread.get();
            byte[] bytes = (byte[]) state[0];
            ByteBuf content = packet.content();
            int n = Math.min(content.readableBytes(), bytes.length);
            content.getBytes(content.readerIndex(), bytes, 0, n);
            ((StatsdIngest.Reader) state[1]).accept(bytes, 0, n);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A receive error on a datagram socket does not close it; it is counted and reading goes on.
            ingest.receiveErrors.increment();
        }
    }

    /** One line per message (the frame decoder split them); lines of one read are recorded together. */
    private static final class TcpLineHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final StatsdIngest ingest;
        private final StatsdIngest.Reader reader;
        private byte[] pending = new byte[8192];
        private int pendingBytes;

        TcpLineHandler(StatsdIngest ingest) {
            this.ingest = ingest;
            this.reader = ingest.reader();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            int n = line.readableBytes();
            if (pendingBytes + n + 1 > pending.length) {
                pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, pendingBytes + n + 1));
            }
            line.getBytes(line.readerIndex(), pending, pendingBytes, n);
            pendingBytes += n;
            pending[pendingBytes++] = '\n';
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pendingBytes > 0) {
                reader.accept(pending, 0, pendingBytes);
                pendingBytes = 0;
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A line longer than the limit (TooLongFrameException) or a reset: counted, connection closed.
            ingest.tcpErrors.increment();
            ctx.close();
        }
    }
}
