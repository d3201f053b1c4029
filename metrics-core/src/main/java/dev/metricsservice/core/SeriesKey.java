package dev.metricsservice.core;

import java.util.Objects;

/**
 * The identity of one series: a metric name and its {@link Tags}. Every layer (the aggregator, the
 * stores' keys, queries, the verifier) uses it where it means "this series".
 *
 * <pre>{@code
 * SeriesKey cpu = SeriesKey.of("cpu");                                   // no tags
 * SeriesKey cpuA = SeriesKey.of("cpu", Tags.of("host", "a", "region", "eu"));
 * aggregator.series(cpuA).record(42.5);
 * }</pre>
 *
 * <p>A key does not validate its name or tags: the aggregator does (see {@link MetricNames} and
 * {@link Tags}), so that a front end gets a {@link RecordResult} instead of an exception. Immutable
 * and thread-safe; equality is by value.
 *
 * @param name the metric name
 * @param tags the series' tags, canonical; {@link Tags#empty()} for a plain name
 */
public record SeriesKey(String name, Tags tags) implements Comparable<SeriesKey> {

    public SeriesKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tags, "tags");
    }

    /** The key of the untagged series of metric {@code name}. */
    public static SeriesKey of(String name) {
        return new SeriesKey(name, Tags.empty());
    }

    /** The key of the series of metric {@code name} with {@code tags}. */
    public static SeriesKey of(String name, Tags tags) {
        return new SeriesKey(name, tags);
    }

    /**
     * The order series are listed in: by name, then by {@link Tags#canonical()}, both by code
     * point; the same order
     * every store sorts in, so that pages from a store and from memory interleave correctly.
     */
    @Override
    public int compareTo(SeriesKey o) {
        int c = compareCodePoints(name, o.name);
        return c != 0 ? c : compareCodePoints(tags.canonical(), o.tags.canonical());
    }

    /**
     * Compares by Unicode code point, which is the order of the UTF-8 bytes: the order SQLite's
     * binary collation and DynamoDB's sort keys use ({@link String#compareTo} compares UTF-16 code
     * units, which differs above U+FFFF).
     */
    static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                // Equal up to here, so both are at the start of a code point or both inside the
                // same pair. A surrogate starts or ends a code point above U+FFFF, which sorts
                // after every other character; between two surrogates, or two others, char
                // order is code point order.
                boolean sa = Character.isSurrogate(ca);
                boolean sb = Character.isSurrogate(cb);
                return sa == sb ? Character.compare(ca, cb) : sa ? 1 : -1;
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** {@code cpu} or {@code cpu{host="a"}}. */
    @Override
    public String toString() {
        return tags.isEmpty() ? name : name + tags;
    }
}
