package dev.metricsservice.core;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.WindowMerger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One series' windows and amendments that were collected but are not yet stored in final form:
 * what the next collect offers again, what a commit confirms, and what a query still needs from
 * memory. Not thread-safe: guarded by the owning {@link SeriesState}'s monitor, which writers never
 * take.
 *
 * <p>An entry is identified by (window index, amendment number); amendment 0 is the window
 * itself, whose value grows while the window is open and becomes final when its cells are sealed.
 * An amendment holds samples that arrived after the window was final; it is final from the start
 * and stored as an item of its own, so the store adds it to the window instead of replacing it.
 */
final class PendingWindows {

    /** Bookkeeping for one (window, amendment). */
    static final class Entry {
        final long windowIndex;
        final long amendment;
        /** Samples from cells already sealed (final). */
        Stats sealed = Stats.EMPTY;
        /** Last consistent read of the live cells, while the window is open. */
        Stats live = Stats.EMPTY;
        /** What the store has confirmed for this (series, window, writer, amendment). */
        Stats committed = Stats.EMPTY;
        boolean finalized;

        Entry(long windowIndex, long amendment) {
            this.windowIndex = windowIndex;
            this.amendment = amendment;
        }

        Stats value() {
            return sealed.merge(live);
        }
    }

    private final List<Entry> entries = new ArrayList<>(4);
    /** Entries held by every series of the aggregator: the pending bound. */
    private final AtomicLong pendingTotal;

    PendingWindows(AtomicLong pendingTotal) {
        this.pendingTotal = pendingTotal;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** A cell of window {@code windowIndex} was sealed with {@code last} as its final value. */
    void windowSealed(long windowIndex, Stats last) {
        Entry e = last.isEmpty() ? find(windowIndex, 0) : findOrAdd(windowIndex, 0);
        if (e != null) {
            e.sealed = e.sealed.merge(last);
            e.live = Stats.EMPTY;
            e.finalized = true;
        }
    }

    /** The open window {@code windowIndex} holds {@code now} in its live cells. */
    void windowLive(long windowIndex, Stats now) {
        if (!now.isEmpty()) {
            findOrAdd(windowIndex, 0).live = now;
        }
    }

    /** Late samples of the final window {@code windowIndex}, sealed as amendment {@code amendment}. */
    void amendmentSealed(long windowIndex, long amendment, Stats last) {
        if (!last.isEmpty()) {
            Entry e = findOrAdd(windowIndex, amendment);
            e.sealed = e.sealed.merge(last);
            e.finalized = true;
        }
    }

    /**
     * Offers every entry whose value the store does not hold yet, and forgets final entries the
     * store already holds. Windows below the watermark whose cells were already gone (empty) are
     * final too.
     */
    void offerInto(CollectRun run, SeriesState series) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!e.finalized && e.windowIndex < run.watermark) {
                e.finalized = true;
            }
            Stats value = e.value();
            if (value.count() == e.committed.count()) {
                if (e.finalized) {
                    it.remove();
                    pendingTotal.decrementAndGet();
                }
                continue;
            }
            run.offer(series, e, value);
        }
    }

    /** Lowers the run's lowest open window and pending amendment by what is still held here. */
    void noteHeld(CollectRun run) {
        for (Entry e : entries) {
            if (e.amendment == 0) {
                run.lowestOpenWindow = Math.min(run.lowestOpenWindow, e.windowIndex);
            } else {
                run.lowestPendingAmendment = Math.min(run.lowestPendingAmendment, e.amendment);
            }
        }
    }

    /** The store confirmed {@code value} for {@code e}; a final entry stored whole is forgotten. */
    void commit(Entry e, Stats value) {
        if (value.count() > e.committed.count()) {
            e.committed = value;
        }
        if (e.finalized && e.committed.count() == e.value().count() && entries.remove(e)) {
            pendingTotal.decrementAndGet();
        }
    }

    /**
     * Adds what the store does not have yet to {@code merger}. {@code live} holds the current
     * reads of the series' open cells by window index; entries it contributes to are removed from
     * it, so the caller adds the rest (windows never collected) itself.
     *
     * <p>For a window of which a partial was stored, the row carries the count and sum recorded
     * since then and the window's cumulative min and max, which dominate the stored ones, so that
     * merging with the store's row gives exact totals.
     */
    void unflushedInto(MetricQuery query, long windowSeconds, Map<Long, Stats> live, WindowMerger merger,
                       SeriesKey key, MetricType type) {
        for (Entry e : entries) {
            long start = e.windowIndex * windowSeconds;
            if (!query.covers(start)) {
                continue;
            }
            Stats total = e.sealed;
            if (e.amendment == 0) {
                Stats now = live.remove(e.windowIndex);
                total = total.merge(now != null ? now : Stats.EMPTY);
            }
            if (total.count() > e.committed.count()) {
                // The stored part is a prefix of the total, so the total's last value is the latest.
                merger.add(key, type, start, total.since(e.committed));
            }
        }
    }

    private Entry findOrAdd(long windowIndex, long amendment) {
        Entry e = find(windowIndex, amendment);
        if (e == null) {
            e = new Entry(windowIndex, amendment);
            entries.add(e);
            pendingTotal.incrementAndGet();
        }
        return e;
    }

    private Entry find(long windowIndex, long amendment) {
        for (Entry e : entries) {
            if (e.windowIndex == windowIndex && e.amendment == amendment) {
                return e;
            }
        }
        return null;
    }
}
