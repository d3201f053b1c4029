package dev.metricsservice.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonLocation;
import dev.metricsservice.core.MetricNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.Arrays;

/**
 * Parses a {@code POST /metrics} body with Jackson's streaming parser, straight from the request
 * bytes, into a reusable {@link Samples} holder. Validates everything that does not depend on the
 * aggregator's state (types, name rule, finiteness, batch size), so that a batch with a bad
 * element is refused before any element is recorded.
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

    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** Parsed samples; valid until the next parse on the same thread. */
    static final class Samples {
        String[] names = new String[16];
        double[] values = new double[16];
        long[] timestamps = new long[16];
        int size;
        boolean array;

        void add(String name, double value, long timestamp) {
            if (size == names.length) {
                int n = size * 2;
                names = Arrays.copyOf(names, n);
                values = Arrays.copyOf(values, n);
                timestamps = Arrays.copyOf(timestamps, n);
            }
            names[size] = name;
            values[size] = value;
            timestamps[size] = timestamp;
            size++;
        }

        void clear() {
            Arrays.fill(names, 0, size, null); // do not keep names of old requests reachable
            size = 0;
        }
    }

    private final Samples samples = new Samples();
    private byte[] scratch = new byte[1024];

    static IngestParser current() {
        return PER_THREAD.get();
    }

    /**
     * Parses the body; on success fills {@link #samples()} and returns null, otherwise returns the
     * error for the first problem found.
     */
    ApiError parse(ByteBuf body, int maxBatchSize, int maxNameBytes) {
        samples.clear();
        int length = body.readableBytes();
        try (JsonParser p = open(body, length)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return ApiError.malformedJson("the body is empty; send a JSON object like {\"name\":\"cpu\",\"value\":42.5} or an array of them");
            }
            ApiError e;
            if (t == JsonToken.START_OBJECT) {
                samples.array = false;
                e = parseSample(p, -1, maxNameBytes);
            } else if (t == JsonToken.START_ARRAY) {
                samples.array = true;
                e = parseArray(p, maxBatchSize, maxNameBytes);
            } else {
                return ApiError.invalid("wrong_type", "the body must be a JSON object or an array of objects, was " + describe(t));
            }
            if (e != null) {
                return e;
            }
            if (p.nextToken() != null) {
                return ApiError.malformedJson("unexpected data after the JSON value" + at(p.currentLocation()));
            }
            return null;
        } catch (JsonProcessingException ex) {
            return ApiError.malformedJson("malformed JSON: " + shorten(ex.getOriginalMessage()) + at(ex.getLocation()));
        } catch (IOException ex) {
            return ApiError.malformedJson("unreadable body: " + shorten(ex.getMessage()));
        }
    }

    Samples samples() {
        return samples;
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

    private ApiError parseArray(JsonParser p, int maxBatchSize, int maxNameBytes) throws IOException {
        for (int index = 0; ; index++) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.END_ARRAY) {
                return null;
            }
            if (index == maxBatchSize) {
                return new ApiError(413, "batch_too_large",
                        "a batch may hold at most " + maxBatchSize + " samples; split it into smaller batches");
            }
            if (t != JsonToken.START_OBJECT) {
                return ApiError.invalid("wrong_type", "element " + index + " must be an object, was " + describe(t));
            }
            ApiError e = parseSample(p, index, maxNameBytes);
            if (e != null) {
                return e;
            }
        }
    }

    /** Parses one object whose START_OBJECT was just read. */
    private ApiError parseSample(JsonParser p, int index, int maxNameBytes) throws IOException {
        String name = null;
        double value = 0;
        boolean hasValue = false;
        long timestamp = NO_TIMESTAMP;
        boolean seenTimestamp = false;
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
                    value = p.getDoubleValue();
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
                    if (timestamp == NO_TIMESTAMP) {
                        return invalid(index, "timestamp_out_of_range", "field 'timestamp' is out of range");
                    }
                }
                default -> p.skipChildren(); // unknown fields are ignored, whatever their shape
            }
        }
        if (t != JsonToken.END_OBJECT) {
            return ApiError.malformedJson("unexpected " + describe(t) + at(p.currentLocation()));
        }
        if (name == null) {
            return invalid(index, "missing_field", "field 'name' (a string) is required");
        }
        if (!hasValue) {
            return invalid(index, "missing_field", "field 'value' (a number) is required");
        }
        String problem = MetricNames.problem(name, maxNameBytes);
        if (problem != null) {
            return invalid(index, "invalid_name", "field 'name': " + problem);
        }
        if (!Double.isFinite(value)) {
            return invalid(index, "non_finite_value", "field 'value' must be a finite number (it overflows a double)");
        }
        samples.add(name, value, timestamp);
        return null;
    }

    static ApiError invalid(int index, String code, String what) {
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
