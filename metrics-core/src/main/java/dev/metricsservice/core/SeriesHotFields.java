package dev.metricsservice.core;

/**
 * The fields of a {@link SeriesState} that every record reads, declared in a superclass because
 * the JVM lays superclass fields out first: together with the retirement flag they sit in the
 * object's first 32 bytes, so a record touches one cache line of the series, not two (the series
 * object grew past 40 bytes with amendments and retirement, and its cold fields now come after).
 */
abstract class SeriesHotFields extends SeriesRetirement {

    final Aggregator owner;
    final WindowCell[] slots;
    final int slotMask;
    /** True for gauges: every sample carries its timestamp so the cell can keep the last value. */
    final boolean tracksLast;

    /**
     * The cell of the window the clock was last in: lets a clock-stamped record skip the ring
     * lookup, which would depend on the window index (one more dependent load before the CAS).
     * Written only when it changes (about once per window), so it stays shared-clean in every
     * writer's cache. Only a hint: users check its window index, and a stale cell is sealed.
     * Accessed through {@code SeriesState.HOT}.
     */
    @SuppressWarnings("unused")
    WindowCell hot;

    SeriesHotFields(Aggregator owner, int slotCount, boolean tracksLast) {
        this.owner = owner;
        this.tracksLast = tracksLast;
        this.slots = new WindowCell[slotCount];
        this.slotMask = slotCount - 1;
    }
}
