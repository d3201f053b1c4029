package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;

/** Outcome callback of one request; called exactly once, on an event-loop or the caller's thread. */
public interface ResponseListener {

    /**
     * An HTTP response arrived.
     *
     * @param status         HTTP status code
     * @param body           response body as UTF-8 text if the request asked for it, else null
     * @param sentNanos      {@link System#nanoTime()} when the request was written to the connection
     */
    void onResponse(int status, String body, long sentNanos);

    /** No response; see {@link FailureCause#outcomeUnknown()} for whether the server may have applied it. */
    void onFailure(FailureCause cause, long sentNanos);
}
