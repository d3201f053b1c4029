package dev.metricsservice.statsd;

import dev.metricsservice.core.DistinctSketch;
import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.Tags;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads StatsD and DogStatsD lines. One instance per reader thread; not thread-safe.
 *
 * <pre>
 * line    = name ":" value *(":" value) "|" type *("|" section)
 * type    = "c" | "g" | "ms" | "h" | "d" | "s"
 * section = "@" rate | "#" tag *("," tag) | "T" unixSeconds | "c:" containerId | "e:" externalData | "card:" cardinality
 * tag     = key [":" value]            a key alone keeps an empty value
 * </pre>
 * What each line becomes is decided here; whether its name, tags and timestamp are acceptable is
 * core's rule, applied by {@link StatsdIngest}. A line that breaks the grammar is dropped with a
 * {@link Drop} reason; the other lines of a datagram are kept. No input makes it throw.
 */
final class StatsdParser {

    /** Why a line was dropped (or skipped). */
    enum Drop {
        /** No ':' before the first '|', an empty name, or no type. */
        MALFORMED("malformed"),
        /** A value that is not a finite number (or, for a gauge, a sign without a number). */
        BAD_VALUE("bad_value"),
        /** A type other than c, g, ms, h, d, s. */
        UNKNOWN_TYPE("unknown_type"),
        /** A sample rate outside (0, 1]. */
        BAD_SAMPLE_RATE("bad_sample_rate"),
        /** An empty tag key. */
        BAD_TAGS("bad_tags"),
        /** A {@code T} section that is not a whole number of seconds. */
        BAD_TIMESTAMP("bad_timestamp"),
        /** A section this server does not know (it might change the line's meaning). */
        UNKNOWN_SECTION("unknown_section"),
        /** More values packed into one line than {@code maxValuesPerLine}. */
        TOO_MANY_VALUES("too_many_values"),
        /** A DogStatsD event ({@code _e{...}}): skipped. */
        EVENT("event"),
        /** A DogStatsD service check ({@code _sc|...}): skipped. */
        SERVICE_CHECK("service_check");

        final String code;

        Drop(String code) {
            this.code = code;
        }
    }

    /** One parsed line: a series and its samples' values (already divided or repeated for the rate). */
    static final class Line {
        String name;
        Tags tags;
        MetricType type;
        /** For gauges: +N/-N relative to the last value. */
        boolean relative;
        final double[] values;
        int valueCount;
        /** How many times each value is recorded (a timer sampled at rate r stands for 1/r samples). */
        int repeat;
        long epochMillis;
        boolean timestamped;

        Line(int maxValues) {
            values = new double[maxValues];
        }
    }

    private final int maxValuesPerLine;
    private final Line line;
    private final List<String> tagParts = new ArrayList<>();

    StatsdParser(int maxValuesPerLine) {
        this.maxValuesPerLine = maxValuesPerLine;
        this.line = new Line(maxValuesPerLine);
    }

