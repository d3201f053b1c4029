package dev.metricsservice.http;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.SeriesListQuery;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The body handler: gathers each admitted request's body, hands complete requests to {@link Api},
 * and answers in request order. Admission (route, method, auth, limits) was decided by
 * {@link AdmissionHandler} ahead of it. While an answer waits for the store, later pipelined
 * requests are queued and reading pauses, so answers leave in request order. Writes in
 * {@code channelRead}, flushes in {@code channelReadComplete}. One instance per channel, used only
 * on its event loop.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
    private static final io.netty.util.AsciiString IDEMPOTENCY_KEY = io.netty.util.AsciiString.cached("idempotency-key");

    private final ServerState server;
    private final Api api;
    private final ConnectionTimeouts timeouts;
    private final int maxBodyBytes;

    /** The request being received or answered; null between requests. */
    private Exchange exchange;
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
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (asyncPending || !backlog.isEmpty()) {
            backlog.add(msg);
            updateAutoRead(ctx);
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
        if (msg instanceof Admission admission) {
            onAdmission(ctx, admission);
        } else if (msg instanceof HttpContent content) {
            onContent(ctx, content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onAdmission(ChannelHandlerContext ctx, Admission admission) {
        timeouts.headComplete();
        exchange = new Exchange(admission, System.nanoTime());
        server.inFlight.increment();
        if (admission instanceof Admission.Refused refused) {
            FullHttpResponse response = refused.allow().isPresent()
                    ? Responses.methodNotAllowed(ctx.alloc(), exchange.method, refused.allow().get())
                    : api.error(ctx.alloc(), refused.error());
            // Answered before the body was read: the body may still follow and is then discarded.
            answer(ctx, response, refused.close());
        } else if (((Admission.Admitted) admission).expectContinue()) {
            ctx.writeAndFlush(Responses.continue100());
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        Exchange x = exchange;
        if (x == null || !x.receiving) {
            content.release(); // the rest of a request already answered and closed on
            return;
        }
        ByteBuf chunk = content.content();
        int n = chunk.readableBytes();
        x.bodyBytes += n;
        boolean last = content instanceof LastHttpContent;
        if (x.answered) {
            content.release();
            if (x.bodyBytes > maxBodyBytes && !closing) {
                closing = true; // do not keep discarding an endless body
                ctx.close();
                return;
            }
        } else if (x.bodyBytes > maxBodyBytes) {
            content.release();
            x.releaseBody();
            answer(ctx, api.error(ctx.alloc(), ApiError.bodyTooLarge(maxBodyBytes)), true);
            return;
        } else if ((x.route() == Route.INGEST || x.route() == Route.WRITE) && n > 0) {
            x.append(ctx.alloc(), chunk);
        } else {
            content.release();
        }
        if (last) {
            x.receiving = false;
            timeouts.requestComplete();
            if (!x.answered) {
                dispatch(ctx, x);
            }
            if (exchange == x && x.answered) {
                exchange = null;
            }
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Exchange x) {
        switch (x.route()) {
            case INGEST -> {
                ByteBuf b = x.takeBody();
                CompletableFuture<Api.Ingested> done;
                try {
                    done = api.ingest(b, x.admission.head().headers().getAll(IDEMPOTENCY_KEY));
                } finally {
                    b.release();
                }
                await(ctx, done, (outcome, error) -> api.ingestResponse(ctx.alloc(), outcome, error));
            }
            case WRITE -> {
                ByteBuf b = x.takeBody();
                CompletableFuture<Api.Ingested> done;
                try {
                    done = api.write(b, x.admission.head().uri(),
                            x.admission.head().headers().get(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_ENCODING));
                } finally {
                    b.release();
                }
                await(ctx, done, (outcome, error) -> api.writeResponse(ctx.alloc(), outcome, error));
            }
            case QUERY -> {
                Parsed<Api.QueryRequest> parsed = api.parseQuery(x.admission.head().uri());
                if (parsed instanceof Parsed.Invalid<Api.QueryRequest> invalid) {
                    answer(ctx, api.error(ctx.alloc(), invalid.error()), false);
                    return;
                }
                Api.QueryRequest query = ((Parsed.Ok<Api.QueryRequest>) parsed).value();
                await(ctx, api.query(query), (result, error) -> api.queryResponse(ctx.alloc(), query, result, error));
            }
            case SERIES -> {
                String uri = x.admission.head().uri();
                Parsed<SeriesListQuery> parsed = api.parseSeries(uri);
                if (parsed instanceof Parsed.Invalid<SeriesListQuery> invalid) {
                    answer(ctx, api.error(ctx.alloc(), invalid.error()), false);
                    return;
                }
                await(ctx, api.listSeries(((Parsed.Ok<SeriesListQuery>) parsed).value()),
                        (page, error) -> api.seriesResponse(ctx.alloc(), uri, page, error));
            }
            case EXPOSITION -> {
                String accept = x.admission.head().headers().get(io.netty.handler.codec.http.HttpHeaderNames.ACCEPT);
                boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
                await(ctx, CompletableFuture.supplyAsync(() -> api.exposition(openMetrics), server.offLoop),
                        (text, error) -> api.expositionResponse(ctx.alloc(), text, openMetrics, error));
            }
            case HEALTH -> answer(ctx, api.health(ctx.alloc()), false);
            case READY -> answer(ctx, api.ready(ctx.alloc()), false);
            case STATS -> await(ctx, CompletableFuture.supplyAsync(
                            () -> new Api.StatsSnapshot(server.aggregator.counters(), server.instrumentation.extraStats()),
                            server.offLoop),
                    (stats, error) -> api.statsResponse(ctx.alloc(), stats, error));
            case NONE -> throw new IllegalStateException("unroutable requests are refused at admission");
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
                finishExchange();
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
        Exchange x = exchange;
        x.answered = true;
        if (close || !x.keepAlive || server.shuttingDown) {
            closing = true;
            Responses.markClose(response);
        } else if (x.http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        int status = response.status().code();
        long responseBytes = response.content().readableBytes();
        server.countStatus(x.route(), status);
        long now = System.nanoTime();
        server.instrumentation.onRequest(x.method, x.route().template, status, x.bodyBytes, responseBytes,
                x.startNanos, now - x.startNanos);
        finishExchange();
        if (closing) {
            LingeringClose.after(ctx.writeAndFlush(response));
            x.releaseBody();
            releaseBacklog();
        } else {
            ctx.write(response, ctx.voidPromise());
            needsFlush = true;
        }
    }

    /** The current request is answered (or abandoned): it no longer counts as in flight. */
    private void finishExchange() {
        Exchange x = exchange;
        if (x == null) {
            return;
        }
        if (x.admission != null) {
            server.inFlight.decrement();
        }
        if (!x.receiving) {
            exchange = null; // else the rest of its body still arrives and is discarded
        } else {
            x.answered = true;
        }
    }

    private void updateAutoRead(ChannelHandlerContext ctx) {
        if (closing) {
            return; // lingering close reads (and drops) until the client is gone
        }
        // Reading goes on while an answer is pending (no epoll change per request) until a
        // pipelined request waits in the backlog: then this connection is not read further.
        ctx.channel().config().setAutoRead((!asyncPending || backlog.isEmpty()) && ctx.channel().isWritable());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A client that does not read its answers stops us reading its requests.
        updateAutoRead(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof ConnectionEvent event)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        switch (event) {
            case IDLE, REQUEST_TIMEOUT, HEADER_TIMEOUT -> {
                if (asyncPending || closing) {
                    return; // waiting for the store is our delay, not the client's
                }
                if (exchange != null && exchange.answered) {
                    closing = true; // answered already; the rest of its body is late
                    ctx.close();
                    return;
                }
                if (exchange != null || event != ConnectionEvent.IDLE) {
                    if (exchange == null) {
                        exchange = Exchange.none(System.nanoTime());
                    }
                    answer(ctx, api.error(ctx.alloc(), event == ConnectionEvent.HEADER_TIMEOUT
                            ? ApiError.headerTimeout() : ApiError.requestTimeout()), true);
                } else {
                    closing = true;
                    ctx.close();
                }
            }
            case SHUTDOWN -> {
                if (exchange == null && backlog.isEmpty()) {
                    closing = true;
                    ctx.close();
                }
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (exchange != null) {
            exchange.releaseBody();
            if (!exchange.answered) {
                exchange.receiving = false;
                finishExchange();
            }
        }
        releaseBacklog();
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

    private static Throwable exception(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
