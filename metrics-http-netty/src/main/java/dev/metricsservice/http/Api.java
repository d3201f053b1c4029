package dev.metricsservice.http;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.AggregatorStats;
import dev.metricsservice.core.RecordResult;
import dev.metricsservice.core.SeriesRecorder;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.WindowMerger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The API's logic, independent of connection handling: turns a parsed request into a response.
 * Runs on event loops; never blocks. Thread-safe (stateless apart from the shared server state).
 */
final class Api {

    /**
     * In a batch, a sample whose window becomes final sooner than this is refused up front, so
     * that a collect racing with the batch cannot refuse it after earlier elements were recorded.
     */
    static final long BATCH_LATENESS_MARGIN_MILLIS = 1000;

    private final ServerState server;
    private final Aggregator aggregator;
    private final HttpServerConfig config;
    private final long retryAfterSeconds;

    Api(ServerState server) {
        this.server = server;
        this.aggregator = server.aggregator;
        this.config = server.config;
        this.retryAfterSeconds = config.retryAfterSeconds();
    }

    FullHttpResponse error(ByteBufAllocator alloc, ApiError e) {
        return Responses.error(alloc, e, retryAfterSeconds);
    }

    // ------------------------------------------------------------------ POST /metrics

    FullHttpResponse ingest(ByteBufAllocator alloc, ByteBuf body) {
        IngestParser parser = IngestParser.current();
        ApiError e = parser.parse(body, config.maxBatchSize(), aggregator.maxNameBytes());
        IngestParser.Samples s = parser.samples();
        try {
            if (e == null) {
                e = s.array ? recordBatch(s) : recordOne(s);
            }
            if (e != null) {
                return error(alloc, e);
            }
            if (!s.array) {
                return Responses.acceptedOne();
            }
            int n = s.size;
            return Responses.json(HttpResponseStatus.ACCEPTED, JsonOut.write(alloc, g -> {
                g.writeStartObject();
                g.writeNumberField("accepted", n);
                g.writeEndObject();
            }));
        } finally {
            s.clear();
        }
    }

    private ApiError recordOne(IngestParser.Samples s) {
        long ts = s.timestamps[0];
        RecordResult r = ts == IngestParser.NO_TIMESTAMP
                ? aggregator.record(s.names[0], s.values[0])
                : aggregator.record(s.names[0], s.values[0], ts);
        return r.isAccepted() ? null : refusal(r, -1);
    }

    /**
     * All or none: everything that can refuse a sample is checked before the first one is
     * recorded. What cannot be checked up front (the store falling behind, a collect finalizing a
     * window despite the margin) is reported as a partial batch naming where to resume.
     */
    private ApiError recordBatch(IngestParser.Samples s) {
        int n = s.size;
        long now = aggregator.clock().millis();
        long windowMillis = aggregator.windowWidth().toMillis();
        long skewMillis = aggregator.maxFutureSkew().toMillis();
        long latenessMillis = aggregator.allowedLateness().toMillis();
        long oldestSafe = now - latenessMillis - windowMillis - BATCH_LATENESS_MARGIN_MILLIS;
        for (int i = 0; i < n; i++) {
            long ts = s.timestamps[i];
            if (ts == IngestParser.NO_TIMESTAMP) {
                continue;
            }
            if (ts > now && ts - now > skewMillis) {
                return refusal(RecordResult.TOO_EARLY, i);
            }
            // The window ends at floor(ts / w) * w + w; it must stay open past now + margin.
            if (ts < oldestSafe
                    || Math.floorDiv(ts, windowMillis) * windowMillis + windowMillis + latenessMillis
                    <= now + BATCH_LATENESS_MARGIN_MILLIS) {
                return refusal(RecordResult.TOO_LATE, i);
            }
        }
        // Create every series before recording anything, so the series limit refuses whole batches.
        SeriesRecorder[] recorders = new SeriesRecorder[n];
        for (int i = 0; i < n; i++) {
            if (i > 0 && s.names[i].equals(s.names[i - 1])) {
                recorders[i] = recorders[i - 1];
                continue;
            }
            try {
                recorders[i] = aggregator.series(s.names[i]);
            } catch (IllegalStateException full) {
                return refusal(RecordResult.SERIES_LIMIT, i);
            } catch (IllegalArgumentException badName) {
                return refusal(RecordResult.INVALID_NAME, i);
            }
        }
        for (int i = 0; i < n; i++) {
            long ts = s.timestamps[i];
            RecordResult r = ts == IngestParser.NO_TIMESTAMP
                    ? recorders[i].record(s.values[i]) : recorders[i].record(s.values[i], ts);
            if (!r.isAccepted()) {
                if (i == 0) {
                    return refusal(r, 0);
                }
                ApiError cause = refusal(r, i);
                return new ApiError(cause.status(), "partial_batch", "elements 0.." + (i - 1)
                        + " were recorded, element " + i + " was refused (" + r.reason()
                        + ") and the rest were not recorded; resend from element " + i);
            }
        }
        return null;
    }

