package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.DistinctSketch;
import dev.metricsservice.core.QuantileSketch;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.WindowAggregate;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Maps window aggregates to DynamoDB items and back. The whole schema lives here.
 *
 * <h2>Item layout</h2>
 * <pre>
 * metric_name   (S, partition key)  the series id: the metric name, for a tagged series followed by
 *                                   U+001D and the canonical tags (or U+001D, 'h' and their SHA-256
 *                                   when that would pass {@value #MAX_SERIES_ID_BYTES} bytes)
 * window_writer (S, sort key)       encoded window start + '#' + writer id [+ '#' + amendment]
 * [tags]        (S)                 canonical tags, on tagged series only
 * [type]        (S)                 counter, gauge or distribution; absent for a summary
 * [last, last_ms] (N)               a gauge's last value and its time, epoch milliseconds
 * timestamp     (N)                 window start, epoch seconds (the seed's attribute)
 * writer        (S)                 writer id
 * [amendment]   (N)                 present only on amendments (late samples), a positive number
 * count         (N)
 * sum, min, max (N, or S when N cannot hold the double exactly; see below)
 * [expiry]      (N)                 optional TTL attribute, epoch seconds
 * </pre>
 *
 * <h2>Sort key</h2>
 * One item per (name, window, writer, amendment) makes a rewrite of the same identity a
 * replacement, never an addition, and lets several writers share a window without coordination.
 * The window itself (amendment 0) keeps the key it had before amendments existed, so items written
 * by earlier versions are read and rewritten as they are; an amendment appends {@code '#'} and its
 * number as 19 zero-padded digits. Writer ids never contain {@code '#'}, so every item of a window
 * still sorts between the window's lower and upper bounds. The window start is
 * encoded so that string order is numeric order: a non-negative start as 19 zero-padded decimal
 * digits (every long fits), a negative one as {@code '-'} plus the 19-digit offset from
 * {@code Long.MIN_VALUE}; {@code '-'} sorts before every digit. Real window starts are positive,
 * so the key stays readable in the console ({@code 0001764000000#w-3f9a}). A time range then maps
 * to one {@code BETWEEN} on the sort key, and a newest-first query reads the partition backwards.
 *
 * <h2>Numbers</h2>
 * DynamoDB's N type is a decimal of at most 38 significant digits with a magnitude between
 * 1E-130 and 9.99...E+125, and it has no negative zero. {@link Double#toString} gives at most 17
 * significant digits and parses back to the identical double, so every double in that range
 * round-trips through N. Doubles outside it (subnormals, 1e300, a sum that overflowed to
 * infinity) and {@code -0.0} are stored as S holding the same text instead, so no value is ever
 * rejected or altered. Readers accept either type.
 *
 * <p>Stateless and thread-safe.
 */
final class ItemMapper {

    static final String PARTITION_KEY = "metric_name";
    static final String SORT_KEY = "window_writer";
    static final String TIMESTAMP = "timestamp";
    static final String WRITER = "writer";
    static final String AMENDMENT = "amendment";
    static final String COUNT = "count";
    static final String SUM = "sum";
    static final String MIN = "min";
    static final String MAX = "max";
    static final String TAGS = "tags";
    static final String TYPE = "type";
    static final String LAST = "last";
    static final String LAST_MS = "last_ms";
    static final String LAST_WINDOW = "last_window";
    /**
     * A distribution's quantile sketch ({@code QuantileSketch.toBytes()}), a binary attribute. At
     * most {@code QuantileSketch.maxSerializedBytes(8192)} = 229,400 bytes with the largest bucket
     * bound, 57,368 with the default 2,048; items written before sketches existed have none.
     */
    static final String SKETCH = "sketch";
    /**
     * A set's distinct-value sketch ({@code DistinctSketch.toBytes()}), a binary attribute of at most
     * 4,099 bytes; other types and items written before sets existed have none.
     */
    static final String DISTINCT = "distinct";
    static final Set<String> RESERVED_ATTRIBUTES = Set.of(PARTITION_KEY, SORT_KEY, TIMESTAMP, WRITER, AMENDMENT, COUNT, SUM, MIN,
            MAX, TAGS, TYPE, LAST, LAST_MS, LAST_WINDOW, SKETCH, DISTINCT);

    /** Separates the name from the tags in a series id; a control character, never in a name. */
    static final char SERIES_SEPARATOR = '\u001D';
    /** Longest series id written as name and tags; longer ones use the tags' hash. */
    static final int MAX_SERIES_ID_BYTES = 1536;

    /** DynamoDB's limits on key attribute sizes, in UTF-8 bytes. */
    static final int MAX_PARTITION_KEY_BYTES = 2048;
    static final int MAX_SORT_KEY_BYTES = 1024;

    private static final int WINDOW_DIGITS = 19;
    private static final char SEPARATOR = '#';
    /** Sorts right after {@link #SEPARATOR}: an upper bound for every writer of a window. */
    private static final char AFTER_SEPARATOR = '$';
    private static final BigDecimal MIN_MAGNITUDE = new BigDecimal("1E-130");
    private static final BigDecimal MAX_MAGNITUDE_EXCLUSIVE = new BigDecimal("1E+126");

    private final String ttlAttribute;

    ItemMapper(String ttlAttribute) {
        this.ttlAttribute = ttlAttribute;
    }

    /** A stored aggregate as read back. {@code expiryEpochSecond} is null when the item has none. */
    record StoredAggregate(SeriesKey series, MetricType type, long windowStartEpochSecond, String writerId,
                           long amendment, Stats stats, Long expiryEpochSecond) {
    }

    /**
     * The partition key of a series' items: its name alone when untagged (so items written before
     * tags existed are the untagged series' items, unchanged), otherwise name, U+001D and the
     * canonical tags, or their SHA-256 when that would be long.
     */
    static String seriesId(SeriesKey series) {
        if (series.tags().isEmpty()) {
            return series.name();
        }
        String canonical = series.tags().canonical();
        String plain = series.name() + SERIES_SEPARATOR + canonical;
        if (plain.getBytes(StandardCharsets.UTF_8).length <= MAX_SERIES_ID_BYTES) {
            return plain;
        }
        return series.name() + SERIES_SEPARATOR + "h" + sha256(canonical);
    }

    static String sha256(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The series of an item: name from the partition key, tags from the tags attribute. */
    static SeriesKey seriesOf(Map<String, AttributeValue> item) {
        String id = requireS(item, PARTITION_KEY);
        int sep = id.indexOf(SERIES_SEPARATOR);
        String name = sep < 0 ? id : id.substring(0, sep);
        AttributeValue tags = item.get(TAGS);
        return SeriesKey.of(name, tags == null || tags.s() == null ? Tags.empty() : Tags.fromCanonical(tags.s()));
    }

    /** The type an item names; items without one (all written before types existed) are summaries. */
    static MetricType typeOf(Map<String, AttributeValue> item) {
        AttributeValue t = item.get(TYPE);
        if (t == null || t.s() == null) {
            return MetricType.SUMMARY;
        }
        return MetricType.parse(t.s()).orElseThrow(
                () -> new IllegalArgumentException("attribute 'type' holds an unknown type '" + abbreviate(t.s()) + "'"));
    }

    /**
     * Why this aggregate cannot be stored as an item, if it cannot. Checked before any request is
     * sent, so one bad aggregate fails the write up front with a precise message.
     */
    static Optional<String> problem(WindowAggregate a) {
        String name = a.series().name();
        if (name.isEmpty()) {
            return Optional.of("metric name is empty; DynamoDB key attributes cannot be empty");
        }
        int nameBytes = seriesId(a.series()).getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes > MAX_PARTITION_KEY_BYTES) {
            return Optional.of("metric name is " + nameBytes + " UTF-8 bytes; a DynamoDB partition key holds at most "
                    + MAX_PARTITION_KEY_BYTES);
        }
        if (a.writerId().indexOf(SEPARATOR) >= 0) {
            return Optional.of("writer id '" + abbreviate(a.writerId()) + "' contains '" + SEPARATOR
                    + "', which separates the parts of the sort key");
        }
        int sortKeyBytes = sortKey(a.windowStartEpochSecond(), a.writerId(), a.amendment())
                .getBytes(StandardCharsets.UTF_8).length;
        if (sortKeyBytes > MAX_SORT_KEY_BYTES) {
            return Optional.of("writer id '" + abbreviate(a.writerId()) + "' is too long: the sort key would be "
                    + sortKeyBytes + " UTF-8 bytes, DynamoDB allows " + MAX_SORT_KEY_BYTES);
        }
        return Optional.empty();
    }

    /** The item of an aggregate; {@code expiryEpochSecond} is written only when non-null and TTL is configured. */
    Map<String, AttributeValue> toItem(WindowAggregate a, Long expiryEpochSecond) {
        Map<String, AttributeValue> item = new HashMap<>(16);
        item.put(PARTITION_KEY, AttributeValue.fromS(seriesId(a.series())));
        if (!a.series().tags().isEmpty()) {
            item.put(TAGS, AttributeValue.fromS(a.series().tags().canonical()));
        }
        if (a.type() != MetricType.SUMMARY) {
            item.put(TYPE, AttributeValue.fromS(a.type().wireName()));
        }
        item.put(SORT_KEY, AttributeValue.fromS(sortKey(a.windowStartEpochSecond(), a.writerId(), a.amendment())));
        item.put(TIMESTAMP, AttributeValue.fromN(Long.toString(a.windowStartEpochSecond())));
        item.put(WRITER, AttributeValue.fromS(a.writerId()));
        if (a.amendment() > 0) {
            item.put(AMENDMENT, AttributeValue.fromN(Long.toString(a.amendment())));
        }
        Stats s = a.stats();
        item.put(COUNT, AttributeValue.fromN(Long.toString(s.count())));
        item.put(SUM, encodeDouble(s.sum()));
        item.put(MIN, encodeDouble(s.min()));
        item.put(MAX, encodeDouble(s.max()));
        if (s.hasLast()) {
            item.put(LAST, encodeDouble(s.last()));
            item.put(LAST_MS, AttributeValue.fromN(Long.toString(s.lastEpochMillis())));
        }
        if (s.hasSketch()) {
            item.put(SKETCH, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(s.sketchBytes())));
        }
        if (s.hasDistinct()) {
            item.put(DISTINCT, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(s.distinctBytes())));
        }
        if (ttlAttribute != null && expiryEpochSecond != null) {
            item.put(ttlAttribute, AttributeValue.fromN(Long.toString(expiryEpochSecond)));
        }
        return item;
    }

    /** The primary key of an item, as used in UnprocessedItems bookkeeping and de-duplication. */
    static ItemKey keyOf(Map<String, AttributeValue> item) {
        return new ItemKey(item.get(PARTITION_KEY).s(), item.get(SORT_KEY).s());
    }

    /** Primary key of one item. */
    record ItemKey(String name, String sortKey) {
    }

    /**
     * Reads an item back.
     *
     * @throws IllegalArgumentException naming the attribute when the item was not written by this
     *     mapper (missing or unreadable attribute)
     */
    StoredAggregate fromItem(Map<String, AttributeValue> item) {
        SeriesKey series = seriesOf(item);
        MetricType type = typeOf(item);
        long window = Long.parseLong(requireN(item, TIMESTAMP));
        String writer = requireS(item, WRITER);
        // Items written before amendments existed have no such attribute: they are the window itself.
        long amendment = item.containsKey(AMENDMENT) ? Long.parseLong(requireN(item, AMENDMENT)) : 0;
        long count = Long.parseLong(requireN(item, COUNT));
        double sum = decodeDouble(item, SUM);
        double min = decodeDouble(item, MIN);
        double max = decodeDouble(item, MAX);
        Long expiry = null;
        if (ttlAttribute != null && item.containsKey(ttlAttribute) && item.get(ttlAttribute).n() != null) {
            expiry = new BigDecimal(item.get(ttlAttribute).n()).longValue();
        }
        QuantileSketch sketch = binary(item, SKETCH, QuantileSketch::fromBytes);
        DistinctSketch distinct = binary(item, DISTINCT, DistinctSketch::fromBytes);
        Stats stats = item.containsKey(LAST)
                ? new Stats(count, sum, min, max, decodeDouble(item, LAST), Long.parseLong(requireN(item, LAST_MS)),
                        sketch, distinct)
                : new Stats(count, sum, min, max, Double.NaN, Stats.NO_LAST, sketch, distinct);
        return new StoredAggregate(series, type, window, writer, amendment, stats, expiry);
    }

    /**
     * The optional binary attribute {@code name} read with {@code parse}, or null when absent.
     *
     * @throws IllegalArgumentException naming the attribute when it is not binary or cannot be read
     */
    private static <T> T binary(Map<String, AttributeValue> item, String name,
                                java.util.function.Function<byte[], T> parse) {
        AttributeValue v = item.get(name);
        if (v == null) {
            return null;
        }
        if (v.b() == null) {
            throw new IllegalArgumentException("attribute '" + name + "' is not binary");
        }
        try {
            return parse.apply(v.b().asByteArrayUnsafe());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("attribute '" + name + "' cannot be read: " + e.getMessage(), e);
        }
    }

    /** Sort key of one (window, writer, amendment); amendment 0 keeps the key of earlier versions. */
    static String sortKey(long windowStartEpochSecond, String writerId, long amendment) {
        String windowAndWriter = encodeWindow(windowStartEpochSecond) + SEPARATOR + writerId;
        return amendment == 0 ? windowAndWriter : windowAndWriter + SEPARATOR + pad(Long.toString(amendment));
    }

    /** Smallest sort key of any writer of a window starting at or after {@code fromEpochSecond}. */
    static String lowerBound(long fromEpochSecond) {
        return encodeWindow(fromEpochSecond);
    }

    /** Largest sort key of any writer of a window starting at or before {@code toEpochSecondInclusive}. */
    static String upperBound(long toEpochSecondInclusive) {
        return encodeWindow(toEpochSecondInclusive) + AFTER_SEPARATOR;
    }

    /** Order-preserving fixed-width text of a window start (see the class comment). */
    static String encodeWindow(long epochSecond) {
        if (epochSecond >= 0) {
            return pad(Long.toString(epochSecond));
        }
        // For negative v, v - Long.MIN_VALUE lies in [0, Long.MAX_VALUE] and grows with v.
        return "-" + pad(Long.toString(epochSecond - Long.MIN_VALUE));
    }

    /** The attribute value holding {@code d} exactly: N when DynamoDB's number type can, else S. */
    static AttributeValue encodeDouble(double d) {
        String text = Double.toString(d);
        return fitsNumberType(d, text) ? AttributeValue.fromN(text) : AttributeValue.fromS(text);
    }

    /** True when the decimal {@code text} of {@code d} is stored by DynamoDB's N type unchanged in value and sign. */
    static boolean fitsNumberType(double d, String text) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return false;
        }
        if (d == 0.0) {
            // +0.0 is stored as 0; -0.0 would come back as +0.0.
            return Double.doubleToRawLongBits(d) == 0L;
        }
        // Compare the decimal actually sent, not the binary value: that is what the server checks.
        BigDecimal magnitude = new BigDecimal(text).abs();
        return magnitude.compareTo(MIN_MAGNITUDE) >= 0 && magnitude.compareTo(MAX_MAGNITUDE_EXCLUSIVE) < 0;
    }

    static double decodeDouble(Map<String, AttributeValue> item, String attribute) {
        AttributeValue v = item.get(attribute);
        if (v == null) {
            throw new IllegalArgumentException("attribute '" + attribute + "' is missing");
        }
        String text = v.n() != null ? v.n() : v.s();
        if (text == null) {
            throw new IllegalArgumentException("attribute '" + attribute + "' is neither a number nor a string");
        }
        try {
            // parseDouble rounds a decimal correctly, so a server that rewrites "1.0E-7" as
            // "0.0000001" (dynalite does) still yields the identical double.
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attribute '" + attribute + "' holds '" + abbreviate(text)
                    + "', which is not a number", e);
        }
    }

    static String requireS(Map<String, AttributeValue> item, String attribute) {
        AttributeValue v = item.get(attribute);
        if (v == null || v.s() == null) {
            throw new IllegalArgumentException("string attribute '" + attribute + "' is missing");
        }
        return v.s();
    }

    static String requireN(Map<String, AttributeValue> item, String attribute) {
        AttributeValue v = item.get(attribute);
        if (v == null || v.n() == null) {
            throw new IllegalArgumentException("number attribute '" + attribute + "' is missing");
        }
        return v.n();
    }

    private static String pad(String digits) {
        return "0".repeat(WINDOW_DIGITS - digits.length()) + digits;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
