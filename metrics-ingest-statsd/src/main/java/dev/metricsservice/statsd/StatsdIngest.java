package dev.metricsservice.statsd;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.BatchResult;
import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.RecordResult;
import dev.metricsservice.core.SampleBatch;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Tags;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns StatsD datagrams (or TCP lines) into samples: lines split and parsed, each judged by core's
 * rules on its own (a bad line is dropped and counted by reason, the rest of the datagram kept),
 * relative gauges resolved against this instance's last value, then recorded all at once, through
 * the durable log when there is one. Thread-safe: one {@link Reader} per receiving thread.
 */
final class StatsdIngest {

    private final Aggregator aggregator;
    private final DurableIngest durable;
    private final int maxValuesPerLine;
    private final int maxGauges;

    final LongAdder datagrams = new LongAdder();
    final LongAdder linesAccepted = new LongAdder();
    final LongAdder samplesAccepted = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[StatsdParser.Drop.values().length];
    private final LongAdder[] refused = new LongAdder[RecordResult.values().length];
    final LongAdder invalidNames = new LongAdder();
    final LongAdder invalidTags = new LongAdder();
    final LongAdder gaugeStateFull = new LongAdder();
    final LongAdder notDurable = new LongAdder();
    /** Datagrams dropped because too many wait for the durable log: our queue's bound. */
    final LongAdder queueFull = new LongAdder();
    /** Gauge lines superseded by a later line of the same series in the same datagram. */
    final LongAdder gaugesCoalesced = new LongAdder();
    /** TCP connections closed for a line too long or an error. */
    final LongAdder tcpErrors = new LongAdder();
    /** Errors the socket reported while receiving. */
    final LongAdder receiveErrors = new LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final int maxInFlight;
    /** Last value of each gauge written through here, for {@code +N}/{@code -N}. */
    private final ConcurrentHashMap<SeriesKey, Double> gauges = new ConcurrentHashMap<>();

    StatsdIngest(Aggregator aggregator, DurableIngest durable, int maxValuesPerLine, int maxGauges) {
        this(aggregator, durable, maxValuesPerLine, maxGauges, 10_000);
    }

    StatsdIngest(Aggregator aggregator, DurableIngest durable, int maxValuesPerLine, int maxGauges, int maxInFlight) {
        this.maxInFlight = maxInFlight;
        this.aggregator = aggregator;
        this.durable = durable;
        this.maxValuesPerLine = maxValuesPerLine;
        this.maxGauges = maxGauges;
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    Reader reader() {
        return new Reader();
    }

    /** Lines dropped or refused, by reason code, and the other counters; for {@code /stats}. */
    Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        out.put("datagrams", datagrams.sum());
        out.put("lines_accepted", linesAccepted.sum());
        out.put("samples_accepted", samplesAccepted.sum());
        for (StatsdParser.Drop d : StatsdParser.Drop.values()) {
            out.put("dropped_" + d.code, dropped[d.ordinal()].sum());
        }
        out.put("dropped_invalid_name", invalidNames.sum());
        out.put("dropped_invalid_tags", invalidTags.sum());
        out.put("dropped_gauge_state_full", gaugeStateFull.sum());
        out.put("dropped_not_durable", notDurable.sum());
        out.put("dropped_queue_full", queueFull.sum());
        out.put("receive_errors", receiveErrors.sum());
        out.put("tcp_connections_closed_on_error", tcpErrors.sum());
        out.put("gauge_lines_coalesced", gaugesCoalesced.sum());
        for (RecordResult r : RecordResult.values()) {
            if (r != RecordResult.ACCEPTED) {
                out.put("refused_" + r.code(), refused[r.ordinal()].sum());
            }
        }
        return out;
    }


    /** The per-thread part: a parser and a batch reused for every datagram. */
    final class Reader {
        private final StatsdParser parser = new StatsdParser(maxValuesPerLine);
        private SampleBatch batch = new SampleBatch();
        /** Line number (within the datagram) of each sample in the batch. */
        private int[] lineOf = new int[64];
        /**
         * The datagram's gauges without a timestamp, last value per series: lines of one datagram
         * share a millisecond, and a gauge's value is the last one sent, as StatsD daemons keep it.
         */
        private final java.util.LinkedHashMap<SeriesKey, double[]> datagramGauges = new java.util.LinkedHashMap<>();

        /**
         * Processes one datagram, or a chunk of complete TCP lines: {@code bytes[from, to)}.
         *
         * @return completes once recorded (at once without a durable log)
         */
        CompletableFuture<Void> accept(byte[] bytes, int from, int to) {
            try {
                return acceptLines(bytes, from, to);
            } finally {
                datagrams.increment(); // after its lines are counted: readers of the counters see them
            }
        }

