package dev.metricsservice.core;

import dev.metricsservice.core.units.Units;
import java.time.Duration;
import java.util.Optional;

/**
 * The rules a sample must meet, with the limits one aggregator was built with: the single place
 * where names, values and timestamps are judged, for {@code record}, batches and handles alike.
 * Immutable and thread-safe.
 */
final class SampleRules {

    final int maxNameBytes;
    final long maxFutureSkewMillis;
    final long maxLatenessMillis;
    final int maxSeries;
    final int maxSeriesPerName;

    SampleRules(int maxNameBytes, long maxFutureSkewMillis, long maxLatenessMillis, int maxSeries,
                int maxSeriesPerName) {
        this.maxNameBytes = maxNameBytes;
        this.maxSeries = maxSeries;
        this.maxSeriesPerName = maxSeriesPerName;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
        this.maxLatenessMillis = maxLatenessMillis;
    }

    /** What is wrong with {@code name}, if anything (see {@link MetricNames}). */
    Optional<String> nameProblem(String name) {
        return MetricNames.problem(name, maxNameBytes);
    }

    /**
     * Judges a client timestamp against the clock reading {@code nowMillis}: {@code TOO_EARLY},
     * {@code TOO_LATE} or {@code ACCEPTED}. Lateness up to the maximum is accepted: the aggregator
     * records a sample for a final window as an amendment.
     */
    RecordResult checkTimestamp(long epochMillis, long nowMillis) {
        if (epochMillis > nowMillis && epochMillis - nowMillis > maxFutureSkewMillis) {
            return RecordResult.TOO_EARLY;
        }
        if (epochMillis < nowMillis && nowMillis - epochMillis > maxLatenessMillis) {
            return RecordResult.TOO_LATE;
        }
        return RecordResult.ACCEPTED;
    }

    /** A sentence saying why {@code result} refused a sample, with the configured limits. */
    String explain(RecordResult result) {
        return switch (result) {
            case ACCEPTED -> "accepted";
            case INVALID_NAME -> "metric name must be 1 to " + maxNameBytes
                    + " UTF-8 bytes without control characters or unpaired surrogates";
            case NON_FINITE_VALUE -> "value must be a finite number";
            case TOO_LATE -> "timestamp is more than the maximum lateness of " + millisText(maxLatenessMillis)
                    + " in the past";
            case TOO_EARLY -> "timestamp is more than the maximum clock skew of " + millisText(maxFutureSkewMillis)
                    + " in the future";
            case INVALID_TAGS -> "tags must be at most " + Tags.MAX_TAGS + " pairs, keys 1 to " + Tags.MAX_KEY_BYTES
                    + " UTF-8 bytes without control characters, ':', ',', '=' or spaces, values 1 to "
                    + Tags.MAX_VALUE_BYTES + " UTF-8 bytes without control characters";
            case TYPE_CONFLICT -> "the metric already has another type; a metric name has one type";
            case SERIES_LIMIT -> "too many live series: the limit of " + maxSeries + " live series (all metrics) is reached";
            case SERIES_PER_NAME_LIMIT -> "too many live series of this metric: the limit of " + maxSeriesPerName
                    + " live series per metric name is reached";
            case OVERLOADED -> "too much data is pending for the store; retry later";
        };
    }

    /** Durations in messages are written as the flags take them (one grammar: {@link Units}). */
    private static String millisText(long millis) {
        return Units.formatDuration(Duration.ofMillis(millis));
    }
}
