package dev.metricsservice.core;

/**
 * The outcome of recording one sample. Recording never throws for bad input: it answers with one
 * of these, and every value but {@link #ACCEPTED} is counted in {@link AggregatorCounters}.
 *
 * <pre>{@code
 * RecordResult r = aggregator.record("cpu", 42.5);
 * if (!r.isAccepted()) {
 *     log.warn("sample dropped: {} ({})", r.code(), aggregator.explain(r));
 * }
 * }</pre>
 *
 * <p>{@link #code()} is the stable, machine-readable name front ends put in their error answers;
 * {@link Aggregator#explain(RecordResult)} is the sentence with the aggregator's configured limits.
 */
public enum RecordResult {
    /** The sample was counted and will be stored exactly once. */
    ACCEPTED("accepted"),
    /** The name breaks the rules in {@link MetricNames}. */
    INVALID_NAME("invalid_name"),
    /** The value was NaN or infinite. */
    NON_FINITE_VALUE("non_finite_value"),
    /** The sample's timestamp is older than the maximum lateness. */
    TOO_LATE("timestamp_too_old"),
    /** The sample's timestamp is further in the future than the allowed clock skew. */
    TOO_EARLY("timestamp_too_new"),
    /** The tags break the rules in {@link Tags}. */
    INVALID_TAGS("invalid_tags"),
    /** The sample's type is not the type the metric name already has. */
    TYPE_CONFLICT("type_conflict"),
    /** A new series would exceed the configured maximum number of live series. */
    SERIES_LIMIT("series_limit"),
    /** A new series would exceed the configured maximum number of live series of its metric name. */
    SERIES_PER_NAME_LIMIT("series_per_name_limit"),
    /** Too much data is waiting for the store (or the collector is behind); try again later. */
    OVERLOADED("overloaded");

    private final String code;

    RecordResult(String code) {
        this.code = code;
    }

    /** The stable error code, in snake case, for front ends' error answers. */
    public String code() {
        return code;
    }

    /** True only for {@link #ACCEPTED}. */
    public boolean isAccepted() {
        return this == ACCEPTED;
    }
}
