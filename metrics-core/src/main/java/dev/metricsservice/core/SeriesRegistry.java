package dev.metricsservice.core;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The live series of one aggregator, by metric name, bounded by {@code maxSeries}: creation (at
 * most one object per name at a time), retirement, and finding the successor of a retired series.
 *
 * <p>Keyed by the name string itself (not a {@link SeriesKey}) so that recording by name looks up
 * without building a key object. Thread-safe: lookups are lock-free map reads; creation and
 * retirement are map updates, rare by comparison.
 */
final class SeriesRegistry {

    private final ConcurrentHashMap<String, SeriesState> byName = new ConcurrentHashMap<>();
    private final AtomicInteger live = new AtomicInteger();
    private final int maxSeries;
    private final SampleRules rules;
    private final Function<String, SeriesState> factory;

    SeriesRegistry(int maxSeries, SampleRules rules, Function<String, SeriesState> factory) {
        this.maxSeries = maxSeries;
        this.rules = rules;
        this.factory = factory;
    }

    /**
     * The map itself, for the aggregator's record-by-name path: one dependent load fewer before the
     * sample's CAS than going through this object (read only; all changes go through this class).
     */
    ConcurrentHashMap<String, SeriesState> map() {
        return byName;
    }

    /** The live series of {@code name}; the caller checks for null (an unknown or retired name). */
    SeriesState get(String name) {
        return name == null ? null : byName.get(name);
    }

    boolean contains(String name) {
        return byName.containsKey(name);
    }

    /**
     * Creates the series of {@code name} unless it exists.
     *
     * @return ACCEPTED (it exists now), INVALID_NAME or SERIES_LIMIT
     */
    RecordResult create(String name) {
        if (name == null) {
            return RecordResult.INVALID_NAME;
        }
        if (byName.containsKey(name)) {
            return RecordResult.ACCEPTED;
        }
        if (rules.nameProblem(name).isPresent()) {
            return RecordResult.INVALID_NAME;
        }
        if (live.incrementAndGet() > maxSeries) {
            live.decrementAndGet();
            return RecordResult.SERIES_LIMIT;
        }
        if (byName.putIfAbsent(name, factory.apply(name)) != null) {
            live.decrementAndGet(); // another thread created it first
        }
        return RecordResult.ACCEPTED;
    }

    /**
     * Records an already judged sample for window {@code w} into the live series that replaced
     * {@code retired} (null when there was none at all), creating it if need be. Waits out a
     * retirement being tried: the series is then still registered but closed, and the collector
     * settles it within a few instructions.
     *
     * @return the outcome; a refusal to create the series is counted by {@code owner}
     */
    RecordResult recordInSuccessor(Aggregator owner, SeriesState retired, String name, long w, double value) {
        if (retired != null) {
            SeriesState next = retired.successor;
            if (next != null && next.admits()) {
                return next.recordAdmitted(w, value);
            }
        }
        while (true) {
            SeriesState current = byName.get(name);
            if (current == null) {
                RecordResult created = create(name);
                if (created != RecordResult.ACCEPTED) {
                    return owner.reject(created);
                }
                continue;
            }
            if (current != retired) {
                if (retired != null) {
                    retired.successor = current;
                }
                return current.recordAdmitted(w, value);
            }
            if (retired.admits()) {
                return retired.recordAdmitted(w, value); // the retirement was abandoned
            }
            Thread.onSpinWait();
        }
    }

    /** Drops a series the collector has just retired. */
    void remove(SeriesState retired) {
        if (byName.remove(retired.key.name(), retired)) {
            live.decrementAndGet();
        }
    }

    Collection<SeriesState> all() {
        return byName.values();
    }

    int liveCount() {
        return live.get();
    }
}
