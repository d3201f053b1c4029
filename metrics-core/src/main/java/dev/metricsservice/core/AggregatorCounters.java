package dev.metricsservice.core;

import java.util.Map;

/**
 * A point-in-time reading of an {@link Aggregator}'s own activity counters (not metric values:
 * those are {@link Stats}).
 *
 * <pre>{@code
 * AggregatorCounters c = aggregator.counters();
 * long late = c.rejected().get(RecordResult.TOO_LATE);
 * }</pre>
 *
 * @param writerId       the aggregator's writer id
 * @param accepted       samples accepted since start
 * @param rejected       samples rejected since start, by reason (every reason present, maybe 0)
 * @param liveSeries     series currently held (what {@code maxSeries} bounds)
 * @param retiredSeries  series retired for being idle since start
 * @param pendingWindows aggregates (windows and amendments) held in memory that the store has
 *                       not yet accepted in their final form
 * @param collects       calls to {@link Aggregator#collect()}
 * @param commits        batches confirmed with {@link CollectedBatch#commit()}
 * @param overloaded     true while new samples are refused because too much is pending
 */
public record AggregatorCounters(
        String writerId,
        long accepted,
        Map<RecordResult, Long> rejected,
        int liveSeries,
        long retiredSeries,
        long pendingWindows,
        long collects,
        long commits,
        boolean overloaded) {

    public AggregatorCounters {
        rejected = Map.copyOf(rejected);
    }

    /** Sum of all rejections. */
    public long rejectedTotal() {
        long total = 0;
        for (long n : rejected.values()) {
            total += n;
        }
        return total;
    }
}
