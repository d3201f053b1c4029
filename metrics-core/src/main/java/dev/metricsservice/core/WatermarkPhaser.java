package dev.metricsservice.core;

/**
 * The handshake that makes a window final while writers keep recording into it: the collector
 * publishes a watermark, then seals the cells of the windows below it; a writer reads the
 * watermark after its cell is published in the series and before it enters the cell.
 *
 * <pre>{@code
 * // writer, with `cell` already reachable from the series (found in the ring, or CAS-ed there)
 * if (!aggregator.enter(cell, cell.windowIndex, value)) {
 *     // the window is final: record the sample as an amendment instead
 * }
 *
 * // collector, holding the collect lock
 * long watermark = aggregator.advanceTo(proposedWatermark);
 * for (WindowCell cell : cellsBelow(watermark)) {
 *     Stats last = aggregator.finalRead(cell);   // sealed: nothing can be added any more
 *     removeFromRing(cell);
 * }
 * }</pre>
 *
 * <h2>Assumptions</h2>
 * <ol>
 *   <li>One collector at a time calls {@link #advanceTo} and {@link #finalRead} (the aggregator's
 *       collect lock).</li>
 *   <li>A writer calls {@link #enter} only with a cell that is already published where the
 *       collector looks for it (the series' ring), and the publishing store is at least as strong
 *       as a release followed by the volatile load inside {@code enter} (a CAS, or the volatile
 *       load that found the cell).</li>
 *   <li>The collector removes a cell from the ring only after {@link #finalRead} sealed it.</li>
 * </ol>
 *
 * <h2>Guarantees</h2>
 * <ol>
 *   <li><b>Exactly once.</b> A sample for which {@code enter} returned true is included in the
 *       value that {@code finalRead} returns for its cell, and in no other final read (a cell is
 *       sealed once and then dropped).</li>
 *   <li><b>Nothing after the final read.</b> Once {@code finalRead(cell)} has returned, every
 *       later {@code enter(cell, ...)} returns false.</li>
 *   <li><b>Writers never wait for the collector.</b> {@code enter} is one volatile load plus the
 *       cell's single CAS; a false return means "final", to be handled by the caller (as an
 *       amendment), never "try again later".</li>
 *   <li><b>The collector waits only for writers inside the cell's critical section</b> (a few
 *       plain stores), never for a writer that has not entered yet.</li>
 *   <li><b>Monotonic.</b> The watermark never moves back: {@link #isFinal} once true for a window
 *       stays true.</li>
 * </ol>
 *
 * <p>Thread-safe under the assumptions above. {@link Aggregator} extends this class so that the
 * watermark is a field of the object every record already reads (no extra dependent load, no
 * extra cache line on the record path); the protocol stays here, in one place.
 */
abstract class WatermarkPhaser {

    /*
     * High level design (for maintainers)
     *
     * Two orders meet. The collector does: (C1) store the new watermark (volatile), (C2) load the
     * ring slots, (C3) seal each cell found below the watermark (a CAS on each stripe that waits
     * out a BUSY writer). A writer does: (W1) publish or find its cell in the ring (CAS or
     * volatile load), (W2) load the watermark (volatile), (W3) CAS its stripe to BUSY, add, and
     * release. All of C1, C2, W1, W2 are sequentially consistent, so either W2 sees C1 (the
     * writer refuses: its window is final) or C2 sees W1 (the collector finds the cell and C3
     * seals it). In the second case W3 either completes before the seal (its sample is in the
     * final read) or fails on the SEALED bit (the writer refuses). No interleaving lets a sample
     * enter a cell after the collector read it in final form.
     *
     * This plays the part of HdrHistogram's WriterReaderPhaser without a shared epoch counter
     * that every writer would increment: the watermark is read-mostly (written once per collect)
     * and stays in every writer's cache, so a writer pays one plain load on x86.
     *
     * Removing W2 (entering without reading the watermark, together with the series' early check
     * before it creates a cell) breaks guarantee 1 for cells that a writer publishes after the
     * collector's scan: such a cell is sealed by a later collect as if it were the window itself,
     * its item replaces the stored window, and AggregatorExactlyOnceTest loses samples (3 of 3
     * runs when tried).
     */

    /** Windows with a smaller index are final. Written by the collector only. */
    private volatile long finalizedBelow;

    WatermarkPhaser(long initialWatermark) {
        this.finalizedBelow = initialWatermark;
    }

    /** True when {@code windowIndex} is final (below the watermark). */
    final boolean isFinal(long windowIndex) {
        return windowIndex < finalizedBelow;
    }

    /**
     * Writer side: adds {@code value} to {@code cell}, whose window is {@code windowIndex}, unless
     * that window is final.
     *
     * @return true when the sample is counted (exactly once); false when the window is final
     */
    final boolean enter(WindowCell cell, long windowIndex, double value, long stampMillis) {
        // windowIndex is the cell's (the caller matched it), passed to save the load from the cell.
        if (windowIndex < finalizedBelow) {
            return false;
        }
        return cell.record(value, stampMillis);
    }

    /**
     * Collector side, step 1: moves the watermark to {@code proposed} if that is ahead.
     *
     * @return the watermark now in force
     */
    final long advanceTo(long proposed) {
        long current = finalizedBelow;
        if (proposed > current) {
            finalizedBelow = proposed;
            return proposed;
        }
        return current;
    }

    /**
     * Collector side, step 2: seals a cell found below the watermark and returns its final value.
     * The caller drops the cell from the ring afterwards.
     */
    final Stats finalRead(WindowCell cell) {
        cell.seal();
        return cell.read();
    }
}
