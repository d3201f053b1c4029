package dev.metricsservice.core.flush;

/**
 * Observes a {@link FlushWorker}. Called on the worker's thread; keep it short and never block.
 *
 * <pre>{@code
 * FlushListener log = new FlushListener() {
 *     public void onStateChange(boolean healthy, FlushResult r) {
 *         if (healthy) LOG.info("store writes recovered"); else LOG.warn("store writes failing: {}", r.error().getMessage());
 *     }
 * };
 * }</pre>
 */
public interface FlushListener {

    /** Every attempt, successful or not (telemetry, metrics). Default: nothing. */
    default void onFlush(FlushResult result) {
    }

    /**
     * Only when the outcome changes from success to failure or back, so that logs show one line
     * per outage rather than one per failed attempt. Default: nothing.
     */
    default void onStateChange(boolean healthy, FlushResult result) {
    }
}
