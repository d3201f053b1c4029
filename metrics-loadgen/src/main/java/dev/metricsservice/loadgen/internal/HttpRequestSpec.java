package dev.metricsservice.loadgen.internal;

/**
 * One request to send: {@code body} null for a GET. {@code wantBody} keeps the response body (for queries).
 */
public record HttpRequestSpec(boolean post, String pathAndQuery, byte[] body, boolean wantBody) {

    public static HttpRequestSpec get(String pathAndQuery, boolean wantBody) {
        return new HttpRequestSpec(false, pathAndQuery, null, wantBody);
    }

    public static HttpRequestSpec postJson(String path, byte[] body) {
        return new HttpRequestSpec(true, path, body, false);
    }
}
