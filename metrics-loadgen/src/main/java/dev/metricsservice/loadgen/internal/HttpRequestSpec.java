package dev.metricsservice.loadgen.internal;

/**
 * One request to send: {@code body} null for a GET. {@code wantBody} keeps the response body (for
 * queries). {@code idempotencyKey}, when not null, goes out as the {@code Idempotency-Key} header,
 * so that a retry of a request whose outcome is unknown is counted once by the service.
 */
public record HttpRequestSpec(boolean post, String pathAndQuery, byte[] body, boolean wantBody, String idempotencyKey) {

    public static HttpRequestSpec get(String pathAndQuery, boolean wantBody) {
        return new HttpRequestSpec(false, pathAndQuery, null, wantBody, null);
    }

    public static HttpRequestSpec postJson(String path, byte[] body) {
        return new HttpRequestSpec(true, path, body, false, null);
    }

    /** A POST carrying {@code key} as its {@code Idempotency-Key}. */
    public static HttpRequestSpec postJson(String path, byte[] body, String key) {
        return new HttpRequestSpec(true, path, body, false, key);
    }
}
