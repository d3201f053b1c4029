package dev.metricsservice.core;

import java.util.Map;

/**
 * A point-in-time view of an {@link Aggregator}'s own counters.
 *
 * <pre>{@code
 * AggregatorStats s = aggregator.stats();
 * long late = s.rejected().get(RecordResult.TOO_LATE);
 * }</pre>
 *
 * @param writerId        the aggregator's writer id
 * @param accepted        samples accepted since start
 * @param rejected        samples rejected since start, by reason (every reason present, maybe 0)
 * @param series          distinct series currently known
 * @param pendingWindows  (series, window) aggregates held in memory that the store has not yet
 *                        accepted in their final form
 * @param collects        calls to {@link Aggregator#collect()}
 * @param commits         batches confirmed with {@link CollectedBatch#commit()}
 * @param overloaded      true while new samples are refused because too much is pending
 */
public record AggregatorStats(
        String writerId,
        long accepted,
        Map<RecordResult, Long> rejected,
        int series,
        long pendingWindows,
        long collects,
        long commits,
        boolean overloaded) {

    public AggregatorStats {
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
