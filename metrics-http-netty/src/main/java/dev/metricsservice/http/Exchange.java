package dev.metricsservice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The facts of one request, from its admission until its answer is written: what the answer
 * needs (keep-alive, version), what instrumentation reports (method, route, sizes, start), and the
 * body gathered so far. Used only on its channel's event loop.
 */
final class Exchange {

    final Admission admission;
    final String method;
    final boolean keepAlive;
    final boolean http10;
    final long startNanos;
    long bodyBytes;
    /** The body so far (INGEST only); owned by this exchange until handed to the API. */
    private ByteBuf body;
    /** An answer was sent; the rest of the body is discarded. */
    boolean answered;
    /** The body has not ended yet. */
    boolean receiving = true;

    Exchange(Admission admission, long startNanos) {
        this.admission = admission;
        this.method = admission.head().method().name();
        this.keepAlive = HttpUtil.isKeepAlive(admission.head());
        this.http10 = admission.head().protocolVersion() == HttpVersion.HTTP_1_0;
        this.startNanos = startNanos;
    }

    /** A stand-in for a connection that timed out before sending a request head. */
    static Exchange none(long startNanos) {
        return new Exchange(startNanos);
    }

    private Exchange(long startNanos) {
        this.admission = null;
        this.method = "-";
        this.keepAlive = false;
        this.http10 = false;
        this.startNanos = startNanos;
        this.receiving = false;
    }

    Route route() {
        return admission == null ? Route.NONE : admission.route();
    }

    /** Appends a body chunk, taking ownership of it: the whole body in one piece needs no copy. */
    void append(ByteBufAllocator alloc, ByteBuf chunk) {
        if (body == null) {
            body = chunk;
            return;
        }
        CompositeByteBuf composite;
        if (body instanceof CompositeByteBuf c) {
            composite = c;
        } else {
            composite = alloc.compositeBuffer(Integer.MAX_VALUE);
            composite.addComponent(true, body);
            body = composite;
        }
        composite.addComponent(true, chunk);
    }

    /** Hands the body over (empty if none was sent); the caller releases it. */
    ByteBuf takeBody() {
        ByteBuf b = body != null ? body : io.netty.buffer.Unpooled.EMPTY_BUFFER;
        body = null;
        return b;
    }

    void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
