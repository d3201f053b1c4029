package dev.metricsservice.http;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.AggregatorCounters;
import dev.metricsservice.core.BatchResult;
import dev.metricsservice.core.QueryService;
import dev.metricsservice.core.RecordResult;
import dev.metricsservice.core.SampleBatch;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The API's logic, independent of connection handling: turns a parsed request into a response.
 * Parses and renders only: samples are judged and recorded by the core
 * ({@link Aggregator#recordAll}), queries answered by the core's {@link QueryService}, and a
 * refusal mapped to HTTP in {@link Refusals}. Runs on event loops; never blocks. Thread-safe
 * (stateless apart from the shared server state).
 */
final class Api {

    private final ServerState server;
    private final Aggregator aggregator;
    private final QueryService queries;
    private final HttpServerConfig config;
    private final long retryAfterSeconds;

    Api(ServerState server) {
        this.server = server;
        this.aggregator = server.aggregator;
        this.queries = new QueryService(server.aggregator, server.store);
        this.config = server.config;
        this.retryAfterSeconds = config.retryAfterSeconds();
    }

    FullHttpResponse error(ByteBufAllocator alloc, ApiError e) {
        return Responses.error(alloc, e, retryAfterSeconds);
    }

    // ------------------------------------------------------------------ POST /metrics

    FullHttpResponse ingest(ByteBufAllocator alloc, ByteBuf body) {
        IngestParser parser = IngestParser.current();
        Parsed<IngestParser.Shape> parsed = parser.parse(body, config.maxBatchSize());
        SampleBatch batch = parser.batch();
        try {
            if (parsed instanceof Parsed.Invalid<IngestParser.Shape> invalid) {
                return error(alloc, invalid.error());
            }
            boolean single = ((Parsed.Ok<IngestParser.Shape>) parsed).value() == IngestParser.Shape.SINGLE;
            BatchResult result = aggregator.recordAll(batch);
            if (!result.isAccepted()) {
                return error(alloc, Refusals.of(result, batch, single, aggregator));
            }
            if (single) {
                return Responses.acceptedOne();
            }
            int n = batch.size();
            return Responses.json(HttpResponseStatus.ACCEPTED, JsonOut.write(alloc, g -> {
                g.writeStartObject();
                g.writeNumberField("accepted", n);
                g.writeEndObject();
            }));
        } finally {
            batch.clear();
        }
    }

    // ------------------------------------------------------------------ GET /metrics/{name}

    /** Parses the query's path and parameters into a query, or the error to answer with. */
    Parsed<MetricQuery> parseQuery(String uri) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        Optional<String> decodedName = percentDecode(rawPath.substring("/metrics/".length()));
        if (decodedName.isEmpty()) {
            return Parsed.invalid(ApiError.badRequest("the metric name in the path is not valid percent-encoded UTF-8"));
        }
        String name = decodedName.get();
        long from = Long.MIN_VALUE / 2;
        long to = Long.MAX_VALUE / 2;
        int limit = config.defaultQueryLimit();
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                Optional<String> decoded = eq < 0 ? Optional.of("") : percentDecode(pair.substring(eq + 1));
                if (decoded.isEmpty()) {
                    return Parsed.invalid(ApiError.badRequest(
                            "query parameter '" + key + "' is not valid percent-encoded UTF-8"));
                }
                String value = decoded.get();
                try {
                    switch (key) {
                        case "from" -> from = Long.parseLong(value);
                        case "to" -> to = Long.parseLong(value);
                        case "limit" -> {
                            limit = Integer.parseInt(value);
                            if (limit < 1 || limit > config.maxQueryLimit()) {
                                return Parsed.invalid(limitError());
                            }
                        }
                        default -> { } // unknown parameters are ignored
                    }
                } catch (NumberFormatException e) {
                    return Parsed.invalid(key.equals("limit") ? limitError()
                            : ApiError.badRequest("query parameter '" + key + "' must be an integer number of epoch seconds"));
                }
            }
        }
        if (from > to) {
            return Parsed.invalid(ApiError.badRequest(
                    "query parameter 'from' (" + from + ") must not be after 'to' (" + to + ")"));
        }
        return Parsed.ok(new MetricQuery(SeriesKey.of(name), from, to, limit, MetricQuery.Order.NEWEST_FIRST));
    }

    private ApiError limitError() {
        return ApiError.badRequest("query parameter 'limit' must be an integer from 1 to " + config.maxQueryLimit());
    }

    /** Runs a query through the core's query service (store merged with memory). */
    CompletableFuture<List<WindowStats>> query(MetricQuery query) {
        return queries.query(query);
    }

    /** Renders the rows of a query, or the store's failure; runs on the channel's event loop. */
    FullHttpResponse queryResponse(ByteBufAllocator alloc, List<WindowStats> rows, Throwable error) {
        if (error != null) {
            StoreException se = StoreException.of(error);
            return error(alloc, ApiError.unavailable("store_unavailable",
                    "the store could not answer (" + se.kind() + ": " + se.getMessage() + "); retry later"));
        }
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
    record StatsSnapshot(AggregatorCounters aggregator, Map<String, Object> extra) {
    }

    FullHttpResponse statsResponse(ByteBufAllocator alloc, StatsSnapshot snapshot, Throwable error) {
        if (error != null) {
            return error(alloc, ApiError.unavailable("stats_unavailable", "statistics could not be read: " + error));
        }
        AggregatorCounters a = snapshot.aggregator();
        ServerCounters s = server.counters();
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
            g.writeNumberField("series", a.liveSeries());
            g.writeNumberField("retiredSeries", a.retiredSeries());
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

    /** Strict percent-decoding of a path segment or parameter ('+' stays '+'); empty if malformed. */
    static Optional<String> percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return Optional.of(s);
        }
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                return Optional.empty(); // the request line is ASCII; anything else was not sent percent-encoded
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
