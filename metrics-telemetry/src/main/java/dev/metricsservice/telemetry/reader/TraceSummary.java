package dev.metricsservice.telemetry.reader;

import dev.metricsservice.telemetry.internal.Schema;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Accumulates a summary of a trace while {@link TraceReader} streams it, then renders it as text.
 *
 * <pre>{@code
 * TraceSummary s = new TraceSummary(Duration.ofMillis(10).toNanos());
 * TraceReader.read(dir, s);
 * System.out.print(s.render());
 * }</pre>
 *
 * Thread-safety: not thread-safe; one reader at a time.
 */
public final class TraceSummary implements TraceVisitor {
    private static final int TOP = 10;
    private static final int MAX_WARNINGS_SHOWN = 50;
    private static final int MAX_WARNINGS_KEPT = 10_000;

    /** A task or channel read that held its event loop longer than the threshold. */
    public record Blocked(String loop, String what, long durationNanos, long epochNanos) {
    }

    /** Per-loop totals. */
    public static final class LoopStats {
        final String name;
        long ioNanos;
        long ioActiveNanos;
        long ioUnknownNanos;
        long taskNanos;
        long tasks;
        long reads;
        long firstNanos = Long.MAX_VALUE;
        long lastNanos = Long.MIN_VALUE;
        boolean taskOpen;
        long taskStart;
        long taskEpoch;
        String task;
        long depthSamples;
        long depthSum;
        long depthMax;

        LoopStats(String name) {
            this.name = name;
        }

        /** Busy share of the time covered by I/O rounds and tasks (0..1). */
        public double utilization() {
            long waiting = ioNanos - ioActiveNanos - ioUnknownNanos;
            long busy = ioActiveNanos + taskNanos;
            return busy + waiting <= 0 ? 0 : (double) busy / (busy + waiting);
        }
    }

    private final long blockedThresholdNanos;
    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<Integer, LoopStats> loops = new TreeMap<>();
    private final Histogram taskDurations = new Histogram(3);
    private final Histogram scheduleDelays = new Histogram(3);
    private final Histogram requestDurations = new Histogram(3);
    private final PriorityQueue<Blocked> slowest = new PriorityQueue<>(Comparator.comparingLong(Blocked::durationNanos));
    private final List<Blocked> blocked = new ArrayList<>();
    private final PriorityQueue<TraceEvent> gcLongest =
            new PriorityQueue<>(Comparator.comparingLong(e -> e.values()[0]));
    private final Map<String, Long> gcByCause = new TreeMap<>();
    private final Map<Long, Long> requestsByStatus = new TreeMap<>();
    private final Map<String, Long> flushOutcomes = new TreeMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> firstMetadata = new HashMap<>();
    private long gcCount;
    private long gcTotalNanos;
    private long requestBytes;
    private long responseBytes;
    private long dropped;
    private long events;
    private long firstEpoch = Long.MAX_VALUE;
    private long lastEpoch = Long.MIN_VALUE;
    private int files;
    private long requests;
    /**
     * The current file's detail settings: with totals (files written since they exist), I/O rounds,
     * reads and requests are counted from the totals events, and a fast detail event stands for
     * {@code sampleEvery} requests in the duration percentiles. 0 for older files: every event is there.
     */
    private long detailThresholdNanos;
    private long sampleEvery;

    public TraceSummary(long blockedThresholdNanos) {
        this.blockedThresholdNanos = blockedThresholdNanos;
    }

