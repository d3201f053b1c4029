package dev.metricsservice.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The dimensions of a series: up to {@value #MAX_TAGS} key/value pairs, held in one canonical
 * order (by key) whatever order they were given in, so that equal sets of tags are equal objects.
 *
 * <pre>{@code
 * Tags route = Tags.of("route", "/metrics", "method", "GET");   // pairs
 * Tags same  = Tags.of(Map.of("method", "GET", "route", "/metrics"));
 * assert route.equals(same) && route.key(0).equals("method");
 * aggregator.counter("requests", route).record(1);
 * }</pre>
 *
 * <p>Building a {@code Tags} checks only its shape (no nulls, no key twice). Whether keys and values
 * meet the rule below is judged by the aggregator when a series is created, so that a front end
 * gets a {@link RecordResult#INVALID_TAGS} instead of an exception; {@link #problem(Tags)} is that
 * judgement.
 *
 * <h2>The rule</h2>
 * <ul>
 *   <li>At most {@value #MAX_TAGS} pairs; keys distinct.</li>
 *   <li>A key is 1 to {@value #MAX_KEY_BYTES} UTF-8 bytes, a value 1 to
 *       {@value #MAX_VALUE_BYTES}.</li>
 *   <li>Neither contains an ISO control character (U+0000..U+001F, U+007F..U+009F) or an unpaired
 *       surrogate.</li>
 *   <li>A key contains none of {@code : , = } and no space, because the query language
 *       ({@code tag=k:v}, {@code group_by=k1,k2}) and the load generator ({@code host=8}) use them
 *       as separators. Values may contain them.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; the hash code is computed once.
 */
public final class Tags {

    /** Most tags on one series. */
    public static final int MAX_TAGS = 16;
    /** Longest tag key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 100;
    /** Longest tag value, in UTF-8 bytes. */
    public static final int MAX_VALUE_BYTES = 200;

    /** Separates a key from its value in {@link #canonical()}; a control character, so never in a tag. */
    private static final char KEY_END = '\u001F';
    /** Separates pairs in {@link #canonical()}. */
    private static final char PAIR_END = '\u001E';

    private static final Tags EMPTY = new Tags(new String[0]);

    /** Keys at even indexes, each followed by its value, sorted by key. */
    private final String[] keyValues;
    private final int hash;

    /**
     * The first live series these tags were recorded into by name, in whichever aggregator did it:
     * an inline cache that lets {@link Aggregator#record(String, Tags, double)} skip both map
     * lookups when the caller keeps its {@code Tags} object (as it keeps a Micrometer {@code Tags}
     * or OpenTelemetry {@code Attributes}). Set when empty or when the cached series was retired or
     * collected, never to move between two names sharing one {@code Tags} (that would make every
     * record of either a cache-line write). Weak, so that a {@code Tags} constant does not keep an
     * aggregator alive. Only a hint: users check owner, name and retirement before trusting it.
     */
    volatile ResolvedSeries resolved;

    /**
     * One entry of that cache: the series (weakly), the name it was resolved for and a token of
     * the aggregator that owns it, all in one object so that a lookup reads one object after the
     * {@code Tags} before it has the series.
     */
    static final class ResolvedSeries extends java.lang.ref.WeakReference<SeriesState> {
        final Object ownerToken;
        final String name;

        ResolvedSeries(SeriesState series, Object ownerToken, String name) {
            super(series);
            this.ownerToken = ownerToken;
            this.name = name;
        }
    }

    private Tags(String[] sortedKeyValues) {
        this.keyValues = sortedKeyValues;
        this.hash = Arrays.hashCode(sortedKeyValues);
    }

    /** No tags: the series of a plain metric name. */
    public static Tags empty() {
        return EMPTY;
    }

    /**
     * Tags from alternating keys and values, in any order.
     *
     * @throws IllegalArgumentException on an odd count or a key given twice
     * @throws NullPointerException     on a null key or value
     */
    public static Tags of(String... keyValues) {
        if (keyValues.length == 0) {
            return EMPTY;
        }
        if ((keyValues.length & 1) != 0) {
            throw new IllegalArgumentException("tags come in key/value pairs; got " + keyValues.length + " strings");
        }
        String[] kv = keyValues.clone();
        for (int i = 0; i < kv.length; i++) {
            Objects.requireNonNull(kv[i], (i & 1) == 0 ? "tag key" : "tag value");
        }
        return sorted(kv);
    }

    /** Tags from a map, in any iteration order. */
    public static Tags of(Map<String, String> tags) {
        if (tags.isEmpty()) {
            return EMPTY;
        }
        String[] kv = new String[tags.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            kv[i++] = Objects.requireNonNull(e.getKey(), "tag key");
            kv[i++] = Objects.requireNonNull(e.getValue(), "tag value");
        }
        return sorted(kv);
    }

    private static Tags sorted(String[] kv) {
        // Insertion sort of pairs: at most a few dozen strings, and usually already sorted.
        for (int i = 2; i < kv.length; i += 2) {
            String k = kv[i];
            String v = kv[i + 1];
            int j = i - 2;
            while (j >= 0 && kv[j].compareTo(k) > 0) {
                kv[j + 2] = kv[j];
                kv[j + 3] = kv[j + 1];
                j -= 2;
            }
            kv[j + 2] = k;
            kv[j + 3] = v;
        }
        for (int i = 2; i < kv.length; i += 2) {
            if (kv[i].equals(kv[i - 2])) {
                throw new IllegalArgumentException("tag key '" + kv[i] + "' is given twice");
            }
        }
        return new Tags(kv);
    }

    /** Number of pairs. */
    public int size() {
        return keyValues.length >> 1;
    }

    /** True when there are no tags. */
    public boolean isEmpty() {
        return keyValues.length == 0;
    }

    /** The {@code i}th key in canonical order. */
    public String key(int i) {
        return keyValues[i << 1];
    }

    /** The value of the {@code i}th key in canonical order. */
    public String value(int i) {
        return keyValues[(i << 1) + 1];
    }

    /** The value of {@code key}, if present. */
    public Optional<String> get(String key) {
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i].equals(key)) {
                return Optional.of(keyValues[i + 1]);
            }
        }
        return Optional.empty();
    }

    /** These tags with {@code key} set to {@code value} (replacing an existing value). */
    public Tags and(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(asMap());
        m.put(Objects.requireNonNull(key, "tag key"), Objects.requireNonNull(value, "tag value"));
        return of(m);
    }

    /**
     * Only the tags whose key is in {@code keys}: the group a series falls into when a query
     * groups by those keys. Keys this series lacks are simply absent.
     */
    public Tags select(Collection<String> keys) {
        if (keyValues.length == 0 || keys.isEmpty()) {
            return EMPTY;
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keys.contains(keyValues[i])) {
                kept.add(keyValues[i]);
                kept.add(keyValues[i + 1]);
            }
        }
        return kept.size() == keyValues.length ? this : new Tags(kept.toArray(new String[0]));
    }

    /** The pairs as an unmodifiable map in canonical order. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * One string that stores use as (part of) a key: pairs in canonical order, each key followed by
     * U+001F and its value, pairs separated by U+001E; empty for no tags. Control characters are
     * never part of valid tags, so the form is unambiguous; {@link #fromCanonical} reverses it.
     */
    public String canonical() {
        String c = canonical;
        if (c == null) {
            c = buildCanonical();
            canonical = c; // benign race: every thread computes the same string
        }
        return c;
    }

    /** {@link #canonical()}, computed once (stores, sorting and listing ask for it often). */
    private String canonical;

    private String buildCanonical() {
        if (keyValues.length == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (i > 0) {
                sb.append(PAIR_END);
            }
            sb.append(keyValues[i]).append(KEY_END).append(keyValues[i + 1]);
        }
        return sb.toString();
    }

    /**
     * The tags written by {@link #canonical()}.
     *
     * @throws IllegalArgumentException if {@code canonical} is not such a string
     */
    public static Tags fromCanonical(String canonical) {
        if (canonical.isEmpty()) {
            return EMPTY;
        }
        List<String> kv = new ArrayList<>();
        int start = 0;
        while (start <= canonical.length()) {
            int end = canonical.indexOf(PAIR_END, start);
            if (end < 0) {
                end = canonical.length();
            }
            int sep = canonical.indexOf(KEY_END, start);
            if (sep < 0 || sep > end) {
                throw new IllegalArgumentException("not a canonical tag string: a pair without a key separator");
            }
            kv.add(canonical.substring(start, sep));
            kv.add(canonical.substring(sep + 1, end));
            start = end + 1;
        }
        return sorted(kv.toArray(new String[0]));
    }

    /**
     * What is wrong with these tags under the rule in the class comment, if anything: a sentence
     * naming the tag and the rule it breaks.
     */
    public static Optional<String> problem(Tags tags) {
        if (tags.size() > MAX_TAGS) {
            return Optional.of("a series has at most " + MAX_TAGS + " tags; got " + tags.size());
        }
        for (int i = 0; i < tags.keyValues.length; i += 2) {
            String key = tags.keyValues[i];
            Optional<String> p = textProblem(key, MAX_KEY_BYTES, true);
            if (p.isPresent()) {
                return Optional.of("tag key '" + printable(key) + "' " + p.get());
            }
            p = textProblem(tags.keyValues[i + 1], MAX_VALUE_BYTES, false);
            if (p.isPresent()) {
                return Optional.of("value of tag '" + printable(key) + "' " + p.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> textProblem(String s, int maxBytes, boolean key) {
        return key ? TextRule.problem(s, maxBytes, ":,= ", "':', ',', '=' or a space")
                : TextRule.problem(s, maxBytes, "", "");
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof Tags t && t.hash == hash && Arrays.equals(t.keyValues, keyValues));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** {@code {k="v",k2="v2"}}, or {@code {}} for no tags. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keyValues.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(keyValues[i]).append("=\"")
                    .append(keyValues[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }
}
