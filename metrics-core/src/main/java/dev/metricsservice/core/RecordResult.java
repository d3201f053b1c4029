package dev.metricsservice.core;

/**
 * The outcome of recording one sample. Recording never throws for bad input: it answers with one
 * of these, and every value but {@link #ACCEPTED} is counted in {@link AggregatorStats}.
 *
 * <pre>{@code
 * RecordResult r = aggregator.record("cpu", 42.5);
 * if (!r.isAccepted()) {
 *     log.warn("sample dropped: {}", r.reason());
 * }
 * }</pre>
 */
public enum RecordResult {
    /** The sample was counted and will be stored exactly once. */
    ACCEPTED("accepted"),
    /** The name breaks the rules in {@link MetricNames}. */
    INVALID_NAME("metric name must be 1 to " + MetricNames.DEFAULT_MAX_NAME_BYTES
            + " UTF-8 bytes without control characters (or the configured maximum)"),
    /** The value was NaN or infinite. */
    NON_FINITE_VALUE("value must be a finite number"),
    /** The sample's window was already finalized (its timestamp is older than the allowed lateness). */
    TOO_LATE("timestamp is older than the allowed lateness; its window is already final"),
    /** The sample's timestamp is further in the future than the allowed clock skew. */
    TOO_EARLY("timestamp is further in the future than the allowed clock skew"),
    /** A new series would exceed the configured maximum number of distinct series. */
    SERIES_LIMIT("too many distinct series; the configured maximum is reached"),
    /** Too much data is waiting for the store (or the collector is behind); try again later. */
    OVERLOADED("too much data is pending for the store; retry later");

    private final String reason;

    RecordResult(String reason) {
        this.reason = reason;
    }

    /** A short, human-readable explanation suitable for an error message. */
    public String reason() {
        return reason;
    }

    /** True only for {@link #ACCEPTED}. */
    public boolean isAccepted() {
        return this == ACCEPTED;
    }
}
