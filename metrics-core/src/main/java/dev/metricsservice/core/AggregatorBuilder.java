package dev.metricsservice.core;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Configures an {@link Aggregator}. Not thread-safe; build once.
 *
 * <pre>{@code
 * Aggregator a = Aggregator.builder()
 *         .windowWidth(Duration.ofSeconds(10))      // default 10 s; whole seconds
 *         .allowedLateness(Duration.ofSeconds(5))   // default 5 s: when a window is finalized
 *         .maxLateness(Duration.ofHours(1))         // default 1 h: oldest sample taken (as an amendment)
 *         .maxFutureSkew(Duration.ofSeconds(60))    // default 60 s
 *         .seriesTtl(Duration.ofMinutes(15))        // default 15 min; ZERO = never retire
 *         .maxSeries(100_000)                       // default 100,000 live series
 *         .maxSeriesPerName(10_000)                 // default 10,000 per metric name
 *         .maxPendingWindows(1_000_000)             // default 1,000,000
 *         .maxNameBytes(200)                        // default 200
 *         .sketchAccuracy(0.01)                     // default 1 %: quantiles of distributions
 *         .sketchMaxBuckets(2048)                   // default 2,048 buckets per sign
 *         .writerId("instance-a")                   // default: 12 random hex digits
 *         .clock(MetricClock.system())              // default
 *         .build();
 * }</pre>
 */
public final class AggregatorBuilder {
    Duration windowWidth = Duration.ofSeconds(10);
    Duration allowedLateness = Duration.ofSeconds(5);
    Duration maxLateness = Duration.ofHours(1);
    Duration maxFutureSkew = Duration.ofSeconds(60);
    Duration seriesTtl = Duration.ofMinutes(15);
    int maxSeries = 100_000;
    int maxSeriesPerName = 10_000;
    long maxPendingWindows = 1_000_000;
    int maxNameBytes = MetricNames.DEFAULT_MAX_NAME_BYTES;
    double sketchAccuracy = 0.01;
    int sketchMaxBuckets = 2048;
    String writerId;
    MetricClock clock;

    AggregatorBuilder() {
    }

    /** Width of a window: a whole number of seconds, 1 s to 1 day. Default 10 s. */
    public AggregatorBuilder windowWidth(Duration width) {
        Objects.requireNonNull(width, "windowWidth");
        if (width.isNegative() || width.isZero() || width.toMillis() % 1000 != 0 || width.getNano() % 1_000_000 != 0
                || width.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(
                    "windowWidth must be a whole number of seconds between 1 s and 1 day, was " + width);
        }
        this.windowWidth = width;
        return this;
    }

    /** How long after a window ends it is finalized (written in final form). Default 5 s. */
    public AggregatorBuilder allowedLateness(Duration lateness) {
        this.allowedLateness = requireRange("allowedLateness", lateness, Duration.ofDays(1));
        return this;
    }

    /**
     * How old a sample may be and still be recorded; samples for a window already final go to an
     * amendment of it. At least {@code allowedLateness}, at most 7 days. Default 1 h.
     */
    public AggregatorBuilder maxLateness(Duration lateness) {
        this.maxLateness = requireRange("maxLateness", lateness, Duration.ofDays(7));
        return this;
    }

    /** How far ahead of the clock a client timestamp may be. Default 60 s. */
    public AggregatorBuilder maxFutureSkew(Duration skew) {
        this.maxFutureSkew = requireRange("maxFutureSkew", skew, Duration.ofDays(1));
        return this;
    }

    /**
     * How long a series may go without samples, with nothing pending for the store, before it is
     * retired and its memory released; {@link Duration#ZERO} keeps every series forever. Checked
     * at each collect, so a series goes up to one flush interval (plus the allowed lateness)
     * later than this. Default 15 min.
     */
    public AggregatorBuilder seriesTtl(Duration ttl) {
        this.seriesTtl = requireRange("seriesTtl", ttl, Duration.ofDays(365));
        return this;
    }

    /** Maximum number of live series, 1 to 100,000,000. Default 100,000. */
    public AggregatorBuilder maxSeries(int maxSeries) {
        if (maxSeries < 1 || maxSeries > 100_000_000) {
            throw new IllegalArgumentException("maxSeries must be between 1 and 100000000, was " + maxSeries);
        }
        this.maxSeries = maxSeries;
        return this;
    }

