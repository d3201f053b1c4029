package dev.metricsservice.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of one {@link Aggregator#collect()} while it visits the series: the watermark and
 * amendment number in force, and what it has gathered. Used by the collecting thread only.
 */
final class CollectRun {

    /** One aggregate offered in a batch, with what it must be compared against at commit. */
    record Offer(SeriesState series, PendingWindows.Entry entry, Stats value) {
    }

    final long watermark;
    /** The number every amendment sealed by this collect is stored under. */
    final long amendment;
    final long nowMillis;
    private final long windowSeconds;
    private final String writerId;
    final List<WindowAggregate> aggregates = new ArrayList<>();
    final List<Offer> offers = new ArrayList<>();
    int finalAggregates;
    /** Samples in cells sealed by this collect (they leave the live count). */
    long sealedSamples;
    /**
     * After the visit: the lowest window index that still has a live cell or a window (amendment
     * 0) not stored in final form, over every series; {@code Long.MAX_VALUE} for none. Every
     * window below it is final and stored. Read by {@link DurableIngest} to place checkpoints.
     */
    long lowestOpenWindow = Long.MAX_VALUE;
    /** After the visit: the lowest amendment number not yet stored, {@code Long.MAX_VALUE} for none. */
    long lowestPendingAmendment = Long.MAX_VALUE;

    CollectRun(long watermark, long amendment, long nowMillis, long windowSeconds, String writerId) {
        this.watermark = watermark;
        this.amendment = amendment;
        this.nowMillis = nowMillis;
        this.windowSeconds = windowSeconds;
        this.writerId = writerId;
    }

    void offer(SeriesState series, PendingWindows.Entry entry, Stats value) {
        aggregates.add(new WindowAggregate(series.key, entry.windowIndex * windowSeconds, writerId,
                entry.amendment, value, series.type));
        offers.add(new Offer(series, entry, value));
        if (entry.finalized) {
            finalAggregates++;
        }
    }
}
