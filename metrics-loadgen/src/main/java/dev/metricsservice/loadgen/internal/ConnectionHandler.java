package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Per-connection state: the one request in flight, its deadline, and handing the connection back to the pool.
 * All state is touched only on the channel's event loop ({@link #send} hops there first).
 *
 * <p>Responses are consumed as the codec's parts (head, content, last content) rather than aggregated, and
 * bodies are only kept when the request asked for them: load requests pay for no copies. Timeouts are found by
 * one periodic check per connection instead of a timer task per request, which would cost a scheduled-task
 * allocation and a cancel on every request; a request therefore times out between its deadline and one check
 * interval later.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

    private final ConnectionPool pool;
    private final String hostHeader;
    private final String authorization;
    private final long requestTimeoutNanos;
    private final long checkIntervalNanos;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timeoutCheck;
    private ResponseListener pending;
    private boolean pendingWantsBody;
    private long sentNanos;
    private int status;
    private boolean keepAlive;
    private ByteArrayOutputStream body;

    ConnectionHandler(ConnectionPool pool, String hostHeader, String authorization, long requestTimeoutNanos) {
        this.pool = pool;
        this.hostHeader = hostHeader;
        this.authorization = authorization;
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.checkIntervalNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5),
                Math.min(TimeUnit.MILLISECONDS.toNanos(100), requestTimeoutNanos / 10));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        timeoutCheck = ctx.executor().scheduleAtFixedRate(this::checkTimeout, checkIntervalNanos, checkIntervalNanos,
                TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeoutCheck.cancel(false);
    }

    void send(HttpRequestSpec request, ResponseListener listener) {
        if (ctx.executor().inEventLoop()) {
            write(request, listener);
        } else {
            ctx.executor().execute(() -> write(request, listener));
        }
    }

    private void write(HttpRequestSpec spec, ResponseListener listener) {
        if (!ctx.channel().isActive()) {
            // The server closed this idle connection before we used it (e.g. its idle timeout). Nothing was sent,
            // so the request may safely go to another connection; this one is dropped from the pool on close.
            pool.execute(spec, listener);
            return;
        }
        if (pending != null) {
            listener.onFailure(FailureCause.NOT_SENT, 0);
            return;
        }
        FullHttpRequest request;
        if (spec.post()) {
            ByteBuf content = ctx.alloc().buffer(spec.body().length).writeBytes(spec.body());
            request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, spec.pathAndQuery(), content);
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, spec.body().length);
            if (spec.idempotencyKey() != null) {
                request.headers().set("Idempotency-Key", spec.idempotencyKey());
            }
        } else {
            request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, spec.pathAndQuery(),
                    ctx.alloc().buffer(0));
        }
        request.headers().set(HttpHeaderNames.HOST, hostHeader);
        if (authorization != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        pending = listener;
        pendingWantsBody = spec.wantBody();
        status = 0;
        body = null;
        sentNanos = System.nanoTime();
        ctx.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                fail(FailureCause.RESET);
                ctx.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (pending == null) {
                // A response nobody asked for (e.g. after the request timed out): the pairing of requests and
                // responses on this connection is lost, so it cannot be reused.
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    fail(FailureCause.PROTOCOL);
                    ctx.close();
                    return;
                }
                status = response.status().code();
                keepAlive = HttpUtil.isKeepAlive(response);
                body = pendingWantsBody ? new ByteArrayOutputStream() : null;
            }
            if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure() || status == 0) {
                    fail(FailureCause.PROTOCOL);
                    ctx.close();
                    return;
                }
                if (body != null) {
                    ByteBuf bytes = content.content();
                    if (body.size() + bytes.readableBytes() > MAX_RESPONSE_BYTES) {
                        fail(FailureCause.PROTOCOL);
                        ctx.close();
                        return;
                    }
                    bytes.getBytes(bytes.readerIndex(), body, bytes.readableBytes());
                }
                if (msg instanceof LastHttpContent) {
                    complete();
                }
            }
        } catch (java.io.IOException e) {
            fail(FailureCause.PROTOCOL);
            ctx.close();
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void complete() {
        String text = body == null ? null : body.toString(StandardCharsets.UTF_8);
        int code = status;
        long sent = sentNanos;
        ResponseListener listener = takePending();
        if (keepAlive) {
            pool.release(ctx.channel());
        } else {
            ctx.close();
        }
        listener.onResponse(code, text, sent);
    }

    private ResponseListener takePending() {
        ResponseListener listener = pending;
        pending = null;
        body = null;
        return listener;
    }

    private void fail(FailureCause cause) {
        long sent = sentNanos;
        ResponseListener listener = takePending();
        if (listener != null) {
            listener.onFailure(cause, sent);
        }
    }

    private void checkTimeout() {
        if (pending != null && System.nanoTime() - sentNanos >= requestTimeoutNanos) {
            fail(FailureCause.TIMEOUT);
            ctx.close();
        }
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
