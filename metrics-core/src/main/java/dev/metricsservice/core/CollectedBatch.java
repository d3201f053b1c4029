package dev.metricsservice.core;

import java.util.List;

/**
 * What one {@link Aggregator#collect()} took: the aggregates to write, and the means to tell the
 * aggregator that the store accepted them.
 *
 * <pre>{@code
 * CollectedBatch batch = aggregator.collect();
 * store.write(batch.aggregates()).whenComplete((ok, error) -> {
 *     if (error == null) {
 *         batch.commit();      // closed windows are forgotten, open ones marked as stored
 *     }                        // on error: do nothing; the next collect offers the data again
 * });
 * }</pre>
 *
 * <p>Each aggregate is either <em>final</em> (its window is closed and will never change) or a
 * <em>cumulative partial</em> of a still-open window, which a later collect offers again with its
 * newer value. Writing either replaces the store's previous value for the same
 * (series, window, writer, amendment), so rewriting is harmless. Amendments (late samples
 * of windows already final) are final from the start.
 *
 * <p>Write one batch at a time: start the next {@code collect()} only after the previous batch's
 * write has finished (committed or failed). Two writes in flight could land in either order, and an
 * older partial could overwrite a newer one.
 *
 * <p>Thread-safe: {@link #commit()} may be called from the store's completion thread.
 */
public final class CollectedBatch {

    private final Aggregator owner;
    private final List<WindowAggregate> aggregates;
    private final List<CollectRun.Offer> offers;
    private final int finalWindows;
    private final long collectedAtMillis;
    /** What {@link DurableIngest} needs to place checkpoints: see {@link CollectRun}. */
    final long watermark;
    final long amendment;
    final long lowestOpenWindow;
    final long lowestPendingAmendment;
    private boolean committed;

    CollectedBatch(Aggregator owner, List<WindowAggregate> aggregates, List<CollectRun.Offer> offers,
                   int finalWindows, long collectedAtMillis) {
        this(owner, aggregates, offers, finalWindows, collectedAtMillis, Long.MIN_VALUE, 0, Long.MIN_VALUE, 0);
    }

    CollectedBatch(Aggregator owner, List<WindowAggregate> aggregates, List<CollectRun.Offer> offers,
                   int finalWindows, long collectedAtMillis, long watermark, long amendment,
                   long lowestOpenWindow, long lowestPendingAmendment) {
        this.watermark = watermark;
        this.amendment = amendment;
        this.lowestOpenWindow = lowestOpenWindow;
        this.lowestPendingAmendment = lowestPendingAmendment;
        this.owner = owner;
        this.aggregates = List.copyOf(aggregates);
        this.offers = offers;
        this.finalWindows = finalWindows;
        this.collectedAtMillis = collectedAtMillis;
    }

    /** The aggregates to write; immutable. */
    public List<WindowAggregate> aggregates() {
        return aggregates;
    }

    /** True when there is nothing to write (commit is then a no-op). */
    public boolean isEmpty() {
        return aggregates.isEmpty();
    }

    /** How many of the aggregates are final (their window is closed). */
    public int finalWindows() {
        return finalWindows;
    }

    /** The aggregator clock's time when this batch was collected, in epoch milliseconds. */
    public long collectedAtMillis() {
        return collectedAtMillis;
    }

    /**
     * Confirms that the store accepted every aggregate of this batch. Final windows are then
     * forgotten; open windows are remembered as stored. Calling it twice has no further effect.
     */
    public void commit() {
        synchronized (this) {
            if (committed) {
                return;
            }
            committed = true;
        }
        owner.commit(offers);
    }
}
