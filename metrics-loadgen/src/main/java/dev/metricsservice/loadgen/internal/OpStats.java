package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;
import dev.metricsservice.loadgen.LoadReport.LatencySummary;
import dev.metricsservice.loadgen.LoadReport.OpReport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import dev.metricsservice.loadgen.LoadReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency histograms of one operation (POST or GET) in one phase. Recording is thread-safe and
 * lock-free (HdrHistogram's {@link ConcurrentHistogram}, {@link LongAdder}s); {@link #toReport} is meant for
 * after the run, when recording has stopped.
 */
public final class OpStats {

    /** Latencies are recorded in microseconds, up to one hour, with 3 significant digits. */
    static final long MAX_TRACKABLE_MICROS = TimeUnit.HOURS.toMicros(1);

    private final ConcurrentHistogram latency = new ConcurrentHistogram(MAX_TRACKABLE_MICROS, 3);
    private final ConcurrentHistogram serviceTime = new ConcurrentHistogram(MAX_TRACKABLE_MICROS, 3);
    private final LongAdder successes = new LongAdder();
    private final LongAdder samples = new LongAdder();
    private final AtomicLongArray byStatus = new AtomicLongArray(600);
    private final AtomicLongArray byCause = new AtomicLongArray(FailureCause.values().length);

    /**
     * Records a response.
     *
     * @param latencyMicros          latency as the model defines it
     * @param serviceMicros          time from writing to response
     * @param expectedIntervalMicros closed model's correction interval, 0 for none
     */
    public void recordResponse(int status, long latencyMicros, long serviceMicros, long expectedIntervalMicros,
                               int sampleCount) {
        long clamped = clamp(latencyMicros);
        if (expectedIntervalMicros > 0) {
            latency.recordValueWithExpectedInterval(clamped, expectedIntervalMicros);
        } else {
            latency.recordValue(clamped);
        }
        serviceTime.recordValue(clamp(serviceMicros));
        samples.add(sampleCount);
        if (status >= 200 && status < 300) {
            successes.increment();
        } else {
            byStatus.incrementAndGet(Math.min(Math.max(status, 0), 599));
        }
    }

    public void recordFailure(FailureCause cause, int sampleCount) {
        byCause.incrementAndGet(cause.ordinal());
        samples.add(sampleCount);
    }

    private static long clamp(long micros) {
        return Math.max(0, Math.min(micros, MAX_TRACKABLE_MICROS));
    }

    /** Adds this op's histograms and counters into {@code into} (for the whole-run total). */
    public void addTo(OpStats into) {
        into.latency.add(latency);
        into.serviceTime.add(serviceTime);
        into.successes.add(successes.sum());
        into.samples.add(samples.sum());
        for (int i = 0; i < byStatus.length(); i++) {
            into.byStatus.addAndGet(i, byStatus.get(i));
        }
        for (int i = 0; i < byCause.length(); i++) {
            into.byCause.addAndGet(i, byCause.get(i));
        }
    }

    public OpReport toReport(double seconds) {
        Map<Integer, Long> statuses = new TreeMap<>();
        long failures = 0;
        for (int i = 0; i < byStatus.length(); i++) {
            long n = byStatus.get(i);
            if (n > 0) {
                statuses.put(i, n);
                failures += n;
            }
        }
        Map<FailureCause, Long> causes = new EnumMap<>(FailureCause.class);
        for (FailureCause cause : FailureCause.values()) {
            long n = byCause.get(cause.ordinal());
            if (n > 0) {
                causes.put(cause, n);
                failures += n;
            }
        }
        long ok = successes.sum();
        long requests = ok + failures;
        double throughput = seconds > 0 ? requests / seconds : 0;
        return new OpReport(requests, ok, failures, statuses, causes, samples.sum(), throughput,
                summarize(latency), summarize(serviceTime));
    }

    /** Percentile summary of a microsecond histogram, in milliseconds. */
    public static LatencySummary summarize(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        List<LoadReport.SpectrumPoint> spectrum = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(SPECTRUM_TICKS_PER_HALF_DISTANCE)) {
            spectrum.add(new LoadReport.SpectrumPoint(v.getPercentileLevelIteratedTo(),
                    millis(h.highestEquivalentValue(v.getValueIteratedTo())), v.getTotalCountToThisValue()));
        }
        ByteArrayOutputStream hgrm = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(hgrm, true, StandardCharsets.US_ASCII)) {
            // Microseconds scaled to milliseconds, as the rest of the report has them.
            h.outputPercentileDistribution(out, SPECTRUM_TICKS_PER_HALF_DISTANCE, 1000.0);
        }
        return new LatencySummary(h.getTotalCount(),
                millis(h.getValueAtPercentile(50)), millis(h.getValueAtPercentile(90)),
                millis(h.getValueAtPercentile(99)), millis(h.getValueAtPercentile(99.9)),
                millis(h.getMaxValue()), h.getMean() / 1000.0, spectrum, hgrm.toString(StandardCharsets.US_ASCII));
    }

    /** HdrHistogram's own default: five percentile steps each time the distance to 100 % halves. */
    static final int SPECTRUM_TICKS_PER_HALF_DISTANCE = 5;

    private static double millis(long micros) {
        return micros / 1000.0;
    }
}
