package dev.metricsservice.loadgen.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Native epoll when the platform has it, else NIO; the event-loop group and channel class to go with it. */
public record Transport(String name, EventLoopGroup group, Class<? extends SocketChannel> channelClass) {

    /** Creates a group with {@code threads} event loops (0 = Netty's default). */
    public static Transport create(int threads) {
        if (Epoll.isAvailable()) {
            return new Transport("epoll", new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory()),
                    EpollSocketChannel.class);
        }
        return new Transport("nio", new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory()),
                NioSocketChannel.class);
    }
}
