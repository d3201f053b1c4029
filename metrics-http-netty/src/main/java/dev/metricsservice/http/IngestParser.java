package dev.metricsservice.http;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.Tags;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonLocation;
import dev.metricsservice.core.SampleBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.Optional;

/**
 * Parses a {@code POST /metrics} body with Jackson's streaming parser, straight from the request
 * bytes, into a reusable {@link SampleBatch}. Checks only the shape of the JSON (types, required
 * and duplicate fields, batch size); whether a name, value or timestamp is acceptable is the
 * core's decision ({@link dev.metricsservice.core.Aggregator#recordAll}).
 *
 * <p>One instance per event loop (held in a {@link FastThreadLocal}); not thread-safe.
 */
final class IngestParser {

    /** Bodies up to this size are copied into a per-thread array; larger ones are streamed. */
    private static final int SCRATCH_BYTES = 64 * 1024;
    private static final FastThreadLocal<IngestParser> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected IngestParser initialValue() {
            return new IngestParser();
        }
    };

    /** What a body held: one object (the seed's form) or an array of them, now in {@link #batch()}. */
    enum Shape { SINGLE, ARRAY }

    private SampleBatch batch = new SampleBatch();
    private byte[] scratch = new byte[1024];
    private final String[] tagScratch = new String[2 * MAX_PARSED_TAGS];

    static IngestParser current() {
        return PER_THREAD.get();
    }

    /**
     * Parses the body into {@link #batch()} (cleared first).
     *
     * @return the body's shape, or the error for the first problem found
     */
    Parsed<Shape> parse(ByteBuf body, int maxBatchSize) {
        batch.clear();
        int length = body.readableBytes();
        try (JsonParser p = open(body, length)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return Parsed.invalid(ApiError.malformedJson(
                        "the body is empty; send a JSON object like {\"name\":\"cpu\",\"value\":42.5} or an array of them"));
            }
            Shape shape;
            Optional<ApiError> e;
            if (t == JsonToken.START_OBJECT) {
                shape = Shape.SINGLE;
                e = parseSample(p, -1);
            } else if (t == JsonToken.START_ARRAY) {
                shape = Shape.ARRAY;
                e = parseArray(p, maxBatchSize);
            } else {
                return Parsed.invalid(ApiError.invalid("wrong_type",
                        "the body must be a JSON object or an array of objects, was " + describe(t)));
            }
            if (e.isPresent()) {
                return Parsed.invalid(e.get());
            }
            if (p.nextToken() != null) {
                return Parsed.invalid(ApiError.malformedJson("unexpected data after the JSON value" + at(p.currentLocation())));
            }
            return Parsed.ok(shape);
        } catch (JsonProcessingException ex) {
            return Parsed.invalid(ApiError.malformedJson(
                    "malformed JSON: " + shorten(ex.getOriginalMessage()) + at(ex.getLocation())));
        } catch (IOException ex) {
            return Parsed.invalid(ApiError.malformedJson("unreadable body: " + shorten(ex.getMessage())));
        }
    }

    /** The samples of the last successful parse; valid until the next parse on this thread. */
    SampleBatch batch() {
        return batch;
    }

    /** Hands the parsed batch over (to a thread that records it later); the parser takes a new one. */
    SampleBatch detachBatch() {
        SampleBatch b = batch;
        batch = new SampleBatch();
        return b;
    }

    private JsonParser open(ByteBuf body, int length) throws IOException {
        if (body.hasArray()) {
            return JsonOut.FACTORY.createParser(body.array(), body.arrayOffset() + body.readerIndex(), length);
        }
        if (length <= SCRATCH_BYTES) {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            body.getBytes(body.readerIndex(), scratch, 0, length);
            return JsonOut.FACTORY.createParser(scratch, 0, length);
        }
        return JsonOut.FACTORY.createParser((java.io.InputStream) new ByteBufInputStream(body.duplicate()));
    }

    private Optional<ApiError> parseArray(JsonParser p, int maxBatchSize) throws IOException {
        for (int index = 0; ; index++) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.END_ARRAY) {
                return Optional.empty();
            }
            if (index == maxBatchSize) {
                return Optional.of(new ApiError(413, "batch_too_large",
                        "a batch may hold at most " + maxBatchSize + " samples; split it into smaller batches"));
            }
            if (t != JsonToken.START_OBJECT) {
                return invalid(index, "wrong_type", "element " + index + " must be an object, was " + describe(t));
            }
            Optional<ApiError> e = parseSample(p, index);
            if (e.isPresent()) {
                return e;
            }
        }
    }

    /** Parses one object whose START_OBJECT was just read, and adds it to the batch. */
    private Optional<ApiError> parseSample(JsonParser p, int index) throws IOException {
        String name = null;
        double value = 0;
        boolean hasValue = false;
        long timestamp = 0;
        boolean hasTimestamp = false;
        boolean seenTimestamp = false;
        Tags tags = Tags.empty();
        boolean seenTags = false;
        MetricType type = null;
        boolean seenType = false;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "name" -> {
                    if (name != null) {
                        return invalid(index, "duplicate_field", "field 'name' appears twice");
                    }
                    if (v != JsonToken.VALUE_STRING) {
                        return invalid(index, "wrong_type", "field 'name' must be a string, was " + describe(v));
                    }
                    name = p.getText();
                }
                case "value" -> {
                    if (hasValue) {
                        return invalid(index, "duplicate_field", "field 'value' appears twice");
                    }
                    if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                        return invalid(index, "wrong_type", "field 'value' must be a number, was " + describe(v));
                    }
                    value = p.getDoubleValue(); // a literal beyond a double's range is infinite: core refuses it
                    hasValue = true;
                }
                case "timestamp" -> {
                    if (seenTimestamp) {
                        return invalid(index, "duplicate_field", "field 'timestamp' appears twice");
                    }
                    seenTimestamp = true;
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        return invalid(index, "wrong_type",
                                "field 'timestamp' must be an integer number of epoch milliseconds, was " + describe(v));
                    }
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return invalid(index, "timestamp_out_of_range", "field 'timestamp' is out of range");
                    }
                    timestamp = p.getLongValue();
                    hasTimestamp = true;
                }
                case "tags" -> {
                    if (seenTags) {
                        return invalid(index, "duplicate_field", "field 'tags' appears twice");
                    }
                    seenTags = true;
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.START_OBJECT) {
                        return invalid(index, "wrong_type", "field 'tags' must be an object of string values, was "
                                + describe(v));
                    }
                    Parsed<Tags> parsedTags = parseTags(p, index);
                    if (parsedTags instanceof Parsed.Invalid<Tags> bad) {
                        return Optional.of(bad.error());
                    }
                    tags = ((Parsed.Ok<Tags>) parsedTags).value();
                }
                case "type" -> {
                    if (seenType) {
                        return invalid(index, "duplicate_field", "field 'type' appears twice");
                    }
                    seenType = true;
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.VALUE_STRING) {
                        return invalid(index, "wrong_type", "field 'type' must be a string, was " + describe(v));
                    }
                    String text = p.getText();
                    type = MetricType.parse(text).orElse(null);
                    if (type == null) {
                        return invalid(index, "unknown_type", "field 'type' must be one of " + MetricType.wireNames()
                                + ", was '" + shorten(text) + "'");
                    }
                }
                default -> p.skipChildren(); // other unknown fields are ignored, whatever their shape
            }
        }
        if (t != JsonToken.END_OBJECT) {
            return Optional.of(ApiError.malformedJson("unexpected " + describe(t) + at(p.currentLocation())));
        }
        if (name == null) {
            return invalid(index, "missing_field", "field 'name' (a string) is required");
        }
        if (!hasValue) {
            return invalid(index, "missing_field", "field 'value' (a number) is required");
        }
        if (hasTimestamp) {
            batch.add(name, tags, type, value, timestamp);
        } else {
            batch.add(name, tags, type, value);
        }
        return Optional.empty();
    }

    /**
     * Most tag fields read from one sample before giving up; more than the core's limit, so that
     * the core's rule (and its message) decides, yet a hostile body cannot make us collect
     * thousands.
     */
    static final int MAX_PARSED_TAGS = 64;

    /** Parses a {@code tags} object whose START_OBJECT was just read: string values only, keys once. */
    private Parsed<Tags> parseTags(JsonParser p, int index) throws IOException {
        String[] kv = tagScratch;
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                return Parsed.invalid(error(index, "wrong_type", "tag '" + shorten(key)
                        + "' must have a string value, was " + describe(v)));
            }
            if (n == 2 * MAX_PARSED_TAGS) {
                return Parsed.invalid(error(index, "invalid_tags", "field 'tags': a series has at most "
                        + Tags.MAX_TAGS + " tags"));
            }
            kv[n++] = key;
            kv[n++] = p.getText();
        }
        if (t != JsonToken.END_OBJECT) {
            return Parsed.invalid(ApiError.malformedJson("unexpected " + describe(t) + at(p.currentLocation())));
        }
        try {
            return Parsed.ok(Tags.of(java.util.Arrays.copyOf(kv, n)));
        } catch (IllegalArgumentException e) {
            return Parsed.invalid(error(index, "duplicate_field", "field 'tags': " + e.getMessage()));
        }
    }

    private static Optional<ApiError> invalid(int index, String code, String what) {
        return Optional.of(error(index, code, what));
    }

    /** A 422 for element {@code index} of a batch (or the single sample when negative). */
    private static ApiError error(int index, String code, String what) {
        return ApiError.invalid(code, index < 0 ? what : "element " + index + ": " + what);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the body";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static String at(JsonLocation loc) {
        return loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
