package dev.metricsservice.http;

/**
 * An error answer: HTTP status, a stable machine-readable code, and a sentence telling the client
 * what to fix. Sent as {@code {"error": code, "message": message}}.
 */
record ApiError(int status, String code, String message) {

    static ApiError malformedJson(String message) {
        return new ApiError(400, "malformed_json", message);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    static ApiError invalid(String code, String message) {
        return new ApiError(422, code, message);
    }

    static ApiError unauthorized() {
        return new ApiError(401, "unauthorized", "send the header 'Authorization: Bearer <token>' with the configured token");
    }

    static ApiError notFound(String path) {
        return new ApiError(404, "not_found", "no such endpoint: " + path
                + "; use POST /metrics, GET /metrics/{name}, GET /health, GET /ready or GET /stats");
    }

    static ApiError methodNotAllowed(String method, String allow) {
        return new ApiError(405, "method_not_allowed", "method " + method + " is not allowed here; use " + allow);
    }

    static ApiError headerTimeout() {
        return new ApiError(408, "header_timeout", "the request line and headers did not arrive in time; send them"
                + " at once");
    }

    static ApiError requestTimeout() {
        return new ApiError(408, "request_timeout", "the request did not arrive completely in time; send it faster");
    }

    static ApiError bodyTooLarge(int maxBodyBytes) {
        return new ApiError(413, "body_too_large", "request body is larger than " + maxBodyBytes
                + " bytes; split it into smaller batches");
    }

    static ApiError unsupportedMediaType(String contentType) {
        return new ApiError(415, "unsupported_media_type", "Content-Type must be application/json, was "
                + (contentType == null ? "missing" : "'" + contentType + "'"));
    }

    static ApiError expectationFailed() {
        return new ApiError(417, "expectation_failed", "only 'Expect: 100-continue' is supported");
    }

    static ApiError uriTooLong(int max) {
        return new ApiError(414, "uri_too_long", "the request line is longer than " + max + " bytes");
    }

    static ApiError headersTooLarge(int max) {
        return new ApiError(431, "headers_too_large", "the request headers are larger than " + max + " bytes");
    }

    static ApiError unavailable(String code, String message) {
        return new ApiError(503, code, message);
    }
}
