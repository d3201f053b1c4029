package dev.metricsservice.http;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.core.AggregatorCounters;
import dev.metricsservice.core.BatchResult;
import dev.metricsservice.core.QueryService;
import dev.metricsservice.core.RecordResult;
import dev.metricsservice.core.SampleBatch;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.NotADistributionException;
import dev.metricsservice.core.Quantiles;
import dev.metricsservice.core.QueryResult;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.QueryService;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.TagFilter;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.SeriesListQuery;
import java.util.ArrayList;
import java.util.Base64;
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

    /** Answers remembered for requests with an {@code Idempotency-Key}; one per server. */
    final IdempotencyKeys idempotency;

    Api(ServerState server) {
        this.server = server;
        this.aggregator = server.aggregator;
        this.queries = new QueryService(server.aggregator, server.store);
        this.config = server.config;
        this.retryAfterSeconds = config.retryAfterSeconds();
        this.idempotency = new IdempotencyKeys(config.dedupWindow().toNanos(), config.dedupMaxKeys(), System::nanoTime);
        if (server.durable != null) {
            long now = System.currentTimeMillis();
            for (DurableIngest.ReplayedTag t : server.durable.replayedTags()) {
                idempotency.restore(t.tag(), t.accepted(), Math.max(0, now - t.ingestMillis()) * 1_000_000L);
            }
        }
    }

    FullHttpResponse error(ByteBufAllocator alloc, ApiError e) {
        return Responses.error(alloc, e, retryAfterSeconds);
    }

    // ------------------------------------------------------------------ POST /metrics

    /** What a POST came to, without buffers (so a closed channel leaks nothing); see {@link #ingestResponse}. */
    sealed interface Ingested {
        /** Accepted: {@code n} samples; {@code single} for the one-object form. */
        record Accepted(int n, boolean single, boolean duplicate) implements Ingested {
        }

        /** Refused, with the error to answer. */
        record Refused(ApiError error) implements Ingested {
        }
    }

    /**
     * A POST with its {@code Idempotency-Key} headers (none, or the one key): a repeat of an
     * accepted request with the same key and body within the dedup window is answered like the
     * first, marked {@code "duplicate": true}, and records nothing. Completes at once without a
     * durable log; with one, once the batch is on disk and recorded.
     */
    CompletableFuture<Ingested> ingest(ByteBuf body, List<String> keyHeaders) {
        if (keyHeaders.isEmpty()) {
            return record(body, null);
        }
        if (keyHeaders.size() > 1) {
            return refused(ApiError.badRequest("header 'Idempotency-Key' is given " + keyHeaders.size()
                    + " times; send it once"));
        }
        String key = keyHeaders.get(0);
        String problem = IdempotencyKeys.problem(key);
        if (problem != null) {
            return refused(ApiError.badRequest(problem));
        }
        IdempotencyKeys.Outcome outcome = idempotency.admit(key, body);
        if (outcome instanceof IdempotencyKeys.Outcome.Duplicate d) {
            return CompletableFuture.completedFuture(new Ingested.Accepted(d.accepted(), false, true));
        }
        if (outcome instanceof IdempotencyKeys.Outcome.Reused) {
            return refused(new ApiError(409, "idempotency_key_reused", "header 'Idempotency-Key': this key was"
                    + " used within the last " + dev.metricsservice.core.units.Units.formatDuration(config.dedupWindow())
                    + " for a request with another body; use a new key for a new request"));
        }
        if (outcome instanceof IdempotencyKeys.Outcome.InProgress) {
            return refused(new ApiError(409, "idempotency_key_in_progress", "header 'Idempotency-Key': a request"
                    + " with this key is being recorded right now; retry in a moment to get its answer"));
        }
        IdempotencyKeys.Outcome.Claimed claimed = (IdempotencyKeys.Outcome.Claimed) outcome;
        CompletableFuture<Ingested> result;
        try {
            result = record(body, claimed);
        } catch (RuntimeException e) {
            idempotency.settle(claimed, -1);
            throw e;
        }
        return result.whenComplete((done, error) -> idempotency.settle(claimed,
                done instanceof Ingested.Accepted a ? a.n() : -1));
    }

    private static CompletableFuture<Ingested> refused(ApiError e) {
        return CompletableFuture.completedFuture(new Ingested.Refused(e));
    }

    /** Parses and records the body, through the durable log when there is one. */
    private CompletableFuture<Ingested> record(ByteBuf body, IdempotencyKeys.Outcome.Claimed key) {
        IngestParser parser = IngestParser.current();
        Parsed<IngestParser.Shape> parsed = parser.parse(body, config.maxBatchSize());
        if (parsed instanceof Parsed.Invalid<IngestParser.Shape> invalid) {
            parser.batch().clear();
            return refused(invalid.error());
        }
        boolean single = ((Parsed.Ok<IngestParser.Shape>) parsed).value() == IngestParser.Shape.SINGLE;
        DurableIngest durable = server.durable;
        if (durable == null) {
            SampleBatch batch = parser.batch();
            try {
                return CompletableFuture.completedFuture(outcome(aggregator.recordAll(batch), batch, single));
            } finally {
                batch.clear();
            }
        }
        SampleBatch batch = parser.detachBatch(); // recorded on the log's thread; ours until then
        return recordOwned(batch, key == null ? null : IdempotencyKeys.tag(key))
                .thenApply(result -> outcome(result, batch, single));
    }

    /** Records a batch no one else holds: at once, or through the durable log when there is one. */
    private CompletableFuture<BatchResult> recordOwned(SampleBatch batch, byte[] tag) {
        DurableIngest durable = server.durable;
        return durable == null ? CompletableFuture.completedFuture(aggregator.recordAll(batch))
                : durable.submitOwned(batch, tag);
    }

    private Ingested outcome(BatchResult result, SampleBatch batch, boolean single) {
        if (!result.isAccepted()) {
            jsonAccepted.add(result.recorded());
            jsonRefused.add(batch.size() - result.recorded());
            return new Ingested.Refused(Refusals.of(result, batch, single, aggregator));
        }
        jsonAccepted.add(batch.size());
        return new Ingested.Accepted(batch.size(), single, false);
    }

    // ------------------------------------------------------------------ POST /write (Influx line protocol)

    /** Samples accepted and refused, by protocol. */
    private final java.util.concurrent.atomic.LongAdder jsonAccepted = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder jsonRefused = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder influxAccepted = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder influxRefused = new java.util.concurrent.atomic.LongAdder();

    /** String fields skipped by the line protocol (they carry no number). */
    final java.util.concurrent.atomic.LongAdder influxStringFields = new java.util.concurrent.atomic.LongAdder();

    /**
     * Influx line protocol: all lines or none, as a JSON batch; a bad line is a 400 naming its
     * number and the rule. Gzip bodies are inflated up to ten times the body limit.
     */
    CompletableFuture<Ingested> write(ByteBuf body, String uri, String contentEncoding) {
        Parsed<List<String[]>> params = parameters(uri);
        if (params instanceof Parsed.Invalid<List<String[]>> invalid) {
            return refused(invalid.error());
        }
        String precision = null;
        for (String[] kv : ((Parsed.Ok<List<String[]>>) params).value()) {
            if (kv[0].equals("precision")) {
                precision = kv[1];
            }
        }
        long unit = InfluxParser.precision(precision);
        if (unit < 0) {
            return refused(ApiError.badRequest("query parameter 'precision' must be one of ns, us, ms, s, m, h (n, u"
                    + " for the first version's names); was '" + precision + "'"));
        }
        byte[] bytes;
        int length;
        if (contentEncoding != null && contentEncoding.trim().equalsIgnoreCase("gzip")) {
            long limit = 10L * config.maxBodyBytes();
            try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
                    new io.netty.buffer.ByteBufInputStream(body.duplicate()))) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            } catch (java.io.IOException e) {
                return refused(ApiError.badRequest("the body is not valid gzip: " + e.getMessage()));
            }
            if (bytes.length > limit) {
                return refused(new ApiError(413, "body_too_large", "the inflated body is larger than " + limit
                        + " bytes (ten times the body limit); split it"));
            }
            length = bytes.length;
        } else {
            length = body.readableBytes();
            bytes = new byte[length];
            body.getBytes(body.readerIndex(), bytes);
        }
        // One sample per line is the common shape: size the batch for it, not for growing.
        int lines = 1;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                lines++;
            }
        }
        SampleBatch batch = new SampleBatch(Math.min(lines, config.maxBatchSize()));
        InfluxParser parser = new InfluxParser(bytes, length, unit, batch, config.maxBatchSize());
        try {
            parser.parse();
        } catch (InfluxParser.BadLine e) {
            return refused(ApiError.badRequest(e.getMessage()));
        }
        influxStringFields.add(parser.stringFields);
        int[] lineOf = parser.lineOf;
        if (batch.size() == 0) {
            return CompletableFuture.completedFuture(new Ingested.Accepted(0, false, false));
        }
        return recordOwned(batch, null).thenApply(result -> {
            if (result.isAccepted()) {
                influxAccepted.add(batch.size());
                return new Ingested.Accepted(batch.size(), false, false);
            }
            influxAccepted.add(result.recorded());
            influxRefused.add(batch.size() - result.recorded());
            ApiError e = Refusals.of(result, batch, true, aggregator);
            return new Ingested.Refused(new ApiError(e.status(), e.code(), "line " + lineOf[result.index()] + ": "
                    + e.message()));
        });
    }

    /** 204 (as InfluxDB and VictoriaMetrics answer), the refusal, or 503 when the log did not take it. */
    FullHttpResponse writeResponse(ByteBufAllocator alloc, Ingested done, Throwable error) {
        if (error == null && done instanceof Ingested.Accepted) {
            return Responses.noContent();
        }
        return ingestResponse(alloc, done, error);
    }

    /** The answer to a POST: 202, the refusal, or 503 when the durable log did not take it. */
    FullHttpResponse ingestResponse(ByteBufAllocator alloc, Ingested done, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            return error(alloc, Refusals.ofLog(cause));
        }
        if (done instanceof Ingested.Refused r) {
            return error(alloc, r.error());
        }
        Ingested.Accepted a = (Ingested.Accepted) done;
        if (a.single() && !a.duplicate()) {
            return Responses.acceptedOne();
        }
        return accepted(alloc, a.n(), a.duplicate());
    }

    /** {@code 202 {"accepted": n}}, with {@code "duplicate": true} for a repeated idempotency key. */
    private static FullHttpResponse accepted(ByteBufAllocator alloc, int n, boolean duplicate) {
        return Responses.json(HttpResponseStatus.ACCEPTED, JsonOut.write(alloc, g -> {
            g.writeStartObject();
            g.writeNumberField("accepted", n);
            if (duplicate) {
                g.writeBooleanField("duplicate", true);
            }
            g.writeEndObject();
        }));
    }

    // ------------------------------------------------------------------ GET /metrics/{name}

    /** The parameters of a query string, decoded, in order; or the error for the first bad one. */
    private static Parsed<List<String[]>> parameters(String uri) {
        int q = uri.indexOf('?');
        List<String[]> out = new ArrayList<>();
        if (q < 0) {
            return Parsed.ok(out);
        }
        for (String pair : uri.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            Optional<String> decoded = eq < 0 ? Optional.of("") : percentDecode(pair.substring(eq + 1));
            if (decoded.isEmpty()) {
                return Parsed.invalid(ApiError.badRequest("query parameter '" + key + "' is not valid percent-encoded UTF-8"));
            }
            out.add(new String[] {key, decoded.get()});
        }
        return Parsed.ok(out);
    }

    /** A {@code tag=k:v} parameter: the key is before the first ':', the value everything after it. */
    private static TagFilter tagFilter(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new BadParameter("query parameter 'tag' must be key:value with a non-empty key and"
                    + " value (the value is everything after the first ':'), was '" + abbreviate(text) + "'");
        }
        return new TagFilter(text.substring(0, colon), text.substring(colon + 1));
    }

    private static long epochSeconds(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadParameter("query parameter '" + key + "' must be an integer number of epoch seconds, was '"
                    + abbreviate(value) + "'");
        }
    }

    /** A bad parameter found while reading them in a loop; turned into a 400 by the caller. */
    private static final class BadParameter extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadParameter(String message) {
            super(message, null, false, false);
        }
    }

    /** A parsed {@code GET /metrics/{name}}: the query, and the quantiles asked for, if any. */
    record QueryRequest(MetricQuery query, Optional<Quantiles> quantiles) {
    }

    /** Parses the query's path and parameters into a query, or the error to answer with. */
    Parsed<QueryRequest> parseQuery(String uri) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        Optional<String> decodedName = percentDecode(rawPath.substring("/metrics/".length()));
        if (decodedName.isEmpty()) {
            return Parsed.invalid(ApiError.badRequest("the metric name in the path is not valid percent-encoded UTF-8"));
        }
        Parsed<List<String[]>> params = parameters(uri);
        if (params instanceof Parsed.Invalid<List<String[]>> bad) {
            return Parsed.invalid(bad.error());
        }
        long from = Long.MIN_VALUE / 2;
        long to = Long.MAX_VALUE / 2;
        int limit = config.defaultQueryLimit();
        long step = 0;
        List<TagFilter> filters = new ArrayList<>();
        List<String> groupBy = List.of();
        Optional<Quantiles> quantiles = Optional.empty();
        try {
            for (String[] kv : ((Parsed.Ok<List<String[]>>) params).value()) {
                String key = kv[0];
                String value = kv[1];
                switch (key) {
                    case "from" -> from = epochSeconds(key, value);
                    case "to" -> to = epochSeconds(key, value);
                    case "limit" -> limit = limit(value, config.maxQueryLimit());
                    case "tag" -> filters.add(tagFilter(value));
                    case "group_by" -> groupBy = groupBy(value);
                    case "step" -> step = step(value);
                    case "quantiles" -> quantiles = Optional.of(quantiles(value));
                    default -> { } // unknown parameters are ignored
                }
            }
        } catch (BadParameter e) {
            return Parsed.invalid(ApiError.badRequest(e.getMessage()));
        }
        Optional<ApiError> range = rangeProblem(from, to);
        if (range.isPresent()) {
            return Parsed.invalid(range.get());
        }
        return Parsed.ok(new QueryRequest(new MetricQuery(decodedName.get(), filters, groupBy, step, from, to, limit,
                MetricQuery.Order.NEWEST_FIRST), quantiles));
    }

    private static Quantiles quantiles(String value) {
        try {
            return Quantiles.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadParameter("query parameter 'quantiles' must be decimal numbers from 0 to 1 separated by ','"
                    + " (at most " + Quantiles.MAX_QUANTILES + "): " + e.getMessage());
        }
    }

    /** A {@code limit} parameter: an integer from 1 to {@code max}, for queries and listings alike. */
    private static int limit(String value, int max) {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // the message below says what is accepted
        }
        throw new BadParameter("query parameter 'limit' must be an integer from 1 to " + max);
    }

    /** The answer to a range whose start is after its end, if it is. */
    private static Optional<ApiError> rangeProblem(long from, long to) {
        return from <= to ? Optional.empty() : Optional.of(ApiError.badRequest(
                "query parameter 'from' (" + from + ") must not be after 'to' (" + to + ")"));
    }

    private static List<String> groupBy(String value) {
        List<String> keys = new ArrayList<>();
        for (String k : value.split(",", -1)) {
            if (k.isEmpty()) {
                throw new BadParameter("query parameter 'group_by' must be tag keys separated by ',' without empty ones,"
                        + " was '" + abbreviate(value) + "'");
            }
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        if (keys.size() > Tags.MAX_TAGS) {
            throw new BadParameter("query parameter 'group_by' names more than " + Tags.MAX_TAGS + " keys");
        }
        return keys;
    }

    private long step(String value) {
        long width = aggregator.windowWidth().toSeconds();
        long step;
        try {
            step = Long.parseLong(value);
        } catch (NumberFormatException e) {
            step = -1;
        }
        if (step <= 0 || step % width != 0 || step > 366L * 86_400) {
            throw new BadParameter("query parameter 'step' must be a whole number of seconds that is a multiple of the"
                    + " window width (" + width + " s), at most a year, was '" + abbreviate(value) + "'");
        }
        return step;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Runs a query through the core's query service (store merged with memory). */
    CompletableFuture<QueryResult> query(QueryRequest request) {
        return request.quantiles().isPresent()
                ? queries.query(request.query(), request.quantiles().get())
                : queries.query(request.query());
    }

    /**
     * Renders the rows of a query, or the store's failure; runs on the channel's event loop. Rows of
     * a grouped query carry their group's tags; a gauge's rows carry their last value.
     */
    FullHttpResponse queryResponse(ByteBufAllocator alloc, QueryRequest request, QueryResult result, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof NotADistributionException nd) {
                return error(alloc, ApiError.invalid("not_a_distribution", "query parameter 'quantiles': "
                        + nd.getMessage()));
            }
            return storeError(alloc, error);
        }
        MetricQuery query = request.query();
        boolean grouped = !query.groupBy().isEmpty();
        Quantiles quantiles = request.quantiles().orElse(null);
        if (!grouped && quantiles == null) {
            return Responses.json(HttpResponseStatus.OK, RowsJson.write(alloc, result));
        }
        return Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartArray();
            for (QueryResult.Group group : result.groups()) {
                for (WindowStats row : group.rows()) {
                    g.writeStartObject();
                    g.writeNumberField("timestamp", row.windowStartEpochSecond());
                    g.writeFieldName("sum");
                    JsonOut.number(g, row.stats().sum());
                    g.writeNumberField("count", row.stats().count());
                    g.writeFieldName("min");
                    JsonOut.number(g, row.stats().min());
                    g.writeFieldName("max");
                    JsonOut.number(g, row.stats().max());
                    if (row.stats().hasLast()) {
                        g.writeFieldName("last");
                        JsonOut.number(g, row.stats().last());
                    }
                    if (row.stats().hasDistinct()) {
                        g.writeNumberField("distinct", row.stats().distinctEstimate());
                    }
                    if (quantiles != null) {
                        writeQuantiles(g, quantiles, row.stats());
                    }
                    if (grouped) {
                        writeTags(g, group.tags());
                    }
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
        }));
    }

    /**
     * {@code "quantiles": {"0.5": v, ...}} (null where a row has no sketch: it was stored before
     * sketches existed) and {@code "sketch_count"}, the samples the quantiles are computed from.
     */
    private static void writeQuantiles(com.fasterxml.jackson.core.JsonGenerator g, Quantiles quantiles, Stats stats)
            throws java.io.IOException {
        g.writeObjectFieldStart("quantiles");
        double[] values = quantiles.valuesOf(stats);
        for (int i = 0; i < values.length; i++) {
            g.writeFieldName(quantiles.label(i));
            JsonOut.number(g, values[i]);
        }
        g.writeEndObject();
        g.writeNumberField("sketch_count", stats.sketchCount());
    }

    private FullHttpResponse storeError(ByteBufAllocator alloc, Throwable error) {
        StoreException se = StoreException.of(error);
        return error(alloc, ApiError.unavailable("store_unavailable",
                "the store could not answer (" + se.kind() + ": " + se.getMessage() + "); retry later"));
    }

    private static void writeTags(com.fasterxml.jackson.core.JsonGenerator g, Tags tags) throws java.io.IOException {
        g.writeObjectFieldStart("tags");
        for (int i = 0; i < tags.size(); i++) {
            g.writeStringField(tags.key(i), tags.value(i));
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ GET /series

    /** Default and largest page of {@code GET /series}. */
    static final int DEFAULT_SERIES_LIMIT = 100;
    static final int MAX_SERIES_LIMIT = 10_000;
    /** The range {@code GET /series} looks at without {@code from}: the last 24 hours. */
    static final long DEFAULT_SERIES_RANGE_SECONDS = 86_400;

    /** Parses {@code GET /series?name=&tag=&from=&to=&limit=&cursor=}. */
    Parsed<SeriesListQuery> parseSeries(String uri) {
        Parsed<List<String[]>> params = parameters(uri);
        if (params instanceof Parsed.Invalid<List<String[]>> bad) {
            return Parsed.invalid(bad.error());
        }
        long now = aggregator.clock().millis() / 1000;
        long from = now - DEFAULT_SERIES_RANGE_SECONDS;
        long to = now + aggregator.windowWidth().toSeconds();
        Optional<String> name = Optional.empty();
        int limit = DEFAULT_SERIES_LIMIT;
        Optional<SeriesKey> after = Optional.empty();
        List<TagFilter> filters = new ArrayList<>();
        try {
            for (String[] kv : ((Parsed.Ok<List<String[]>>) params).value()) {
                String key = kv[0];
                String value = kv[1];
                switch (key) {
                    case "name" -> {
                        if (value.isEmpty()) {
                            throw new BadParameter("query parameter 'name' must not be empty");
                        }
                        name = Optional.of(value);
                    }
                    case "from" -> from = epochSeconds(key, value);
                    case "to" -> to = epochSeconds(key, value);
                    case "tag" -> filters.add(tagFilter(value));
                    case "limit" -> limit = limit(value, MAX_SERIES_LIMIT);
                    case "cursor" -> after = Optional.of(decodeCursor(value));
                    default -> { } // unknown parameters are ignored
                }
            }
        } catch (BadParameter e) {
            return Parsed.invalid(ApiError.badRequest(e.getMessage()));
        }
        Optional<ApiError> range = rangeProblem(from, to);
        if (range.isPresent()) {
            return Parsed.invalid(range.get());
        }
        return Parsed.ok(new SeriesListQuery(name, filters, from, to, limit, after));
    }

    /** A cursor is the last series of a page: name, U+0000, canonical tags, in unpadded base64url. */
    static String encodeCursor(SeriesKey key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (key.name() + '\u0000' + key.tags().canonical()).getBytes(StandardCharsets.UTF_8));
    }

    private static SeriesKey decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int sep = text.indexOf('\u0000');
            if (sep > 0) {
                return SeriesKey.of(text.substring(0, sep), Tags.fromCanonical(text.substring(sep + 1)));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw new BadParameter("query parameter 'cursor' is not a cursor this server handed out; start again without it");
    }

    CompletableFuture<QueryService.SeriesPage> listSeries(SeriesListQuery query) {
        return queries.listSeries(query);
    }

    /** Renders a page of series; the next page's cursor goes in {@code Link} and {@code X-Next-Cursor}. */
    FullHttpResponse seriesResponse(ByteBufAllocator alloc, String uri, QueryService.SeriesPage page, Throwable error) {
        if (error != null) {
            return storeError(alloc, error);
        }
        FullHttpResponse response = Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartArray();
            for (SeriesInfo s : page.series()) {
                g.writeStartObject();
                g.writeStringField("name", s.series().name());
                g.writeStringField("type", s.type().wireName());
                writeTags(g, s.series().tags());
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
        page.next().ifPresent(next -> {
            String cursor = encodeCursor(next);
            int q = uri.indexOf('?');
            StringBuilder link = new StringBuilder("/series?");
            if (q >= 0) {
                for (String pair : uri.substring(q + 1).split("&")) {
                    if (!pair.isEmpty() && !pair.startsWith("cursor=")) {
                        link.append(pair).append('&');
                    }
                }
            }
            link.append("cursor=").append(cursor);
            response.headers().set("X-Next-Cursor", cursor);
            response.headers().set("Link", "<" + link + ">; rel=\"next\"");
        });
        return response;
    }

    // ------------------------------------------------------------------ health, ready, stats

    FullHttpResponse health(ByteBufAllocator alloc) {
        return Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartObject();
            g.writeStringField("status", "ok");
            g.writeEndObject();
        }));
    }

    /**
     * {@code GET /ready}: "accepting writes". 503 only when a POST made now would be refused for a
     * reason that holds for every client (shutting down, the pending bound reached, the log full or
     * failed), so that a load balancer takes the instance out exactly then. A store that is down
     * does not make an instance unready: it buffers (in memory and the log) and says so in
     * {@code /stats} and the exposition ({@code metricsservice_store_healthy}). Cheap and never
     * waits: it reads three volatile fields.
     */
    FullHttpResponse ready(ByteBufAllocator alloc) {
        if (server.shuttingDown) {
            return error(alloc, ApiError.unavailable("shutting_down", "the server is shutting down"));
        }
        if (aggregator.isOverloaded()) {
            return error(alloc, ApiError.unavailable("overloaded", "the aggregator holds its most window aggregates"
                    + " waiting for the store (--max-pending-windows); new samples are refused until the store takes"
                    + " them"));
        }
        if (server.durable != null) {
            java.util.Optional<dev.metricsservice.core.durability.DurableLogException> refusal =
                    server.durable.logRefusal();
            if (refusal.isPresent()) {
                return error(alloc, Refusals.ofLog(refusal.get()));
            }
        }
        return Responses.json(HttpResponseStatus.OK, JsonOut.write(alloc, g -> {
            g.writeStartObject();
            g.writeStringField("status", "ready");
            g.writeStringField("store", server.store.describe());
            g.writeEndObject();
        }));
    }

    /** What {@code /stats} reports besides the server's own counters; gathered off the event loop. */
    /** {@code GET /metrics}: ours, then the embedder's families. Runs off the event loop. */
    String exposition(boolean openMetrics) {
        Exposition e = new Exposition();
        AggregatorCounters a = aggregator.counters();
        e.counter("metricsservice_samples_accepted", "Samples accepted by the aggregator, from every protocol.")
                .sample(a.accepted());
        Exposition.Family rejected = e.counter("metricsservice_samples_rejected",
                "Samples refused by the aggregator, by reason.");
        a.rejected().forEach((reason, n) -> rejected.sample(n, "reason", reason.code()));
        e.gauge("metricsservice_live_series", "Series held in memory.").sample(a.liveSeries());
        e.counter("metricsservice_retired_series", "Idle series retired.").sample(a.retiredSeries());
        e.gauge("metricsservice_pending_windows", "Window aggregates waiting for the store.").sample(a.pendingWindows());
        e.gauge("metricsservice_overloaded", "1 while new samples are refused for the pending bound.")
                .sample(a.overloaded() ? 1 : 0);
        e.counter("metricsservice_collects", "Collects (flush attempts) of the aggregator.").sample(a.collects());
        ServerCounters c = server.counters();
        e.gauge("metricsservice_http_open_connections", "Open HTTP connections.").sample(c.openConnections());
        e.counter("metricsservice_http_connections_accepted", "HTTP connections accepted.").sample(c.acceptedConnections());
        e.counter("metricsservice_http_connections_refused", "HTTP connections refused, by the limit that refused them.")
                .sample(c.refusedConnections(), "limit", "server")
                .sample(c.refusedPerAddress(), "limit", "address");
        Exposition.Family answers = e.counter("metricsservice_http_responses", "HTTP responses by route and status.");
        for (Object[] r : server.answersByRouteAndStatus()) {
            answers.sample((Long) r[2], "route", (String) r[0], "status", String.valueOf(r[1]));
        }
        e.counter("metricsservice_ingested_samples", "Samples taken in over HTTP, by protocol and outcome"
                        + " (StatsD: metricsservice_statsd_lines_total).")
                .sample(jsonAccepted.sum(), "protocol", "json", "outcome", "accepted")
                .sample(jsonRefused.sum(), "protocol", "json", "outcome", "refused")
                .sample(influxAccepted.sum(), "protocol", "influx", "outcome", "accepted")
                .sample(influxRefused.sum(), "protocol", "influx", "outcome", "refused");
        e.gauge("metricsservice_idempotency_keys", "Idempotency keys remembered.").sample(idempotency.held());
        e.counter("metricsservice_idempotency_duplicates", "Requests answered as duplicates of an earlier one.")
                .sample(idempotency.duplicates.sum());
        e.counter("metricsservice_line_protocol_string_fields_skipped", "Influx string fields skipped (no number).")
                .sample(influxStringFields.sum());
        server.instrumentation.writeMetrics(e);
        return e.render(openMetrics);
    }

    FullHttpResponse expositionResponse(ByteBufAllocator alloc, String text, boolean openMetrics, Throwable error) {
        if (error != null) {
            return error(alloc, ApiError.unavailable("exposition_failed", "the metrics could not be gathered: " + error));
        }
        io.netty.buffer.ByteBuf body = alloc.buffer(text.length());
        body.writeCharSequence(text, StandardCharsets.UTF_8);
        FullHttpResponse r = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE, openMetrics
                        ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                        : "text/plain; version=0.0.4; charset=utf-8")
                .setInt(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

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
            g.writeNumberField("refused_per_address", s.refusedPerAddress());
            g.writeEndObject();
            g.writeObjectFieldStart("requests");
            for (Map.Entry<Integer, Long> e : s.requestsByStatus().entrySet()) {
                g.writeNumberField(Integer.toString(e.getKey()), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("idempotency");
            g.writeNumberField("keys", idempotency.held());
            g.writeNumberField("duplicates", idempotency.duplicates.sum());
            g.writeNumberField("reused", idempotency.reused.sum());
            g.writeNumberField("evicted", idempotency.evicted.sum());
            g.writeEndObject();
            g.writeObjectFieldStart("line_protocol");
            g.writeNumberField("string_fields_skipped", influxStringFields.sum());
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
