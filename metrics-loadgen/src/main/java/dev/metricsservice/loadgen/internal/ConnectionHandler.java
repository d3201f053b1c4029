package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Per-connection state: the one request in flight, its timeout, and handing the connection back to the pool.
 * All state is touched only on the channel's event loop ({@link #send} hops there first).
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private final ConnectionPool pool;
    private final String hostHeader;
    private final long requestTimeoutNanos;

    private ChannelHandlerContext ctx;
    private ResponseListener pending;
    private boolean pendingWantsBody;
    private long sentNanos;
    private ScheduledFuture<?> timeout;

    ConnectionHandler(ConnectionPool pool, String hostHeader, long requestTimeoutNanos) {
        this.pool = pool;
        this.hostHeader = hostHeader;
        this.requestTimeoutNanos = requestTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void send(HttpRequestSpec request, ResponseListener listener) {
        if (ctx.executor().inEventLoop()) {
            write(request, listener);
        } else {
            ctx.executor().execute(() -> write(request, listener));
        }
    }

    private void write(HttpRequestSpec spec, ResponseListener listener) {
        if (!ctx.channel().isActive() || pending != null) {
            listener.onFailure(FailureCause.NOT_SENT, 0);
            return;
        }
        FullHttpRequest request;
        if (spec.post()) {
            ByteBuf body = ctx.alloc().buffer(spec.body().length).writeBytes(spec.body());
            request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, spec.pathAndQuery(), body);
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, spec.body().length);
        } else {
            request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, spec.pathAndQuery(),
                    ctx.alloc().buffer(0));
        }
        request.headers().set(HttpHeaderNames.HOST, hostHeader);
        pending = listener;
        pendingWantsBody = spec.wantBody();
        sentNanos = System.nanoTime();
        timeout = ctx.executor().schedule(this::onTimeout, requestTimeoutNanos, TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                fail(FailureCause.RESET);
                ctx.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpResponse response)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int status;
        String body;
        boolean keepAlive;
        try {
            if (response.decoderResult().isFailure()) {
                fail(FailureCause.PROTOCOL);
                ctx.close();
                return;
            }
            status = response.status().code();
            body = pendingWantsBody ? response.content().toString(StandardCharsets.UTF_8) : null;
            keepAlive = HttpUtil.isKeepAlive(response);
        } finally {
            response.release();
        }
        ResponseListener listener = takePending();
        if (listener == null) {
            // A response nobody asked for (e.g. after a timeout already failed the request): the connection's
            // request/response pairing is lost, so it cannot be reused.
            ctx.close();
            return;
        }
        long sent = sentNanos;
        if (keepAlive) {
            pool.release(ctx.channel());
        } else {
            ctx.close();
        }
        listener.onResponse(status, body, sent);
    }

    private ResponseListener takePending() {
        ResponseListener listener = pending;
        pending = null;
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        return listener;
    }

    private void fail(FailureCause cause) {
        long sent = sentNanos;
        ResponseListener listener = takePending();
        if (listener != null) {
            listener.onFailure(cause, sent);
        }
    }

    private void onTimeout() {
        timeout = null;
        fail(FailureCause.TIMEOUT);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(FailureCause.RESET);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause instanceof DecoderException ? FailureCause.PROTOCOL : FailureCause.RESET);
        ctx.close();
    }
}
