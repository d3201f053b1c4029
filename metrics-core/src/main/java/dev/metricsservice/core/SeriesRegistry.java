package dev.metricsservice.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * The live series of one aggregator, by metric name and then by tags, bounded by {@code maxSeries}
 * in all and {@code maxSeriesPerName} per name; each name's {@link MetricType}.
 *
 * <p>Two levels, so that recording by (name, tags) looks up with the caller's own strings and
 * {@link Tags} and never builds a key object: the name map gives the name's {@link Names} entry,
 * whose untagged series is a field and whose tagged series are a map keyed by {@code Tags} (hash
 * computed once per {@code Tags}).
 *
 * <p>Thread-safe. Lookups are lock-free reads. Every structural change of a name (creating a
 * series, retiring one, dropping the entry once its last series is gone) runs inside the name
 * map's {@code compute} for that name, so changes of one name are serialized and see each other,
 * and the per-name count is exact.
 */
final class SeriesRegistry {

    /** What the registry keeps for one metric name. */
    static final class Names {
        final MetricType type;
        /** The series without tags; written only inside the name map's compute for this name. */
        volatile SeriesState untagged;
        /** The tagged series; changed only inside that compute, read by anyone. */
        final ConcurrentHashMap<Tags, SeriesState> tagged = new ConcurrentHashMap<>(4);
        /** Live series of this name; guarded by the compute. */
        int seriesCount;

        Names(MetricType type) {
            this.type = type;
        }

        SeriesState get(Tags tags) {
            return tags.isEmpty() ? untagged : tagged.get(tags);
        }
    }

    private final ConcurrentHashMap<String, Names> byName = new ConcurrentHashMap<>();
    private final AtomicInteger live = new AtomicInteger();
    private final int maxSeries;
    private final int maxSeriesPerName;
    private final SampleRules rules;
    private final BiFunction<SeriesKey, MetricType, SeriesState> factory;

    SeriesRegistry(SampleRules rules, BiFunction<SeriesKey, MetricType, SeriesState> factory) {
        this.maxSeries = rules.maxSeries;
        this.maxSeriesPerName = rules.maxSeriesPerName;
        this.rules = rules;
        this.factory = factory;
    }

    /**
     * The name map itself, for the aggregator's record-by-name path: one dependent load fewer
     * before the sample's CAS than going through this object (read only; all changes go through
     * this class).
     */
    ConcurrentHashMap<String, Names> map() {
        return byName;
    }

    /** The live series of (name, tags); null for an unknown or retired one. */
    SeriesState get(String name, Tags tags) {
        if (name == null || tags == null) {
            return null;
        }
        Names n = byName.get(name);
        return n == null ? null : n.get(tags);
    }

    /** The type of metric {@code name} while it has live series. */
    Optional<MetricType> typeOf(String name) {
        Names n = name == null ? null : byName.get(name);
        return n == null ? Optional.empty() : Optional.of(n.type);
    }

    /**
     * Judges, without creating anything, whether a sample of (name, tags, type) could be recorded
     * as far as the series' identity goes: INVALID_NAME, INVALID_TAGS, TYPE_CONFLICT or ACCEPTED.
     * Limits are not judged here (they can change before the series is created).
     */
    RecordResult judgeIdentity(String name, Tags tags, MetricType type) {
        if (name == null) {
            return RecordResult.INVALID_NAME;
        }
        if (tags == null) {
            return RecordResult.INVALID_TAGS;
        }
        Names n = byName.get(name);
        if (n != null) {
            if (type != null && type != n.type) {
                return RecordResult.TYPE_CONFLICT;
            }
            if (n.get(tags) != null) {
                return RecordResult.ACCEPTED;
            }
        } else if (rules.nameProblem(name).isPresent()) {
            return RecordResult.INVALID_NAME;
        }
        return Tags.problem(tags).isPresent() ? RecordResult.INVALID_TAGS : RecordResult.ACCEPTED;
    }

