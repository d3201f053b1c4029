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

    private StatsdServer(EventLoopGroup group, List<Channel> channels, StatsdIngest ingest, String transport) {
        this.group = group;
        this.channels = channels;
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
        try {
            Channel first = b.bind(new InetSocketAddress(config.host(), config.port())).syncUninterruptibly().channel();
            channels.add(first);
            int port = ((InetSocketAddress) first.localAddress()).getPort();
            for (int i = 1; i < readers; i++) {
                channels.add(b.bind(new InetSocketAddress(config.host(), port)).syncUninterruptibly().channel());
            }
        } catch (RuntimeException e) {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen for StatsD on udp " + config.host() + ":" + config.port()
                    + ": " + e, e);
        }
        return new StatsdServer(group, channels, ingest, epoll ? "epoll, " + readers + " readers" : "nio");
    }

    /** The address bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
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
}