    @Override
    public void onFile(Path file, Map<String, String> metadata) {
        files++;
        if (firstMetadata.isEmpty()) {
            firstMetadata.putAll(metadata);
        }
        detailThresholdNanos = parseLong(metadata.get(Schema.META_DETAIL_THRESHOLD_NANOS));
        sampleEvery = parseLong(metadata.get(Schema.META_DETAIL_SAMPLE_EVERY));
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void onNote(Path file, String note) {
        notes.add(file.getFileName() + ": " + note);
    }

    @Override
    public void onEvent(TraceEvent e) {
        events++;
        counts.merge(e.type(), 1L, Long::sum);
        if (e.epochNanos() != 0) {
            firstEpoch = Math.min(firstEpoch, e.epochNanos());
            lastEpoch = Math.max(lastEpoch, e.epochNanos());
        }
        long[] v = e.values();
        switch (e.typeId()) {
            case Schema.IO -> {
                LoopStats l = loop(e);
                if (sampleEvery > 0) {
                    span(l, e.timestampNanos(), v[0]); // counted in io_totals
                    return;
                }
                l.ioNanos += v[0];
                if (v[1] < 0) {
                    l.ioUnknownNanos += v[0];
                } else {
                    l.ioActiveNanos += Math.min(v[1], v[0]);
                }
                span(l, e.timestampNanos(), v[0]);
            }
            case Schema.TASK_START -> {
                LoopStats l = loop(e);
                l.taskOpen = true;
                l.taskStart = e.timestampNanos();
                l.taskEpoch = e.epochNanos();
                l.task = e.texts()[0];
                scheduleDelays.recordValue(Math.max(0, v[1]));
                span(l, e.timestampNanos(), 0);
            }
            case Schema.TASK_END -> {
                LoopStats l = loop(e);
                if (l.taskOpen) {
                    long d = Math.max(0, e.timestampNanos() - l.taskStart);
                    l.taskOpen = false;
                    l.tasks++;
                    l.taskNanos += d;
                    taskDurations.recordValue(d);
                    noteDuration(new Blocked(l.name, l.task, d, l.taskEpoch));
                }
                span(l, e.timestampNanos(), 0);
            }
            case Schema.CHANNEL_READ -> {
                LoopStats l = loop(e);
                if (sampleEvery == 0) {
                    l.reads++; // else counted in read_totals
                }
                if (v[0] > blockedThresholdNanos && blocked.size() < MAX_WARNINGS_KEPT) {
                    blocked.add(new Blocked(l.name, "channelRead in " + e.texts()[1], v[0], e.epochNanos()));
                }
            }
            case Schema.QUEUE_DEPTH -> {
                if (v[0] >= 0) {
                    LoopStats l = loops.computeIfAbsent((int) v[0], k -> new LoopStats(e.texts()[0]));
                    l.depthSamples++;
                    l.depthSum += v[1];
                    l.depthMax = Math.max(l.depthMax, v[1]);
                }
            }
            case Schema.GC -> {
                gcCount++;
                gcTotalNanos += v[0];
                gcByCause.merge(e.texts()[2] + " (" + e.texts()[1] + ")", 1L, Long::sum);
                gcLongest.add(e);
                if (gcLongest.size() > TOP) {
                    gcLongest.poll();
                }
            }
            case Schema.HTTP_REQUEST -> {
                if (sampleEvery == 0) {
                    requestDurations.recordValue(Math.max(0, v[0]));
                    requestsByStatus.merge(v[3], 1L, Long::sum);
                    requestBytes += v[4];
                    responseBytes += v[5];
                    requests++;
                } else {
                    // A slow request is always written; a fast one only one in sampleEvery times.
                    requestDurations.recordValueWithCount(Math.max(0, v[0]),
                            v[0] >= detailThresholdNanos ? 1 : sampleEvery);
                }
            }
            case Schema.IO_TOTALS -> {
                LoopStats l = loops.computeIfAbsent((int) v[0], k -> new LoopStats(e.texts()[0]));
                l.ioNanos += v[2];
                l.ioActiveNanos += v[3];
                l.ioUnknownNanos += v[4];
            }
            case Schema.READ_TOTALS -> {
                LoopStats l = loops.computeIfAbsent((int) v[0], k -> new LoopStats(e.texts()[0]));
                l.reads += v[1];
            }
            case Schema.REQUEST_TOTALS -> {
                requests += v[3];
                requestsByStatus.merge(v[2], v[3], Long::sum);
                requestBytes += v[5];
                responseBytes += v[6];
            }
            case Schema.FLUSH -> flushOutcomes.merge(e.texts()[4], 1L, Long::sum);
            case Schema.DROPPED -> dropped += v[0];
            default -> {
                // spans, custom events and unknown types are only counted
            }
        }
    }

    private void noteDuration(Blocked b) {
        slowest.add(b);
        if (slowest.size() > TOP) {
            slowest.poll();
        }
        if (b.durationNanos() > blockedThresholdNanos && blocked.size() < MAX_WARNINGS_KEPT) {
            blocked.add(b);
        }
    }

    private static void span(LoopStats l, long start, long duration) {
        l.firstNanos = Math.min(l.firstNanos, start);
        l.lastNanos = Math.max(l.lastNanos, start + duration);
    }

    private LoopStats loop(TraceEvent e) {
        return loops.computeIfAbsent(e.threadId(), k -> new LoopStats(e.threadName()));
    }

    /** Tasks and reads over the threshold, plus tasks still open at the end of the trace (possibly stuck). */
    public List<Blocked> blocked() {
        List<Blocked> all = new ArrayList<>(blocked);
        for (LoopStats l : loops.values()) {
            if (l.taskOpen && l.lastNanos - l.taskStart > blockedThresholdNanos) {
                all.add(new Blocked(l.name, l.task + " (still running at the end of the trace)",
                        l.lastNanos - l.taskStart, l.taskEpoch));
            }
        }
        return all;
    }

    /** HTTP requests, exact (from the totals, or counted one by one in older files). */
    public long requests() {
        return requests;
    }

    public long events() {
        return events;
    }

    public long gcCount() {
        return gcCount;
    }

    public long dropped() {
        return dropped;
    }

    public Map<String, Long> counts() {
        return counts;
    }

    public List<String> notes() {
        return notes;
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        if (!firstMetadata.isEmpty()) {
            line(out, "Service %s on %s (pid %s)", firstMetadata.get("service"), firstMetadata.get("host"),
                    firstMetadata.get("pid"));
        }
        if (events == 0) {
            line(out, "No events.");
        } else {
            line(out, "Span: %s .. %s (%.3f s), %d events in %d files", Instant.ofEpochSecond(0, firstEpoch),
                    Instant.ofEpochSecond(0, lastEpoch), (lastEpoch - firstEpoch) / 1e9, events, files);
        }
        line(out, "");
        line(out, "Events by type:");
        counts.forEach((k, v) -> line(out, "  %-14s %,12d", k, v));
        line(out, "Dropped events: %,d", dropped);
        line(out, "");
        line(out, "Event loops (busy = I/O processing + tasks; waiting = blocked in select/epoll):");
        for (LoopStats l : loops.values()) {
            if (l.ioNanos == 0 && l.tasks == 0 && l.depthSamples == 0) {
                continue;
            }
            line(out, "  %-28s busy %5.1f%%  io-active %,10.3f ms  tasks %,10.3f ms (%,d)  reads %,d"
                    + "  pending avg %.1f max %d", l.name, 100 * l.utilization(), l.ioActiveNanos / 1e6,
                    l.taskNanos / 1e6, l.tasks, l.reads,
                    l.depthSamples == 0 ? 0.0 : (double) l.depthSum / l.depthSamples, l.depthMax);
        }
        line(out, "");
        percentiles(out, "Task duration", taskDurations);
        percentiles(out, "Scheduling delay (submit to start)", scheduleDelays);
        percentiles(out, "HTTP request duration", requestDurations);
        if (!requestsByStatus.isEmpty()) {
            line(out, "  %,d requests; by status: %s; request bytes %,d, response bytes %,d", requests,
                    requestsByStatus, requestBytes, responseBytes);
        }
        if (sampleEvery > 0) {
            line(out, "  (counts exact; reads and requests under %.1f ms are written one in %d, so the"
                    + " percentiles are estimates)", detailThresholdNanos / 1e6, sampleEvery);
        }
        if (!flushOutcomes.isEmpty()) {
            line(out, "Flushes by outcome: %s", flushOutcomes);
        }
        line(out, "");
        line(out, "Slowest tasks:");
        List<Blocked> top = new ArrayList<>(slowest);
        top.sort(Comparator.comparingLong(Blocked::durationNanos).reversed());
        for (Blocked b : top) {
            line(out, "  %10.3f ms  %-40s on %s at %s", b.durationNanos() / 1e6, b.what(), b.loop(),
                    Instant.ofEpochSecond(0, b.epochNanos()));
        }
        line(out, "");
        line(out, "GC: %d collections, %.3f ms in total", gcCount, gcTotalNanos / 1e6);
        gcByCause.forEach((k, v) -> line(out, "  %-50s %,d", k, v));
        List<TraceEvent> gcs = new ArrayList<>(gcLongest);
        gcs.sort(Comparator.comparingLong((TraceEvent e) -> e.values()[0]).reversed());
        for (TraceEvent g : gcs) {
            line(out, "  %10.3f ms  %s, %s (%s) at %s", g.values()[0] / 1e6, g.texts()[1], g.texts()[2],
                    g.texts()[3], Instant.ofEpochSecond(0, g.epochNanos()));
        }
        line(out, "");
        List<Blocked> warnings = blocked();
        warnings.sort(Comparator.comparingLong(Blocked::epochNanos));
        line(out, "Warnings (threshold %.1f ms): %d", blockedThresholdNanos / 1e6, warnings.size() + notes.size());
        if (detailThresholdNanos > blockedThresholdNanos) {
            line(out, "  (the trace holds every read and request from %.1f ms on; shorter ones below it were"
                    + " sampled, so warnings under it are incomplete)", detailThresholdNanos / 1e6);
        }
        int shown = 0;
        for (Blocked b : warnings) {
            if (shown++ == MAX_WARNINGS_SHOWN) {
                line(out, "  ... %d more", warnings.size() - MAX_WARNINGS_SHOWN);
                break;
            }
            line(out, "  event loop %s blocked for %.0f ms by %s at %s", b.loop(), b.durationNanos() / 1e6, b.what(),
                    Instant.ofEpochSecond(0, b.epochNanos()));
        }
        if (dropped > 0) {
            line(out, "  %,d events were dropped because the writer fell behind", dropped);
        }
        for (String n : notes) {
            line(out, "  note: %s", n);
        }
        return out.toString();
    }

    private static void percentiles(StringBuilder out, String title, Histogram h) {
        if (h.getTotalCount() == 0) {
            line(out, "%s: none", title);
            return;
        }
        line(out, "%s (%,d): p50 %s  p90 %s  p99 %s  p99.9 %s  max %s", title, h.getTotalCount(),
                us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
                us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()));
    }

    private static String us(long nanos) {
        return nanos >= 1_000_000 ? String.format(Locale.ROOT, "%.2f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
