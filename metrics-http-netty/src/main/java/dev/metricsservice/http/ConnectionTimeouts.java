package dev.metricsservice.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sits in front of the HTTP codec and enforces three clocks per connection with one periodic check
 * (no timer per request): a connection that sends nothing for {@code idleTimeout} is reported as
 * {@link ConnectionEvent#IDLE}; a request whose head (request line and headers) has not arrived
 * within {@code headerReadTimeout} of its first byte is reported as
 * {@link ConnectionEvent#HEADER_TIMEOUT}; and one whose first byte arrived more than
 * {@code requestReadTimeout} ago without being completed is reported as
 * {@link ConnectionEvent#REQUEST_TIMEOUT}. The head's clock is the shorter one because a head is
 * small: a client that holds a connection with half a head is holding a slot, not sending data. The request handler decides
 * what to answer. One instance per channel; used only on its event loop.
 */
final class ConnectionTimeouts extends ChannelInboundHandlerAdapter {

    private final long idleNanos;
    private final long requestReadNanos;
    private final long headerReadNanos;
    private long lastReadNanos;
    private long requestStartNanos = -1;
    /** True from a request's first byte until its head arrived. */
    private boolean headPending;
    private ScheduledFuture<?> check;

    ConnectionTimeouts(HttpServerConfig config) {
        this.idleNanos = config.idleTimeout().toNanos();
        this.requestReadNanos = config.requestReadTimeout().toNanos();
        this.headerReadNanos = config.headerReadTimeout().toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        lastReadNanos = System.nanoTime();
        long periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(TimeUnit.SECONDS.toNanos(1), Math.min(idleNanos, Math.min(requestReadNanos, headerReadNanos)) / 4));
        check = ctx.executor().scheduleWithFixedDelay(() -> check(ctx), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        long now = System.nanoTime();
        lastReadNanos = now;
        if (requestStartNanos < 0) {
            requestStartNanos = now;
            headPending = true;
        }
        ctx.fireChannelRead(msg);
    }

    /** Called by the request handler once a request's head has been received. */
    void headComplete() {
        headPending = false;
    }

    /** Called by the request handler once a request has been received completely. */
    void requestComplete() {
        requestStartNanos = -1;
        headPending = false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        if (headPending && now - requestStartNanos > headerReadNanos) {
            requestStartNanos = -1;
            headPending = false;
            ctx.fireUserEventTriggered(ConnectionEvent.HEADER_TIMEOUT);
        } else if (requestStartNanos >= 0 && now - requestStartNanos > requestReadNanos) {
            requestStartNanos = -1;
            ctx.fireUserEventTriggered(ConnectionEvent.REQUEST_TIMEOUT);
        } else if (now - lastReadNanos > idleNanos) {
            lastReadNanos = now; // report again only after another full idle period
            ctx.fireUserEventTriggered(ConnectionEvent.IDLE);
        }
    }
}
