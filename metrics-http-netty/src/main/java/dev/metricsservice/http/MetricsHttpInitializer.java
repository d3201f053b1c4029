package dev.metricsservice.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds each accepted connection's pipeline, or refuses the connection over the limit:
 * {@code timeouts} (idle and read clocks) → {@code codec} (HTTP/1.1) → {@code admission} (judges
 * each head) → {@code api} (bodies, answers in order).
 */
final class MetricsHttpInitializer extends ChannelInitializer<SocketChannel> {

    private final ServerState server;
    private final Api api;
    private final AdmissionHandler admission;
    private final HttpDecoderConfig decoderConfig;

    MetricsHttpInitializer(ServerState server) {
        this.server = server;
        this.api = new Api(server);
        this.admission = new AdmissionHandler(server.config);
        HttpServerConfig c = server.config;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(c.maxInitialLineBytes())
                .setMaxHeaderSize(c.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        server.acceptedConnections.increment();
        int open = server.openConnections.incrementAndGet();
        ch.closeFuture().addListener(f -> server.openConnections.decrementAndGet());
        ChannelPipeline p = ch.pipeline();
        ChannelHandler hook = server.instrumentation.channelHandler();
        if (hook != null) {
            p.addLast("instrumentation", hook);
        }
        if (open > server.config.maxConnections() || server.shuttingDown) {
            server.refusedConnections.increment();
            p.addLast("refuse", new Refuse(Responses.tooManyConnections(server.config.retryAfterSeconds())));
            return;
        }
        java.net.InetSocketAddress remote = ch.remoteAddress();
        if (remote != null && remote.getAddress() != null) {
            java.net.InetAddress address = remote.getAddress();
            if (!server.addressLimits.tryAcquire(address)) {
                p.addLast("refuse", new Refuse(Responses.tooManyConnectionsFromAddress(
                        server.config.maxConnectionsPerAddress(), server.config.retryAfterSeconds())));
                return;
            }
            ch.closeFuture().addListener(f -> server.addressLimits.release(address));
        }
        server.channels.add(ch);
        ConnectionTimeouts timeouts = new ConnectionTimeouts(server.config);
        p.addLast("timeouts", timeouts);
        p.addLast("codec", new HttpServerCodec(decoderConfig.clone()));
        p.addLast("admission", admission);
        p.addLast("api", new RequestHandler(server, api, timeouts));
    }

    /** Answers 503 without reading anything and closes. */
    private static final class Refuse extends ChannelInboundHandlerAdapter {
        private final io.netty.buffer.ByteBuf answer;

        Refuse(io.netty.buffer.ByteBuf answer) {
            this.answer = answer;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            LingeringClose.after(ctx.writeAndFlush(answer));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }
}
