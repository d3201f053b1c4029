package dev.metricsservice.core;

/**
 * The handshake that retires an idle series without losing a sample that races with it: a
 * sample lands either in the live series (which then stays) or, once the series is retired, in a
 * fresh series object; never in a dropped one. {@link SeriesState} extends this class so that the
 * flag shares the series' cache line (no extra dependent load on the record path).
 *
 * <pre>{@code
 * // writer, with `cell` found in (or just published to) the series' ring or amendment map
 * if (!admits()) {
 *     return owner.recordInSuccessor(series, window, value);   // waits out a retirement attempt
 * }
 * enter(cell, value);
 *
 * // collector, holding the series monitor, with the series idle and nothing pending
 * if (series.tryRetire()) {
 *     registry.remove(key, series);     // writers now create a fresh series for the key
 * }
 * }</pre>
 *
 * <h2>Assumptions</h2>
 * <ol>
 *   <li>Only the collector calls {@link #tryRetire}, and only for a series whose windows are all
 *       final and stored (nothing pending), so the fresh series that may follow never writes an
 *       item the retired one wrote: the watermark has passed every window the retired one held,
 *       and amendments get numbers that are never reused.</li>
 *   <li>A writer enters a cell only after it found or published the cell in the series and then
 *       read {@link #admits()} as true. Writers never remove a cell they published.</li>
 * </ol>
 *
 * <h2>Guarantees</h2>
 * <ol>
 *   <li>If {@code tryRetire} returns true, no sample is ever recorded into the series again.</li>
 *   <li>If it returns false, the series stays live, and every writer that was turned away while
 *       the retirement was being tried finds it live again.</li>
 *   <li>Writers never wait for a lock: a writer turned away goes to the registry, which holds
 *       either this series (live again within the retirer's few instructions) or its
 *       successor.</li>
 * </ol>
 */
abstract class SeriesRetirement {

    /*
     * High level design (for maintainers)
     *
     * Retiring is: (R1) store closed = true (volatile), (R2) look for cells in the ring and the
     * amendment map, (R3) if one is found, store closed = false and keep the series; otherwise
     * the series stays closed for good and the caller drops it from the registry. A writer does:
     * (W1) find its cell, or publish a new one with a CAS, (W2) load closed (volatile), (W3)
     * enter the cell only if W2 saw false. All of these are sequentially consistent: if W2 sees
     * false, R1 comes after W2, so R2 comes after W1 and finds the cell (writers never remove a
     * cell, and the collector removes one only after sealing it, which happens before R1 on the
     * collector's own thread), and the retirement is abandoned.
     *
     * The hot-cell path (a writer reusing the cell cached for the clock's window) skips W2: a
     * cell is cached only after a W2 that saw false, so by the argument above, in a series that
     * is then retired every cached cell was seen by R2 or had been removed from the ring, and a
     * cell leaves the ring only sealed. A sealed cell refuses, and the refused sample takes the
     * amendment path, which does W2. That keeps the record path's fastest case free of this check.
     *
     * Without W2 a writer can enter a cell that R2 did not see, in a series the registry has
     * dropped: AggregatorRetirementTest then loses samples (3 of 3 runs when tried).
     */

    private volatile boolean closed;

    /** Writer side, after finding or publishing a cell: true when the series may take samples. */
    final boolean admits() {
        return !closed;
    }

    /** True when this series holds a published cell (ring or amendments). */
    abstract boolean holdsCells();

    /**
     * Collector side: retires the series unless a writer has published a cell in it.
     *
     * @return true when the series is retired for good
     */
    final boolean tryRetire() {
        closed = true;
        if (holdsCells()) {
            closed = false;
            return false;
        }
        return true;
    }
}