    private static ApiError refusal(RecordResult r, int index) {
        return switch (r) {
            case INVALID_NAME -> IngestParser.invalid(index, "invalid_name", "field 'name': " + r.reason());
            case NON_FINITE_VALUE -> IngestParser.invalid(index, "non_finite_value", "field 'value': " + r.reason());
            case TOO_LATE -> IngestParser.invalid(index, "timestamp_too_old", "field 'timestamp': " + r.reason());
            case TOO_EARLY -> IngestParser.invalid(index, "timestamp_too_new", "field 'timestamp': " + r.reason());
            case SERIES_LIMIT -> ApiError.seriesLimit(index < 0 ? r.reason() : "element " + index + ": " + r.reason());
            case OVERLOADED -> ApiError.unavailable("overloaded", r.reason());
            case ACCEPTED -> throw new IllegalArgumentException("not a refusal");
        };
    }

    // ------------------------------------------------------------------ GET /metrics/{name}

    /** Parses the query's path and parameters; returns a {@link MetricQuery} or an {@link ApiError}. */
    Object parseQuery(String uri) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String name = percentDecode(rawPath.substring("/metrics/".length()));
        if (name == null) {
            return ApiError.badRequest("the metric name in the path is not valid percent-encoded UTF-8");
        }
        long from = Long.MIN_VALUE / 2;
        long to = Long.MAX_VALUE / 2;
        int limit = config.defaultQueryLimit();
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
                try {
                    switch (key) {
                        case "from" -> from = Long.parseLong(String.valueOf(value));
                        case "to" -> to = Long.parseLong(String.valueOf(value));
                        case "limit" -> {
                            limit = Integer.parseInt(String.valueOf(value));
                            if (limit < 1 || limit > config.maxQueryLimit()) {
                                return limitError();
                            }
                        }
                        default -> { } // unknown parameters are ignored
                    }
                } catch (NumberFormatException e) {
                    return key.equals("limit") ? limitError()
                            : ApiError.badRequest("query parameter '" + key + "' must be an integer number of epoch seconds");
                }
            }
        }
        if (from > to) {
            return ApiError.badRequest("query parameter 'from' (" + from + ") must not be after 'to' (" + to + ")");
        }
        return new MetricQuery(name, from, to, limit, MetricQuery.Order.NEWEST_FIRST);
    }

    private ApiError limitError() {
        return ApiError.badRequest("query parameter 'limit' must be an integer from 1 to " + config.maxQueryLimit());
    }

    /** Merges stored rows with what is still in memory; runs on the channel's event loop. */
    FullHttpResponse queryResponse(ByteBufAllocator alloc, MetricQuery query, List<WindowStats> stored, Throwable error) {
        if (error != null) {
            StoreException se = StoreException.of(error);
            return error(alloc, ApiError.unavailable("store_unavailable",
                    "the store could not answer (" + se.kind() + ": " + se.getMessage() + "); retry later"));
        }
        List<WindowStats> rows = new WindowMerger().addAll(stored).addAll(aggregator.unflushed(query)).result(query);
        return Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartArray();
            for (WindowStats row : rows) {
                g.writeStartObject();
                g.writeNumberField("timestamp", row.windowStartEpochSecond());
                g.writeFieldName("sum");
                JsonOut.number(g, row.stats().sum());
                g.writeNumberField("count", row.stats().count());
                g.writeFieldName("min");
                JsonOut.number(g, row.stats().min());
                g.writeFieldName("max");
                JsonOut.number(g, row.stats().max());
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    // ------------------------------------------------------------------ health, ready, stats

    FullHttpResponse health(ByteBufAllocator alloc) {
        return Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartObject();
            g.writeStringField("status", "ok");
            g.writeEndObject();
        }));
    }

    FullHttpResponse readyResponse(ByteBufAllocator alloc, Throwable error) {
        if (error != null) {
            StoreException se = StoreException.of(error);
            return error(alloc, ApiError.unavailable("store_unavailable",
                    "the store " + server.store.describe() + " is not ready (" + se.kind() + ": " + se.getMessage() + ")"));
        }
        return Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartObject();
            g.writeStringField("status", "ready");
            g.writeStringField("store", server.store.describe());
            g.writeEndObject();
        }));
    }

    /** What {@code /stats} reports besides the server's own counters; gathered off the event loop. */
    record StatsSnapshot(AggregatorStats aggregator, Map<String, Object> extra) {
    }

    FullHttpResponse statsResponse(ByteBufAllocator alloc, StatsSnapshot snapshot, Throwable error) {
        if (error != null) {
            return error(alloc, ApiError.unavailable("stats_unavailable", "statistics could not be read: " + error));
        }
        AggregatorStats a = snapshot.aggregator();
        ServerStats s = server.stats();
        return Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("aggregator");
            g.writeStringField("writerId", a.writerId());
            g.writeNumberField("accepted", a.accepted());
            g.writeObjectFieldStart("rejected");
            for (RecordResult r : RecordResult.values()) {
                if (r != RecordResult.ACCEPTED) {
                    g.writeNumberField(r.name().toLowerCase(java.util.Locale.ROOT), a.rejected().getOrDefault(r, 0L));
                }
            }
            g.writeEndObject();
            g.writeNumberField("series", a.series());
            g.writeNumberField("pendingWindows", a.pendingWindows());
            g.writeNumberField("collects", a.collects());
            g.writeNumberField("commits", a.commits());
            g.writeBooleanField("overloaded", a.overloaded());
            g.writeEndObject();
            g.writeObjectFieldStart("server");
            g.writeStringField("transport", s.transport());
            g.writeObjectFieldStart("connections");
            g.writeNumberField("open", s.openConnections());
            g.writeNumberField("accepted", s.acceptedConnections());
            g.writeNumberField("refused", s.refusedConnections());
            g.writeEndObject();
            g.writeObjectFieldStart("requests");
            for (Map.Entry<Integer, Long> e : s.requestsByStatus().entrySet()) {
                g.writeNumberField(Integer.toString(e.getKey()), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            for (Map.Entry<String, Object> e : snapshot.extra().entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        }));
    }

    private static void writeValue(com.fasterxml.jackson.core.JsonGenerator g, Object value) throws java.io.IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof Double || value instanceof Float) {
            JsonOut.number(g, ((Number) value).doubleValue());
        } else if (value instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString(String.valueOf(value));
        }
    }

    /** Strict percent-decoding of a path segment or parameter ('+' stays '+'); null if malformed. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                return null; // the request line is ASCII; anything else was not sent percent-encoded
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
