package dev.metricsservice.core;

/**
 * A pre-resolved handle to one series: records without looking the name up.
 *
 * <pre>{@code
 * SeriesRecorder cpu = aggregator.series("cpu");   // once
 * cpu.record(42.5);                                  // many times, from any thread
 * }</pre>
 *
 * <p>Thread-safe, lock-free and allocation-free; the same guarantees as
 * {@link Aggregator#record(String, double)}.
 */
public interface SeriesRecorder {

    /** The metric name of this series. */
    String name();

    /** Records a sample stamped with the aggregator's clock. */
    RecordResult record(double value);

    /** Records a sample with a client timestamp in epoch milliseconds. */
    RecordResult record(double value, long epochMillis);
}
