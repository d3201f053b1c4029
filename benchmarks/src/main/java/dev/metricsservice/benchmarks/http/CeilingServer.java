package dev.metricsservice.benchmarks.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling of this machine for the HTTP benchmark: Netty on the same transport and thread
 * count as our server, with the same HTTP codec, answering every request with the same 202 body
 * as ours once the request has arrived, without looking at it. Whatever ours spends beyond this
 * is JSON parsing, validation, recording and our connection logic.
 */
final class CeilingServer implements AutoCloseable {

    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(Unpooled.directBuffer(16)
            .writeBytes("{\"accepted\":1}".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    private final EventLoopGroup group;
    private final Channel channel;
    private final String transport;

    private CeilingServer(EventLoopGroup group, Channel channel, String transport) {
        this.group = group;
        this.channel = channel;
        this.transport = transport;
    }

    static CeilingServer start(String host, int port, int threads) {
        return start(host, port, threads, BODY);
    }

    /**
     * A ceiling that answers every request with {@code body} instead of the 202 body: with the
     * bytes of our 20-window query answer it shows what sending that many bytes costs by itself.
     */
    static CeilingServer start(String host, int port, int threads, ByteBuf body) {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Channel ch = new ServerBootstrap().group(group).channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new Answer202(body));
                    }
                })
                .bind(host, port).syncUninterruptibly().channel();
        return new CeilingServer(group, ch, epoll ? "epoll" : "nio");
    }

    String transport() {
        return transport;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers each complete request with 202; writes in channelRead, flushes in channelReadComplete. */
    private static final class Answer202 extends ChannelInboundHandlerAdapter {
        private final ByteBuf body;

        Answer202(ByteBuf body) {
            this.body = body;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        body == BODY ? HttpResponseStatus.ACCEPTED : HttpResponseStatus.OK, body.duplicate());
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                ctx.write(r, ctx.voidPromise());
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
    }
}
