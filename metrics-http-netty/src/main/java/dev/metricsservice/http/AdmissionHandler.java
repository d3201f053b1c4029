package dev.metricsservice.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * The pipeline stage that judges a request from its head alone, before any body is read: decoding
 * errors, route, method, {@code Expect}, authentication, content type and declared length. It
 * replaces each {@link HttpRequest} with an {@link Admission} and passes body chunks through
 * untouched; {@link RequestHandler} answers in request order.
 *
 * <p>Stateless, so one instance serves every connection ({@code @Sharable}).
 */
@ChannelHandler.Sharable
final class AdmissionHandler extends ChannelInboundHandlerAdapter {

    private final HttpServerConfig config;
    private final byte[] expectedAuthorization;

    AdmissionHandler(HttpServerConfig config) {
        this.config = config;
        String token = config.authToken();
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest head)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ctx.fireChannelRead(admit(head));
        if (msg instanceof FullHttpRequest full) {
            // Not produced by our codec (it streams bodies), but keep the body if someone aggregates.
            ctx.fireChannelRead(new DefaultLastHttpContent(full.content()));
        }
    }

    /** The decision for one request head. */
    Admission admit(HttpRequest head) {
        DecoderResult result = head.decoderResult();
        if (result.isFailure()) {
            return refused(head, Route.NONE, decodeError(result.cause()), true);
        }
        String uri = head.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        Route route = Route.match(path);
        boolean expectContinue = HttpUtil.is100ContinueExpected(head);
        if (route == Route.NONE) {
            return refused(head, route, ApiError.notFound(path), expectContinue);
        }
        String method = head.method().name();
        if (route == Route.INGEST && method.equals("GET")) {
            route = Route.EXPOSITION; // one path, two endpoints: POST sends samples, GET scrapes ours
        }
        if (!method.equals(route.allow)) {
            String allow = route == Route.INGEST ? "GET, POST" : route.allow;
            return new Admission.Refused(head, route, ApiError.methodNotAllowed(method, allow),
                    Optional.of(allow), expectContinue);
        }
        String expect = head.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !expect.trim().equalsIgnoreCase("100-continue")) {
            return refused(head, route, ApiError.expectationFailed(), expectContinue);
        }
        if (expectedAuthorization != null && needsToken(route) && !authorized(head)) {
            return refused(head, route, ApiError.unauthorized(), expectContinue);
        }
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (route == Route.INGEST && !isJson(contentType)) {
            return refused(head, route, ApiError.unsupportedMediaType(contentType), expectContinue);
        }
        if (route == Route.WRITE && !identityOrGzip(head.headers().get(HttpHeaderNames.CONTENT_ENCODING))) {
            return refused(head, route, new ApiError(415, "unsupported_content_encoding", "header 'Content-Encoding'"
                    + " must be gzip or absent for the line protocol"), expectContinue);
        }
        if (HttpUtil.getContentLength(head, -1L) > config.maxBodyBytes()) {
            return refused(head, route, ApiError.bodyTooLarge(config.maxBodyBytes()), true); // never read
        }
        return new Admission.Admitted(head, route, expectContinue);
    }

    /** Writes always need the token (when one is set); reads when {@code authReads}; probes never. */
    private boolean needsToken(Route route) {
        return switch (route) {
            case INGEST, WRITE -> true;
            case QUERY, SERIES, STATS, EXPOSITION -> config.authReads();
            case HEALTH, READY, NONE -> false;
        };
    }

    private static Admission refused(HttpRequest head, Route route, ApiError error, boolean close) {
        return new Admission.Refused(head, route, error, Optional.empty(), close);
    }

    private boolean authorized(HttpRequest head) {
        String header = head.headers().get(HttpHeaderNames.AUTHORIZATION);
        // Constant time in the token's content; the length is not a secret worth hiding.
        return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
    }

    private static boolean identityOrGzip(String encoding) {
        return encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("gzip")
                || encoding.trim().equalsIgnoreCase("identity");
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
        String params = contentType.substring(semicolon + 1).trim().toLowerCase(Locale.ROOT);
        return !params.startsWith("charset=") || params.equals("charset=utf-8") || params.equals("charset=\"utf-8\"");
    }

    private ApiError decodeError(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return ApiError.uriTooLong(config.maxInitialLineBytes());
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return ApiError.headersTooLarge(config.maxHeaderBytes());
        }
        if (cause instanceof TooLongFrameException) {
            return ApiError.badRequest("a chunk or line of the request is too long");
        }
        String m = String.valueOf(cause.getMessage());
        return ApiError.badRequest("malformed HTTP request: " + (m.length() > 200 ? m.substring(0, 200) : m));
    }
}