    /**
     * Maximum number of live series of one metric name (all its tag combinations), 1 to
     * 100,000,000. Default 10,000. A new series beyond it is refused with
     * {@link RecordResult#SERIES_PER_NAME_LIMIT}; the name's existing series keep working.
     */
    public AggregatorBuilder maxSeriesPerName(int maxSeriesPerName) {
        if (maxSeriesPerName < 1 || maxSeriesPerName > 100_000_000) {
            throw new IllegalArgumentException(
                    "maxSeriesPerName must be between 1 and 100000000, was " + maxSeriesPerName);
        }
        this.maxSeriesPerName = maxSeriesPerName;
        return this;
    }

    /**
     * Maximum number of aggregates (windows and amendments) held for the store, not yet stored in
     * final form, before new samples are refused as {@link RecordResult#OVERLOADED}. Default
     * 1,000,000.
     */
    public AggregatorBuilder maxPendingWindows(long maxPendingWindows) {
        if (maxPendingWindows < 1) {
            throw new IllegalArgumentException("maxPendingWindows must be at least 1, was " + maxPendingWindows);
        }
        this.maxPendingWindows = maxPendingWindows;
        return this;
    }

    /** Longest metric name in UTF-8 bytes, 1 to 65,535. Default 200. */
    public AggregatorBuilder maxNameBytes(int maxNameBytes) {
        if (maxNameBytes < 1 || maxNameBytes > 65_535) {
            throw new IllegalArgumentException("maxNameBytes must be between 1 and 65535, was " + maxNameBytes);
        }
        this.maxNameBytes = maxNameBytes;
        return this;
    }

    /**
     * Relative accuracy of the quantile sketch every {@link MetricType#DISTRIBUTION} window keeps:
     * a reported quantile is within this fraction of the exact value at the same rank. At least
     * 0.0001 (0.01 %) and at most 0.1 (10 %). Default 0.01. Finer accuracy costs buckets: about
     * 125 per decade of values at 1 %, 1,250 at 0.1 %.
     */
    public AggregatorBuilder sketchAccuracy(double relativeAccuracy) {
        if (!(relativeAccuracy >= 0.0001 && relativeAccuracy <= 0.1)) {
            throw new IllegalArgumentException("sketchAccuracy must be between 0.0001 and 0.1, was " + relativeAccuracy);
        }
        this.sketchAccuracy = relativeAccuracy;
        return this;
    }

    /**
     * Most buckets a distribution window's sketch keeps per sign, 16 to
     * {@value QuantileSketch#MAX_BUCKETS_LIMIT}. Past it the smallest magnitudes fold into the
     * lowest bucket kept (see {@link QuantileSketch}). Default 2,048: at 1 % that spans 16
     * decades exactly.
     */
    public AggregatorBuilder sketchMaxBuckets(int maxBuckets) {
        if (maxBuckets < 16 || maxBuckets > QuantileSketch.MAX_BUCKETS_LIMIT) {
            throw new IllegalArgumentException("sketchMaxBuckets must be between 16 and "
                    + QuantileSketch.MAX_BUCKETS_LIMIT + ", was " + maxBuckets);
        }
        this.sketchMaxBuckets = maxBuckets;
        return this;
    }

    /**
     * The id written with every aggregate: stable for this instance and distinct from every other
     * instance writing to the same store. 1 to 64 characters from {@code [A-Za-z0-9._-]}.
     * Default: 12 random hex digits, new for each aggregator.
     */
    public AggregatorBuilder writerId(String writerId) {
        if (writerId == null || !writerId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("writerId must be 1 to 64 characters from [A-Za-z0-9._-], was " + writerId);
        }
        this.writerId = writerId;
        return this;
    }

    /** The clock samples are stamped with. Default {@link MetricClock#system()}. */
    public AggregatorBuilder clock(MetricClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Builds the aggregator. */
    public Aggregator build() {
        if (maxLateness.compareTo(allowedLateness) < 0) {
            throw new IllegalArgumentException("maxLateness (" + maxLateness + ") must not be shorter than allowedLateness ("
                    + allowedLateness + ")");
        }
        if (clock == null) {
            clock = MetricClock.system();
        }
        if (writerId == null) {
            byte[] bytes = new byte[6];
            new SecureRandom().nextBytes(bytes);
            writerId = HexFormat.of().formatHex(bytes);
        }
        return new Aggregator(this);
    }

    private static Duration requireRange(String what, Duration d, Duration max) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(what + " must be between 0 and " + max + ", was " + d);
        }
        return d;
    }
}
