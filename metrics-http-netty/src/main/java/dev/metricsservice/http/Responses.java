package dev.metricsservice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** Builds responses. Every body is JSON. */
final class Responses {

    private static final AsciiString JSON = AsciiString.cached("application/json");
    private static final ByteBuf ACCEPTED_ONE = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(16).writeBytes("{\"accepted\":1}".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    private Responses() {
    }

    /** The answer to a single accepted sample; shares one read-only buffer. */
    static FullHttpResponse acceptedOne() {
        return json(HttpResponseStatus.ACCEPTED, ACCEPTED_ONE.duplicate());
    }

    /** 204 with no body: the line protocol's success answer. */
    static FullHttpResponse noContent() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return r;
    }

    static FullHttpResponse json(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    static FullHttpResponse json(int status, ByteBuf body) {
        return json(HttpResponseStatus.valueOf(status), body);
    }

    static FullHttpResponse error(ByteBufAllocator alloc, ApiError e, long retryAfterSeconds) {
        FullHttpResponse r = json(e.status(), JsonOut.error(alloc, e));
        if (e.status() == 503 || e.status() == 429) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        if (e.status() == 401) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        return r;
    }

    static FullHttpResponse methodNotAllowed(ByteBufAllocator alloc, String method, String allow) {
        FullHttpResponse r = error(alloc, ApiError.methodNotAllowed(method, allow), 0);
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return r;
    }

    static FullHttpResponse continue100() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
    }

    static void markClose(FullHttpResponse r) {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }

    /** Raw bytes for a connection refused because its address holds {@code limit} connections already. */
    static ByteBuf tooManyConnectionsFromAddress(int limit, long retryAfterSeconds) {
        String body = "{\"error\":\"too_many_connections_from_address\",\"message\":\"this client address has "
                + limit + " connections open, the most one address may hold (--max-connections-per-address);"
                + " reuse connections or retry later\"}";
        String head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length() + "\r\nretry-after: " + retryAfterSeconds + "\r\nconnection: close\r\n\r\n";
        return Unpooled.copiedBuffer(head + body, StandardCharsets.US_ASCII);
    }

    /** Raw bytes for a connection refused before any HTTP codec runs. */
    static ByteBuf tooManyConnections(long retryAfterSeconds) {
        String body = "{\"error\":\"too_many_connections\",\"message\":\"the server has reached its connection limit; retry later\"}";
        String head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length() + "\r\nretry-after: " + retryAfterSeconds + "\r\nconnection: close\r\n\r\n";
        return Unpooled.copiedBuffer(head + body, StandardCharsets.US_ASCII);
    }
}
