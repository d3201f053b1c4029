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
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** {@code cpu} or {@code cpu{host="a"}}. */
    @Override
    public String toString() {
        return tags.isEmpty() ? name : name + tags;
    }
}