        private CompletableFuture<Void> acceptLines(byte[] bytes, int from, int to) {
            batch.clear();
            int lineNumber = 0;
            int start = from;
            while (start < to) {
                int end = StatsdParser.indexOf(bytes, start, to, (byte) '\n');
                if (end < 0) {
                    end = to;
                }
                if (end > start && !(end == start + 1 && bytes[start] == '\r')) {
                    addLine(bytes, start, end, lineNumber++);
                }
                start = end + 1;
            }
            for (Map.Entry<SeriesKey, double[]> g : datagramGauges.entrySet()) {
                add(g.getKey().name(), g.getKey().tags(), MetricType.GAUGE, g.getValue()[0], false, 0, (int) g.getValue()[1]);
            }
            datagramGauges.clear();
            if (batch.size() == 0) {
                return CompletableFuture.completedFuture(null);
            }
            if (durable == null) {
                recordNow(batch, lineOf);
                return CompletableFuture.completedFuture(null);
            }
            if (inFlight.incrementAndGet() > maxInFlight) {
                inFlight.decrementAndGet();
                queueFull.add(batch.size());
                return CompletableFuture.completedFuture(null);
            }
            SampleBatch owned = batch;
            int[] lines = Arrays.copyOf(lineOf, owned.size());
            batch = new SampleBatch();
            return recordDurably(owned, lines).whenComplete((v, e) -> inFlight.decrementAndGet());
        }

        private void addLine(byte[] bytes, int from, int to, int lineNumber) {
            StatsdParser.Line l = parser.parse(bytes, from, to);
            if (l == null) {
                dropped[parser.lastDrop.ordinal()].increment();
                return;
            }
            if (aggregator.nameProblem(l.name).isPresent()) {
                invalidNames.increment();
                return;
            }
            if (Tags.problem(l.tags).isPresent()) {
                invalidTags.increment();
                return;
            }
            if (l.relative) {
                if (!resolveRelative(l)) {
                    gaugeStateFull.increment();
                    return;
                }
            } else if (l.type == MetricType.GAUGE) {
                rememberGauge(l, l.values[l.valueCount - 1]);
            }
            if (l.type == MetricType.GAUGE && !l.timestamped) {
                if (datagramGauges.containsKey(SeriesKey.of(l.name, l.tags))) {
                    gaugesCoalesced.increment();
                }
                datagramGauges.put(SeriesKey.of(l.name, l.tags), new double[] {l.values[l.valueCount - 1], lineNumber});
                return;
            }
            for (int i = 0; i < l.valueCount; i++) {
                for (int r = 0; r < l.repeat; r++) {
                    add(l.name, l.tags, l.type, l.values[i], l.timestamped, l.epochMillis, lineNumber);
                }
            }
        }

        private void add(String name, Tags tags, MetricType type, double value, boolean timestamped, long epochMillis,
                         int lineNumber) {
            if (batch.size() == lineOf.length) {
                lineOf = Arrays.copyOf(lineOf, lineOf.length * 2);
            }
            lineOf[batch.size()] = lineNumber;
            if (timestamped) {
                batch.add(name, tags, type, value, epochMillis);
            } else {
                batch.add(name, tags, type, value);
            }
        }

        private boolean resolveRelative(StatsdParser.Line l) {
            SeriesKey key = SeriesKey.of(l.name, l.tags);
            double delta = l.values[0];
            if (!gauges.containsKey(key) && gauges.size() >= maxGauges) {
                return false;
            }
            l.values[0] = gauges.merge(key, delta, Double::sum);
            return true;
        }

        private void rememberGauge(StatsdParser.Line l, double value) {
            SeriesKey key = SeriesKey.of(l.name, l.tags);
            if (gauges.containsKey(key) || gauges.size() < maxGauges) {
                gauges.put(key, value);
            }
        }
    }

    /**
     * Records a batch all at once; a sample the aggregator refuses (type conflict, a limit) takes
     * its line out, counted by the reason, and the rest is recorded.
     */
    private void recordNow(SampleBatch batch, int[] lineOf) {
        SampleBatch current = batch;
        int[] lines = lineOf;
        while (current.size() > 0) {
            BatchResult r = aggregator.recordAll(current);
            if (r.isAccepted()) {
                accepted(current, lines);
                return;
            }
            Remainder rest = dropLine(current, lines, r);
            current = rest.batch;
            lines = rest.lines;
        }
    }

    private CompletableFuture<Void> recordDurably(SampleBatch batch, int[] lines) {
        return durable.submitOwned(batch, null).handle((r, error) -> {
            if (error != null) {
                notDurable.add(batch.size());
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (r.isAccepted()) {
                accepted(batch, lines);
                return CompletableFuture.<Void>completedFuture(null);
            }
            Remainder rest = dropLine(batch, lines, r);
            return rest.batch.size() == 0 ? CompletableFuture.<Void>completedFuture(null) : recordDurably(rest.batch, rest.lines);
        }).thenCompose(f -> f);
    }

    private void accepted(SampleBatch batch, int[] lines) {
        samplesAccepted.add(batch.size());
        int distinct = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (i == 0 || lines[i] != lines[i - 1]) {
                distinct++;
            }
        }
        linesAccepted.add(distinct);
    }

    private record Remainder(SampleBatch batch, int[] lines) {
    }

    /**
     * The batch without the line of the refused sample (and without what a partial recording
     * already took), its samples counted under the refusal's reason.
     */
    private Remainder dropLine(SampleBatch batch, int[] lines, BatchResult r) {
        int recorded = r.recorded();
        if (recorded > 0) {
            samplesAccepted.add(recorded);
        }
        int badLine = lines[r.index()];
        SampleBatch rest = new SampleBatch();
        int[] restLines = new int[batch.size()];
        int n = 0;
        int removed = 0;
        for (int i = recorded; i < batch.size(); i++) {
            if (lines[i] == badLine) {
                removed++;
                continue;
            }
            rest.addFrom(batch, i);
            restLines[n++] = lines[i];
        }
        refused[r.refusal().ordinal()].add(removed);
        return new Remainder(rest, restLines);
    }
}
