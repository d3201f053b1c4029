package dev.metricsservice.loadgen;

import java.time.Duration;
import java.util.Objects;

/**
 * How the profile's level turns into requests.
 *
 * <ul>
 *   <li>{@link Closed}: the level is a number of workers; each sends its next request when the previous one
 *       completed (as the seed did). Latency is corrected for coordinated omission with HdrHistogram's
 *       expected-interval correction: a response slower than {@code expectedInterval} also records the
 *       latencies the requests a worker could not send meanwhile would have seen.</li>
 *   <li>{@link Open}: the level times {@code requestsPerSecondPerLevel} is a target rate; requests are sent on
 *       a fixed timetable whether or not earlier ones completed (as wrk2 does), over at most
 *       {@code maxConnections} keep-alive connections. Latency is measured from the scheduled send time, so
 *       a stalled server shows up as latency rather than as fewer samples.</li>
 * </ul>
 * <pre>{@code
 * LoadModel closed = LoadModel.closed();                          // expected interval 10 ms
 * LoadModel open = LoadModel.open(100, 64);                       // 100 req/s per level, 64 connections
 * }</pre>
 * Immutable.
 */
public sealed interface LoadModel {

    /** Default expected interval of the closed model's correction. */
    Duration DEFAULT_EXPECTED_INTERVAL = Duration.ofMillis(10);

    /** Closed model with the default expected interval (10 ms). */
    static LoadModel closed() {
        return new Closed(DEFAULT_EXPECTED_INTERVAL);
    }

    /** Closed model; {@code Duration.ZERO} disables the correction. */
    static LoadModel closed(Duration expectedInterval) {
        return new Closed(expectedInterval);
    }

    /** Open model. */
    static LoadModel open(double requestsPerSecondPerLevel, int maxConnections) {
        return new Open(requestsPerSecondPerLevel, maxConnections, 100_000);
    }

    /** Short description for reports. */
    String describe();

    /**
     * Closed model.
     *
     * @param expectedInterval expected time between a worker's requests for the latency correction; zero = off
     */
    record Closed(Duration expectedInterval) implements LoadModel {
        public Closed {
            Objects.requireNonNull(expectedInterval, "expectedInterval");
            if (expectedInterval.isNegative()) {
                throw new IllegalArgumentException("expectedInterval must be >= 0, got " + expectedInterval);
            }
        }

        @Override
        public String describe() {
            return "closed (workers = level; latency corrected with expected interval "
                    + expectedInterval.toMillis() + " ms)";
        }
    }

    /**
     * Open model.
     *
     * @param requestsPerSecondPerLevel target rate per unit of profile level, {@code > 0}
     * @param maxConnections            keep-alive connections, {@code >= 1}
     * @param maxBacklog                requests allowed to wait for a free connection; more are counted as
     *                                  {@link FailureCause#BACKLOG_FULL} failures instead of growing memory
     */
    record Open(double requestsPerSecondPerLevel, int maxConnections, int maxBacklog) implements LoadModel {
        public Open {
            if (!(requestsPerSecondPerLevel > 0) || Double.isInfinite(requestsPerSecondPerLevel)) {
                throw new IllegalArgumentException("requestsPerSecondPerLevel must be > 0, got "
                        + requestsPerSecondPerLevel);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
            }
            if (maxBacklog < 0) {
                throw new IllegalArgumentException("maxBacklog must be >= 0, got " + maxBacklog);
            }
        }

        @Override
        public String describe() {
            return "open (rate = level x " + requestsPerSecondPerLevel + " req/s, " + maxConnections
                    + " connections; latency from scheduled send time)";
        }
    }
}
