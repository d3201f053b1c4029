package dev.metricsservice.benchmarks.telemetry;

import dev.metricsservice.telemetry.Telemetry;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.atomic.LongAdder;

/** Answers POST with 202 and an empty body (405 otherwise), keep-alive aware, and reports each request. */
final class OverheadHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Telemetry telemetry;
    private final LongAdder requests;

    OverheadHandler(Telemetry telemetry, LongAdder requests) {
        this.telemetry = telemetry;
        this.requests = requests;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long start = System.nanoTime();
        boolean post = HttpMethod.POST.equals(request.method());
        HttpResponseStatus status = post ? HttpResponseStatus.ACCEPTED : HttpResponseStatus.METHOD_NOT_ALLOWED;
        long requestBytes = request.content().readableBytes();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.write(response, ctx.voidPromise());
        } else {
            ctx.write(response).addListener(ChannelFutureListener.CLOSE);
        }
        requests.increment();
        if (telemetry != null) {
            telemetry.onRequest(request.method().name(), "/metrics", status.code(), requestBytes, 0, start,
                    System.nanoTime() - start);
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
