package dev.metricsservice.http;

/**
 * User events that the connection stages send each other (as Netty's {@code IdleStateEvent} is
 * sent): fired into the pipeline, handled by {@link RequestHandler}, which decides what to answer.
 */
enum ConnectionEvent {
    /** Nothing was received for the idle timeout (from {@link ConnectionTimeouts}). */
    IDLE,
    /** A request's head did not arrive within the header timeout (from {@link ConnectionTimeouts}). */
    HEADER_TIMEOUT,
    /** A request did not arrive completely within the read timeout (from {@link ConnectionTimeouts}). */
    REQUEST_TIMEOUT,
    /** The server is shutting down: close once the current request is answered (from {@link MetricsHttpServer}). */
    SHUTDOWN
}
