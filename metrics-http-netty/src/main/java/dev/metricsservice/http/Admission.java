package dev.metricsservice.http;

import io.netty.handler.codec.http.HttpRequest;
import java.util.Optional;

/**
 * What {@link AdmissionHandler} decided about a request head. It replaces the head in the
 * pipeline, so the body handler sees each request as a decision followed by its body, in order.
 */
sealed interface Admission {

    /** The request head as decoded. */
    HttpRequest head();

    /** The endpoint its path names ({@link Route#NONE} if none). */
    Route route();

    /** The request may proceed; its body, if any, follows. */
    record Admitted(HttpRequest head, Route route, boolean expectContinue) implements Admission {
    }

    /**
     * The request is refused with {@code error} before its body is read.
     *
     * @param allow the methods to list in an {@code Allow} header (for 405), if any
     * @param close whether the connection must close after the answer: the body was never read
     *              (too large), cannot be framed (a decoding failure), or may or may not follow
     *              (the client asked for 100-continue)
     */
    record Refused(HttpRequest head, Route route, ApiError error, Optional<String> allow, boolean close)
            implements Admission {
    }
}
