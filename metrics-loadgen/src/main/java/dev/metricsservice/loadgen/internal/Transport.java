package dev.metricsservice.loadgen.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ThreadFactory;

/** Native epoll when the platform has it, else NIO; the event-loop group and channel class to go with it. */
public record Transport(String name, EventLoopGroup group, Class<? extends SocketChannel> channelClass) {

    /**
     * Creates a group with {@code threads} event loops (0 = one per available processor: a client loop is never
     * blocked, so more loops than cores would only add context switches), daemon threads named
     * {@code loadgen-io-*} so that they never keep a JVM alive and can be told apart in profiles and benchmarks.
     */
    public static Transport create(int threads) {
        ThreadFactory names = new DefaultThreadFactory("loadgen-io", true);
        if (threads == 0) {
            threads = Runtime.getRuntime().availableProcessors();
        }
        if (Epoll.isAvailable()) {
            return new Transport("epoll", new MultiThreadIoEventLoopGroup(threads, names,
                    EpollIoHandler.newFactory()), EpollSocketChannel.class);
        }
        return new Transport("nio", new MultiThreadIoEventLoopGroup(threads, names, NioIoHandler.newFactory()),
                NioSocketChannel.class);
    }
}
