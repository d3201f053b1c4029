package dev.metricsservice.loadgen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Netty HTTP server on 127.0.0.1 that does no work: 202 to POST, {@code []} to GET. Modes for failure tests:
 * {@link Mode#SILENT} reads requests and never answers (timeouts), {@link Mode#CLOSE} closes the connection on
 * each request (resets). Used as the "answers without work" baseline of the throughput benchmark.
 */
final class TrivialNettyServer implements AutoCloseable {

    enum Mode { ANSWER, SILENT, CLOSE, ANSWER_CLOSE_IDLE, ANSWER_AFTER_100MS }

    /** Prefix of the server's event-loop thread names (the benchmark measures their CPU time). */
    static final String THREAD_PREFIX = "trivial-server";

    private static final byte[] EMPTY_ARRAY = "[]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final EventLoopGroup group;
    private final Channel serverChannel;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong connections = new AtomicLong();

    TrivialNettyServer(Mode mode, int threads) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(threads,
                new io.netty.util.concurrent.DefaultThreadFactory(THREAD_PREFIX, true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerSocketChannel> channelClass = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        serverChannel = new ServerBootstrap().group(group).channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        if (mode == Mode.ANSWER_CLOSE_IDLE) {
                            // Like a server's idle-connection timeout: close after 300 ms without traffic.
                            ch.pipeline().addLast(new io.netty.handler.timeout.IdleStateHandler(0, 0, 300,
                                    java.util.concurrent.TimeUnit.MILLISECONDS) {
                                @Override
                                protected void channelIdle(ChannelHandlerContext ctx,
                                                           io.netty.handler.timeout.IdleStateEvent evt) {
                                    ctx.close();
                                }
                            });
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        requests.incrementAndGet();
                                        switch (mode) {
                                            case SILENT -> { }
                                            case CLOSE -> ctx.close();
                                            case ANSWER, ANSWER_CLOSE_IDLE -> ctx.write(answer(req));
                                            case ANSWER_AFTER_100MS -> {
                                                FullHttpResponse res = answer(req);
                                                ctx.executor().schedule(() -> ctx.writeAndFlush(res), 100,
                                                        java.util.concurrent.TimeUnit.MILLISECONDS);
                                            }
                                            default -> throw new IllegalStateException();
                                        }
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        ctx.flush();
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private static FullHttpResponse answer(FullHttpRequest req) {
        boolean post = req.method().name().equals("POST");
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                post ? HttpResponseStatus.ACCEPTED : HttpResponseStatus.OK,
                post ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(EMPTY_ARRAY));
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        return res;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) serverChannel.localAddress()).getPort());
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