    /**
     * Creates the series of (name, tags) unless it exists. {@code type} null means "the name's
     * type, or {@link MetricType#SUMMARY} for a new name".
     *
     * @return ACCEPTED (it exists now), or INVALID_NAME, INVALID_TAGS, TYPE_CONFLICT,
     *     SERIES_LIMIT, SERIES_PER_NAME_LIMIT
     */
    RecordResult create(String name, Tags tags, MetricType type) {
        RecordResult identity = judgeIdentity(name, tags, type);
        if (identity != RecordResult.ACCEPTED || get(name, tags) != null) {
            return identity;
        }
        if (live.incrementAndGet() > maxSeries) {
            live.decrementAndGet();
            return RecordResult.SERIES_LIMIT;
        }
        RecordResult[] outcome = {RecordResult.ACCEPTED};
        byName.compute(name, (k, current) -> {
            Names n = current != null ? current : new Names(type == null ? MetricType.SUMMARY : type);
            if (type != null && type != n.type) {
                outcome[0] = RecordResult.TYPE_CONFLICT; // the name got its type in a race
                return current;
            }
            if (n.get(tags) != null) {
                outcome[0] = null; // another thread created it first
                return n;
            }
            if (n.seriesCount >= maxSeriesPerName) {
                outcome[0] = RecordResult.SERIES_PER_NAME_LIMIT;
                return current;
            }
            SeriesState s = factory.apply(SeriesKey.of(k, tags), n.type);
            if (tags.isEmpty()) {
                n.untagged = s;
            } else {
                n.tagged.put(tags, s);
            }
            n.seriesCount++;
            return n;
        });
        if (outcome[0] != RecordResult.ACCEPTED) {
            live.decrementAndGet();
        }
        return outcome[0] == null ? RecordResult.ACCEPTED : outcome[0];
    }

    /**
     * Records an already judged sample for window {@code w} into the live series that replaced
     * {@code retired} (null when there was none at all), creating it if need be. Waits out a
     * retirement being tried: the series is then still registered but closed, and the collector
     * settles it within a few instructions.
     *
     * @return the outcome; a refusal to create the series is counted by {@code owner}
     */
    RecordResult recordInSuccessor(Aggregator owner, SeriesState retired, SeriesKey key, MetricType type, long w,
                                   double value, long stampMillis) {
        if (retired != null) {
            SeriesState next = retired.successor;
            if (next != null && next.admits()) {
                return next.recordAdmitted(w, value, stampMillis);
            }
        }
        while (true) {
            SeriesState current = get(key.name(), key.tags());
            if (current == null) {
                RecordResult created = create(key.name(), key.tags(), type);
                if (created != RecordResult.ACCEPTED) {
                    return owner.reject(created);
                }
                continue;
            }
            if (current != retired) {
                if (retired != null) {
                    retired.successor = current;
                }
                return current.recordAdmitted(w, value, current.tracksLast ? stampMillis : Stats.NO_LAST);
            }
            if (retired.admits()) {
                return retired.recordAdmitted(w, value, stampMillis); // the retirement was abandoned
            }
            Thread.onSpinWait();
        }
    }

    /** Drops a series the collector has just retired, and its name once it has no series left. */
    void remove(SeriesState retired) {
        boolean[] removed = {false};
        Tags tags = retired.key.tags();
        byName.computeIfPresent(retired.key.name(), (k, n) -> {
            if (n.get(tags) == retired) {
                if (tags.isEmpty()) {
                    n.untagged = null;
                } else {
                    n.tagged.remove(tags);
                }
                n.seriesCount--;
                removed[0] = true;
            }
            return n.seriesCount == 0 ? null : n;
        });
        if (removed[0]) {
            live.decrementAndGet();
        }
    }

    /** Every live series (a snapshot list; the collector iterates it while writers create more). */
    List<SeriesState> all() {
        List<SeriesState> out = new ArrayList<>(Math.max(16, live.get()));
        for (Names n : byName.values()) {
            SeriesState u = n.untagged;
            if (u != null) {
                out.add(u);
            }
            out.addAll(n.tagged.values());
        }
        return out;
    }

    /** The live series of metric {@code name}, or of every name when {@code name} is null. */
    List<SeriesState> ofName(String name) {
        if (name == null) {
            return all();
        }
        Names n = byName.get(name);
        if (n == null) {
            return List.of();
        }
        SeriesState u = n.untagged;
        if (n.tagged.isEmpty()) {
            return u == null ? List.of() : List.of(u); // the untagged metric: no iterator, no copy
        }
        List<SeriesState> out = new ArrayList<>(n.tagged.size() + 1);
        if (u != null) {
            out.add(u);
        }
        out.addAll(n.tagged.values());
        return out;
    }

    int liveCount() {
        return live.get();
    }
}