    /**
     * Parses {@code bytes[from, to)} (one line, without its newline) into the returned line, or
     * returns null and sets {@link #lastDrop}.
     */
    Line parse(byte[] bytes, int from, int to) {
        lastDrop = null;
        if (to > from && bytes[to - 1] == '\r') {
            to--;
        }
        if (startsWith(bytes, from, to, "_e{")) {
            return drop(Drop.EVENT);
        }
        if (startsWith(bytes, from, to, "_sc|")) {
            return drop(Drop.SERVICE_CHECK);
        }
        int bar = indexOf(bytes, from, to, (byte) '|');
        if (bar < 0) {
            return drop(Drop.MALFORMED);
        }
        // A StatsD name holds no ':'; the first one ends it.
        int colon = indexOf(bytes, from, bar, (byte) ':');
        if (colon <= from || colon == bar - 1) {
            return drop(Drop.MALFORMED);
        }
        Line l = line;
        l.name = new String(bytes, from, colon - from, StandardCharsets.UTF_8);
        l.tags = Tags.empty();
        l.relative = false;
        l.valueCount = 0;
        l.repeat = 1;
        l.timestamped = false;
        int typeEnd = indexOf(bytes, bar + 1, to, (byte) '|');
        if (typeEnd < 0) {
            typeEnd = to;
        }
        MetricType type = type(bytes, bar + 1, typeEnd);
        if (type == null) {
            return drop(typeEnd == bar + 1 ? Drop.MALFORMED : Drop.UNKNOWN_TYPE);
        }
        l.type = type;
        boolean gauge = type == MetricType.GAUGE;
        // values
        int v = colon + 1;
        if (type == MetricType.SET) {
            // A member is text and may hold ':', so a set line packs no values. A numeric member
            // is its number (as a JSON set sample's value is); any other text is hashed.
            double member = number(bytes, v, bar);
            if (Double.isNaN(member) || Double.isInfinite(member)) {
                member = DistinctSketch.textMember(bytes, v, bar);
            }
            l.values[l.valueCount++] = member;
            v = bar + 1;
        }
        while (v <= bar) {
            int end = indexOf(bytes, v, bar, (byte) ':');
            if (end < 0) {
                end = bar;
            }
            if (l.valueCount == maxValuesPerLine) {
                return drop(Drop.TOO_MANY_VALUES);
            }
            if (gauge && end > v && (bytes[v] == '+' || bytes[v] == '-') && l.valueCount == 0) {
                l.relative = true;
            }
            double value = number(bytes, v, end);
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                return drop(Drop.BAD_VALUE);
            }
            l.values[l.valueCount++] = value;
            v = end + 1;
        }
        if (gauge && l.relative && l.valueCount > 1) {
            return drop(Drop.BAD_VALUE); // packed relative gauges have no agreed meaning
        }
        // sections
        double rate = 1;
        int s = typeEnd;
        while (s < to) {
            int start = s + 1;
            int end = indexOf(bytes, start, to, (byte) '|');
            if (end < 0) {
                end = to;
            }
            if (start == end) {
                return drop(Drop.MALFORMED);
            }
            byte first = bytes[start];
            if (first == '@') {
                rate = number(bytes, start + 1, end);
                if (!(rate > 0 && rate <= 1)) {
                    return drop(Drop.BAD_SAMPLE_RATE);
                }
            } else if (first == '#') {
                Tags t = tags(bytes, start + 1, end);
                if (t == null) {
                    return drop(Drop.BAD_TAGS);
                }
                l.tags = t;
            } else if (first == 'T') {
                long seconds = wholeNumber(bytes, start + 1, end);
                if (seconds < 0 || seconds > 100_000_000_000L) {
                    return drop(Drop.BAD_TIMESTAMP);
                }
                l.epochMillis = seconds * 1000;
                l.timestamped = true;
            } else if (startsWith(bytes, start, end, "c:") || startsWith(bytes, start, end, "e:")
                    || startsWith(bytes, start, end, "card:")) {
                // container id, external data, cardinality: about the sender, not the value
            } else {
                return drop(Drop.UNKNOWN_SECTION);
            }
            s = end;
        }
        if (rate < 1) {
            if (type == MetricType.COUNTER) {
                for (int i = 0; i < l.valueCount; i++) {
                    l.values[i] /= rate;
                }
            } else if (type == MetricType.DISTRIBUTION) {
                l.repeat = (int) Math.max(1, Math.min(1000, Math.round(1 / rate)));
            }
            // a gauge is a level and a set member is seen or not: the rate scales neither
        }
        return l;
    }

    /** Why the last {@link #parse} returned null. */
    Drop lastDrop;

    private Line drop(Drop reason) {
        lastDrop = reason;
        return null;
    }

    private static MetricType type(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return switch (b[from]) {
                case 'c' -> MetricType.COUNTER;
                case 'g' -> MetricType.GAUGE;
                case 'h', 'd' -> MetricType.DISTRIBUTION;
                case 's' -> MetricType.SET;
                default -> null;
            };
        }
        if (n == 2 && b[from] == 'm' && b[from + 1] == 's') {
            return MetricType.DISTRIBUTION;
        }
        return null;
    }

    /** Tags from "k:v,k2,k3:v3"; null if a key is empty. */
    private Tags tags(byte[] b, int from, int to) {
        if (from == to) {
            return Tags.empty();
        }
        tagParts.clear();
        int t = from;
        while (t <= to) {
            int end = indexOf(b, t, to, (byte) ',');
            if (end < 0) {
                end = to;
            }
            int colon = indexOf(b, t, end, (byte) ':');
            int keyEnd = colon < 0 ? end : colon;
            if (keyEnd == t) {
                return null;
            }
            tagParts.add(new String(b, t, keyEnd - t, StandardCharsets.UTF_8));
            tagParts.add(colon < 0 ? "" : new String(b, colon + 1, end - colon - 1, StandardCharsets.UTF_8));
            t = end + 1;
        }
        try {
            return Tags.of(tagParts.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            return null; // a key given twice, or beyond the tag rules
        }
    }

    /** A decimal number (optional sign, digits, point, exponent); NaN when it is not one. */
    static double number(byte[] b, int from, int to) {
        if (from >= to || to - from > 64) {
            return Double.NaN;
        }
        for (int i = from; i < to; i++) {
            byte c = b[i];
            boolean ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
            if (!ok) {
                return Double.NaN; // also refuses "NaN", "Infinity" and hex forms
            }
        }
        try {
            return Double.parseDouble(new String(b, from, to - from, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static long wholeNumber(byte[] b, int from, int to) {
        if (from >= to || to - from > 12) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
