package dev.metricsservice.loadgen;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured: per phase and for the whole run, POST and GET separately, plus the per-second
 * timeline and the exact per-metric tallies the {@link Verifier} checks. Immutable; render it with
 * {@link Reports}.
 *
 * @param profileName      the profile's name
 * @param model            the load model's description
 * @param target           base URI of the service
 * @param transport        client transport (epoll or nio)
 * @param batchSize        samples per POST
 * @param startEpochMillis wall-clock start of the run
 * @param endEpochMillis   wall-clock end, after in-flight requests were drained
 * @param durationSeconds  measured duration of the load (start to end of the profile, or to a stop)
 * @param stoppedEarly     true if {@link LoadGenerator#stop()} ended the run before the profile did
 * @param phases           one entry per profile phase, in order
 * @param total            the whole run
 * @param timeline         one point per progress interval
 * @param tallies          per metric: what the server acknowledged, and what may or may not have been stored
 * @param server           the server's side of the run, sampled from its Prometheus exposition while the
 *                         load ran
 */
public record LoadReport(String profileName, String model, String target, String transport, int batchSize,
                         long startEpochMillis, long endEpochMillis, double durationSeconds, boolean stoppedEarly,
                         List<PhaseReport> phases, PhaseReport total, List<TimelinePoint> timeline,
                         List<MetricTally> tallies, ServerSide server) {

    public LoadReport {
        phases = List.copyOf(phases);
        timeline = List.copyOf(timeline);
        tallies = List.copyOf(tallies);
        java.util.Objects.requireNonNull(server, "server");
    }

    /** A report without the server's side. */
    public LoadReport(String profileName, String model, String target, String transport, int batchSize,
                      long startEpochMillis, long endEpochMillis, double durationSeconds, boolean stoppedEarly,
                      List<PhaseReport> phases, PhaseReport total, List<TimelinePoint> timeline,
                      List<MetricTally> tallies) {
        this(profileName, model, target, transport, batchSize, startEpochMillis, endEpochMillis, durationSeconds,
                stoppedEarly, phases, total, timeline, tallies, ServerSide.none("not sampled"));
    }

    /** This report with {@code s} as the server's side. */
    public LoadReport withServer(ServerSide s) {
        return new LoadReport(profileName, model, target, transport, batchSize, startEpochMillis, endEpochMillis,
                durationSeconds, stoppedEarly, phases, total, timeline, tallies, s);
    }

    /**
     * What the service said about itself during the run ({@code GET /metrics}, Prometheus text).
     *
     * @param available true when at least one sample was read
     * @param note      why there is nothing (the target has no exposition, say), or empty
     * @param points    one per progress interval, cumulative counters as the service reported them
     */
    public record ServerSide(boolean available, String note, List<ServerPoint> points) {
        public ServerSide {
            points = List.copyOf(points);
        }

        /** No samples, and why. */
        public static ServerSide none(String note) {
            return new ServerSide(false, note, List.of());
        }
    }

    /**
     * One sample of the service's own metrics; counters are totals since the service started.
     *
     * @param elapsedSeconds     since the start of the load
     * @param flushesOk          flushes that succeeded
     * @param flushesFailed      flushes that failed
     * @param flushSecondsSum    time spent in flushes
     * @param flushCount         flushes timed (the histogram's count)
     * @param rejectedByReason   samples refused, by reason
     * @param pendingWindows     window aggregates waiting for the store
     * @param liveSeries         series held in memory
     * @param gcSeconds          time in garbage collection, all collectors
     * @param gcCount            collections, all collectors
     * @param heapUsedBytes      heap in use
     */
    public record ServerPoint(double elapsedSeconds, long flushesOk, long flushesFailed, double flushSecondsSum,
                              long flushCount, Map<String, Long> rejectedByReason, long pendingWindows,
                              long liveSeries, double gcSeconds, long gcCount, long heapUsedBytes) {
        public ServerPoint {
            rejectedByReason = Map.copyOf(rejectedByReason);
        }
    }

    /** Results of one phase (or of the whole run, named {@code "total"}). */
    public record PhaseReport(String name, String shape, double startSeconds, double endSeconds, int fromLevel,
                              int toLevel, OpReport post, OpReport get) {
    }

    /**
     * Results of one operation within a phase.
     *
     * @param requests            requests started in the phase that finished (response or failure)
     * @param successes           2xx responses
     * @param failures            everything else
     * @param failuresByStatus    non-2xx responses by HTTP status
     * @param failuresByCause     requests without a response, by cause
     * @param samples             samples carried by the POSTs (batch mode: several per request); 0 for GET
     * @param throughputPerSecond finished requests per second of phase time
     * @param latency             latency with the model's coordinated-omission handling (see {@link LoadModel})
     * @param serviceTime         raw time from writing the request to reading the response
     */
    public record OpReport(long requests, long successes, long failures, Map<Integer, Long> failuresByStatus,
                           Map<FailureCause, Long> failuresByCause, long samples, double throughputPerSecond,
                           LatencySummary latency, LatencySummary serviceTime) {
        public OpReport {
            failuresByStatus = Map.copyOf(failuresByStatus);
            failuresByCause = Map.copyOf(failuresByCause);
        }
    }

    /**
     * Percentiles in milliseconds (microsecond resolution); all zero when {@code count} is 0.
     *
     * @param spectrum the percentile distribution as HdrHistogram iterates it (5 steps per halving
     *                 of the distance to 100 %), for a latency-by-percentile chart on a
     *                 {@code 1/(1-p)} axis; empty when there were no samples
     * @param hgrm     the same distribution in HdrHistogram's {@code .hgrm} text (values in
     *                 milliseconds), which HdrHistogram's plotter and other tools read; not in the JSON
     *                 (written beside it as files)
     */
    public record LatencySummary(long count, double p50Millis, double p90Millis, double p99Millis,
                                 double p999Millis, double maxMillis, double meanMillis, List<SpectrumPoint> spectrum,
                                 @com.fasterxml.jackson.annotation.JsonIgnore String hgrm) {
        public LatencySummary {
            spectrum = List.copyOf(spectrum);
        }

        /** A summary without a spectrum. */
        public LatencySummary(long count, double p50Millis, double p90Millis, double p99Millis, double p999Millis,
                              double maxMillis, double meanMillis) {
            this(count, p50Millis, p90Millis, p99Millis, p999Millis, maxMillis, meanMillis, List.of(), "");
        }
    }

    /**
     * One step of a percentile spectrum.
     *
     * @param percentile  0 to 100
     * @param valueMillis the latency at that percentile
     * @param totalCount  samples at or below it
     */
    public record SpectrumPoint(double percentile, double valueMillis, long totalCount) {
    }

    /**
     * One progress interval.
     *
     * @param elapsedSeconds end of the interval, since the start
     * @param phase          phase name at that instant
     * @param level          the profile's level (workers, or rate units in the open model)
     * @param inFlight       requests in flight at that instant
     * @param postsPerSecond finished POSTs per second in the interval
     * @param getsPerSecond  finished GETs per second in the interval
     * @param p50Millis      median latency of the interval (POST and GET)
     * @param p99Millis      99th percentile of the interval
     * @param errors         failed requests in the interval
     */
    public record TimelinePoint(double elapsedSeconds, String phase, int level, long inFlight,
                                double postsPerSecond, double getsPerSecond, double p50Millis, double p99Millis,
                                long errors) {
    }

    /**
     * Exact per-metric tally of the samples the generator sent.
     *
     * @param acknowledgedCount samples in POSTs answered 202
     * @param acknowledgedSum   their values' sum
     * @param unknownCount      samples in POSTs without an answer after sending (timeout, reset)
     * @param unknownSum        their values' sum
     * @param rejectedCount     samples in POSTs answered with anything but 2xx
     * @param notSentCount      samples never sent (connect failure, backlog)
     */
    public record MetricTally(SeriesKey series, MetricType type, long acknowledgedCount, double acknowledgedSum,
                              long unknownCount, double unknownSum, long rejectedCount, long notSentCount,
                              GaugeLast last) {

        /** A tally of an untagged summary without a gauge's last value (the seed's kind). */
        public MetricTally(String name, long acknowledgedCount, double acknowledgedSum, long unknownCount,
                           double unknownSum, long rejectedCount, long notSentCount) {
            this(SeriesKey.of(name), MetricType.SUMMARY, acknowledgedCount, acknowledgedSum, unknownCount, unknownSum,
                    rejectedCount, notSentCount, null);
        }

        /** The series as the reports name it: {@code cpu} or {@code cpu{host="host-0"}}. */
        public String name() {
            return series.toString();
        }
    }

    /**
     * What a gauge's last value must be: the acknowledged sample with the latest timestamp (ties to
     * the larger value, as the service breaks them), or one of the samples of unknown outcome that
     * are later still.
     *
     * @param value          the last acknowledged value; NaN when none was acknowledged
     * @param epochMillis    its timestamp
     * @param laterUnknown   values of unknown outcome later than it (at most a few thousand kept)
     * @param unknownOverflow true when more were of unknown outcome than kept: any later value is then possible
     */
    public record GaugeLast(double value, long epochMillis, List<Double> laterUnknown, boolean unknownOverflow) {
        public GaugeLast {
            laterUnknown = List.copyOf(laterUnknown);
        }
    }

    /** Total failed requests of the run (POST and GET). */
    public long totalFailures() {
        return total.post().failures() + total.get().failures();
    }
}
