package dev.metricsservice.loadgen;

/**
 * Why a request got no HTTP response. Requests that got a response are counted by status instead.
 */
public enum FailureCause {
    /** The server refused the TCP connection; the request was never sent. */
    CONNECT_REFUSED(false),
    /** Connecting took longer than the connect timeout; never sent. */
    CONNECT_TIMEOUT(false),
    /** Any other connect error (unreachable host, ...); never sent. */
    CONNECT_FAILED(false),
    /** No response within the request timeout after sending: the server may or may not have applied it. */
    TIMEOUT(true),
    /** The connection was reset or closed after the request was sent, before a response. */
    RESET(true),
    /** The response could not be parsed as HTTP. */
    PROTOCOL(true),
    /** Open model only: the backlog of requests waiting for a connection was full; never sent. */
    BACKLOG_FULL(false),
    /** Still waiting for a connection when the run ended; never sent. */
    NOT_SENT(false);

    private final boolean outcomeUnknown;

    FailureCause(boolean outcomeUnknown) {
        this.outcomeUnknown = outcomeUnknown;
    }

    /** True when the server may have stored the request's samples although no 202 was seen. */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}
