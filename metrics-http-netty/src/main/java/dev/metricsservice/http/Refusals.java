package dev.metricsservice.http;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.BatchResult;
import dev.metricsservice.core.durability.DurableLogException;
import dev.metricsservice.core.RecordResult;
import dev.metricsservice.core.SampleBatch;

/**
 * The one place where a refusal by the core becomes an HTTP status and a JSON error: the code is
 * the core's ({@link RecordResult#code()}), the sentence the aggregator's
 * ({@link Aggregator#explain}), and this class adds the status and the field the rule is about.
 */
final class Refusals {

    private Refusals() {
    }

    /**
     * The answer to a refused batch. {@code single} is true for a body that was one object (the
     * seed's form), whose errors name no element index.
     */
    static ApiError of(BatchResult result, SampleBatch batch, boolean single, Aggregator aggregator) {
        RecordResult r = result.refusal();
        int index = result.index();
        String where = single ? "" : "element " + index + ": ";
        String why = switch (r) {
            case INVALID_NAME -> aggregator.nameProblem(batch.name(index)).orElse(aggregator.explain(r));
            case INVALID_TAGS -> Tags.problem(batch.tags(index)).orElse(aggregator.explain(r));
            case TYPE_CONFLICT -> "metric '" + batch.name(index) + "' is a "
                    + aggregator.typeOf(batch.name(index)).map(MetricType::wireName).orElse("metric of another type")
                    + ", this sample is a " + (batch.type(index) == null ? "summary" : batch.type(index).wireName())
                    + "; a metric name has one type";
            default -> aggregator.explain(r);
        };
        ApiError error = switch (r) {
            case INVALID_NAME -> ApiError.invalid(r.code(), where + "field 'name': " + why);
            case NON_FINITE_VALUE -> ApiError.invalid(r.code(), where + "field 'value': " + why);
            case TOO_LATE, TOO_EARLY -> ApiError.invalid(r.code(), where + "field 'timestamp': " + why);
            case INVALID_TAGS -> ApiError.invalid(r.code(), where + "field 'tags': " + why);
            case TYPE_CONFLICT -> new ApiError(409, r.code(), where + "field 'type': " + why);
            case SERIES_LIMIT, SERIES_PER_NAME_LIMIT -> new ApiError(429, r.code(), where + why);
            case OVERLOADED -> ApiError.unavailable(r.code(), why);
            case ACCEPTED -> throw new IllegalArgumentException("not a refusal");
        };
        if (!result.isPartial()) {
            return error;
        }
        return new ApiError(error.status(), "partial_batch", "elements 0.." + (index - 1)
                + " were recorded, element " + index + " was refused (" + why
                + ") and the rest were not recorded; resend from element " + index);
    }

    /**
     * Why the durable log did not take a batch: 503 (with Retry-After) while it is full, broken
     * or closing, 413 for a batch too large for one record. Nothing of the batch was acknowledged.
     */
    static ApiError ofLog(Throwable cause) {
        if (cause instanceof DurableLogException d) {
            return switch (d.reason()) {
                case FULL -> ApiError.unavailable("log_full", "the write-ahead log is full because the store has"
                        + " not taken its data for a while; nothing was recorded, retry later (" + d.getMessage() + ")");
                case IO_ERROR -> ApiError.unavailable("log_failed", "the write-ahead log cannot write to its disk;"
                        + " nothing was recorded (" + d.getMessage() + ")");
                case CLOSED -> ApiError.unavailable("shutting_down", "the server is shutting down; nothing was"
                        + " recorded, retry on another instance");
                case TOO_LARGE -> new ApiError(413, "record_too_large", "the batch is too large for one"
                        + " write-ahead log record (" + d.getMessage() + "); split it");
            };
        }
        return ApiError.unavailable("not_durable", "the batch could not be made durable, so nothing was"
                + " acknowledged: " + cause);
    }
}
