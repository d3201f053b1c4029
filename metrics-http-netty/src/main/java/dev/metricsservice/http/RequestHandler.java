package dev.metricsservice.http;

import dev.metricsservice.core.store.MetricQuery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 connection logic: one request at a time, in order. Collects the body, checks
 * limits before reading it, answers early errors at once, and hands complete requests to
 * {@link Api}. While an answer waits for the store, later pipelined requests are queued and
 * reading pauses, so answers leave in request order. Writes in {@code channelRead}, flushes in
 * {@code channelReadComplete}. One instance per channel, used only on its event loop.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    private final ServerState server;
    private final Api api;
    private final ConnectionTimeouts timeouts;
    private final int maxBodyBytes;
    private final byte[] expectedAuthorization;

    // The request being received; null between requests.
    private HttpRequest request;
    // Facts of the request being answered; kept after its body ended, for an answer that comes later.
    private String method = "-";
    private boolean keepAlive;
    private boolean http10;
    private Route route;
    private long startNanos;
    private long bodyBytes;
    private ByteBuf body;
    /** An answer was already sent for the current request; the rest of its body is discarded. */
    private boolean answered;
    /** The current request's answer has not been written yet (counted in {@code inFlight}). */
    private boolean awaitingAnswer;
    /** An answer waits for a future; later input is queued in {@link #backlog}. */
    private boolean asyncPending;
    /** The connection closes after the answer being written; all further input is dropped. */
    private boolean closing;
    private boolean needsFlush;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(4);

    RequestHandler(ServerState server, Api api, ConnectionTimeouts timeouts) {
        this.server = server;
        this.api = api;
        this.timeouts = timeouts;
        this.maxBodyBytes = server.config.maxBodyBytes();
        String token = server.config.authToken();
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (asyncPending || !backlog.isEmpty()) {
            backlog.add(msg);
        } else {
            handle(ctx, msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfNeeded(ctx);
    }

    private void flushIfNeeded(ChannelHandlerContext ctx) {
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    private void handle(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            onHead(ctx, req);
        }
        if (msg instanceof HttpContent content) {
            onContent(ctx, content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest req) {
        request = req;
        method = req.method().name();
        keepAlive = HttpUtil.isKeepAlive(req);
        http10 = req.protocolVersion() == HttpVersion.HTTP_1_0;
        startNanos = System.nanoTime();
        bodyBytes = 0;
        answered = false;
        awaitingAnswer = true;
        server.inFlight.increment();
        DecoderResult result = req.decoderResult();
        if (result.isFailure()) {
            route = Route.NONE;
            answer(ctx, api.error(ctx.alloc(), decodeError(result.cause())), true);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        route = Route.match(q < 0 ? uri : uri.substring(0, q));
        boolean expectContinue = HttpUtil.is100ContinueExpected(req);
        long contentLength = HttpUtil.getContentLength(req, -1L);
        ApiError early = null;
        if (route == Route.NONE) {
            early = ApiError.notFound(q < 0 ? uri : uri.substring(0, q));
        } else if (!method.equals(route.allow)) {
            answerEarly(ctx, Responses.methodNotAllowed(ctx.alloc(), method, route.allow), expectContinue);
            return;
        } else if (unsupportedExpectation(req)) {
            early = ApiError.expectationFailed();
        } else if (route == Route.INGEST && expectedAuthorization != null && !authorized(req)) {
            early = ApiError.unauthorized();
        } else if (route == Route.INGEST && !isJson(req.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            early = ApiError.unsupportedMediaType(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
        } else if (contentLength > maxBodyBytes) {
            // Answer now and close: the body is never read.
            answer(ctx, api.error(ctx.alloc(), ApiError.bodyTooLarge(maxBodyBytes)), true);
            return;
        }
        if (early != null) {
            answerEarly(ctx, api.error(ctx.alloc(), early), expectContinue);
            return;
        }
        if (expectContinue) {
            ctx.writeAndFlush(Responses.continue100());
        }
    }

    /**
     * Answers before the body was read. The body may still follow and is then discarded; but a
     * client that asked for 100-continue may or may not send it, so the connection is closed.
     */
    private void answerEarly(ChannelHandlerContext ctx, FullHttpResponse response, boolean expectContinue) {
        answer(ctx, response, expectContinue);
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (request == null) {
            content.release(); // the rest of a request already answered and closed on
            return;
        }
        ByteBuf chunk = content.content();
        int n = chunk.readableBytes();
        bodyBytes += n;
        boolean last = content instanceof LastHttpContent;
        if (answered) {
            content.release();
            if (bodyBytes > maxBodyBytes && !closing) {
                closing = true; // do not keep discarding an endless body
                ctx.close();
                return;
            }
        } else if (bodyBytes > maxBodyBytes) {
            content.release();
            releaseBody();
            answer(ctx, api.error(ctx.alloc(), ApiError.bodyTooLarge(maxBodyBytes)), true);
            return;
        } else if (route == Route.INGEST && n > 0) {
            appendBody(ctx, chunk);
        } else {
            content.release();
        }
        if (last) {
            timeouts.requestComplete();
            if (!answered) {
                dispatch(ctx);
            }
            request = null;
        }
    }

    private void appendBody(ChannelHandlerContext ctx, ByteBuf chunk) {
        if (body == null) {
            body = chunk; // the common case: the whole body in one piece, no copy
        } else {
            CompositeByteBuf composite;
            if (body instanceof CompositeByteBuf c) {
                composite = c;
            } else {
                composite = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
                composite.addComponent(true, body);
                body = composite;
            }
            composite.addComponent(true, chunk);
        }
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private void dispatch(ChannelHandlerContext ctx) {
        switch (route) {
            case INGEST -> {
                ByteBuf b = body != null ? body : io.netty.buffer.Unpooled.EMPTY_BUFFER;
                body = null;
                try {
                    answer(ctx, api.ingest(ctx.alloc(), b), false);
                } finally {
                    b.release();
                }
            }
            case QUERY -> {
                Parsed<MetricQuery> parsed = api.parseQuery(request.uri());
                if (parsed instanceof Parsed.Invalid<MetricQuery> invalid) {
                    answer(ctx, api.error(ctx.alloc(), invalid.error()), false);
                    return;
                }
                MetricQuery query = ((Parsed.Ok<MetricQuery>) parsed).value();
                await(ctx, api.query(query), (rows, error) -> api.queryResponse(ctx.alloc(), rows, error));
            }
            case HEALTH -> answer(ctx, api.health(ctx.alloc()), false);
            case READY -> await(ctx, call(server.store::checkReady), (ok, error) -> api.readyResponse(ctx.alloc(), error));
            case STATS -> await(ctx, CompletableFuture.supplyAsync(
                            () -> new Api.StatsSnapshot(server.aggregator.counters(), server.instrumentation.extraStats()),
                            server.offLoop),
                    (stats, error) -> api.statsResponse(ctx.alloc(), stats, error));
            case NONE -> throw new IllegalStateException("unroutable requests are answered early");
        }
    }

    /** A store call that broke its contract by throwing is treated like a failed future. */
    private static <T> CompletableFuture<T> call(java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Answers when the future completes, on this channel's event loop. A future that is already
     * complete (an in-memory store) is answered at once.
     */
    private <T> void await(ChannelHandlerContext ctx, CompletableFuture<T> future,
                           BiFunction<T, Throwable, FullHttpResponse> respond) {
        if (future.isDone()) {
            Throwable error = future.isCompletedExceptionally() ? exception(future) : null;
            answer(ctx, respond.apply(error == null ? future.getNow(null) : null, error), false);
            return;
        }
        asyncPending = true;
        updateAutoRead(ctx);
        future.whenComplete((value, error) -> ctx.executor().execute(() -> {
            asyncPending = false;
            if (!ctx.channel().isActive()) {
                finishAwaiting();
                return;
            }
            answer(ctx, respond.apply(value, error), false);
            flushIfNeeded(ctx);
            updateAutoRead(ctx);
            drainBacklog(ctx);
        }));
    }

    private void drainBacklog(ChannelHandlerContext ctx) {
        Object msg;
        while (!asyncPending && !closing && (msg = backlog.poll()) != null) {
            handle(ctx, msg);
        }
        flushIfNeeded(ctx);
        if (closing) {
            releaseBacklog();
        }
    }

    private void answer(ChannelHandlerContext ctx, FullHttpResponse response, boolean close) {
        answered = true;
        if (close || !keepAlive || server.shuttingDown) {
            closing = true;
            Responses.markClose(response);
        } else if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        int status = response.status().code();
        long responseBytes = response.content().readableBytes();
        server.countStatus(status);
        long now = System.nanoTime();
        server.instrumentation.onRequest(method, route == null ? Route.NONE.template
                : route.template, status, bodyBytes, responseBytes, startNanos, now - startNanos);
        finishAwaiting();
        if (closing) {
            LingeringClose.after(ctx.writeAndFlush(response));
            releaseBody();
            releaseBacklog();
        } else {
            ctx.write(response, ctx.voidPromise());
            needsFlush = true;
        }
    }

    private void finishAwaiting() {
        if (awaitingAnswer) {
            awaitingAnswer = false;
            server.inFlight.decrement();
        }
    }

    private void updateAutoRead(ChannelHandlerContext ctx) {
        if (closing) {
            return; // lingering close reads (and drops) until the client is gone
        }
        ctx.channel().config().setAutoRead(!asyncPending && ctx.channel().isWritable());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A client that does not read its answers stops us reading its requests.
        updateAutoRead(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ConnectionTimeouts.REQUEST_TIMEOUT || evt == ConnectionTimeouts.IDLE) {
            if (asyncPending || closing) {
                return; // waiting for the store is our delay, not the client's
            }
            if (request != null && !answered || evt == ConnectionTimeouts.REQUEST_TIMEOUT) {
                if (request == null) {
                    startNanos = System.nanoTime();
                    route = Route.NONE;
                    method = "-";
                    awaitingAnswer = false;
                }
                answer(ctx, api.error(ctx.alloc(), ApiError.requestTimeout()), true);
            } else {
                closing = true;
                ctx.close();
            }
        } else if (evt == MetricsHttpServer.SHUTDOWN) {
            if (!awaitingAnswer && request == null && backlog.isEmpty()) {
                closing = true;
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        releaseBody();
        releaseBacklog();
        finishAwaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Usually a peer resetting the connection; nothing to answer to.
        log.debug("closing connection {} after error", ctx.channel(), cause);
        closing = true;
        ctx.close();
    }

    private void releaseBacklog() {
        Object msg;
        while ((msg = backlog.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private boolean authorized(HttpRequest req) {
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null) {
            return false;
        }
        // Constant time in the token's content; the length is not a secret worth hiding.
        return MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
    }

    private static boolean unsupportedExpectation(HttpRequest req) {
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && !expect.trim().equalsIgnoreCase("100-continue");
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        if (!media.equalsIgnoreCase("application/json")) {
            return false;
        }
        if (semicolon < 0) {
            return true;
        }
        // Only UTF-8 (JSON's encoding) is accepted as a charset parameter.
        String params = contentType.substring(semicolon + 1).trim().toLowerCase(java.util.Locale.ROOT);
        return !params.startsWith("charset=") || params.equals("charset=utf-8") || params.equals("charset=\"utf-8\"");
    }

    private ApiError decodeError(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return ApiError.uriTooLong(server.config.maxInitialLineBytes());
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return ApiError.headersTooLarge(server.config.maxHeaderBytes());
        }
        if (cause instanceof TooLongFrameException) {
            return ApiError.badRequest("a chunk or line of the request is too long");
        }
        String m = String.valueOf(cause.getMessage());
        return ApiError.badRequest("malformed HTTP request: " + (m.length() > 200 ? m.substring(0, 200) : m));
    }

    private static Throwable exception(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
