package dev.metricsservice.core;

/**
 * A pre-resolved handle to one series: records without looking the series up.
 *
 * <pre>{@code
 * SeriesRecorder cpu = aggregator.series("cpu");   // once
 * cpu.record(42.5);                                  // many times, from any thread
 * SeriesRecorder hits = aggregator.counter("hits", Tags.of("route", "/"));
 * hits.record(1);
 * }</pre>
 *
 * <p>Thread-safe, lock-free and allocation-free; the same guarantees as
 * {@link Aggregator#record(String, double)}. A handle stays valid when its series is retired for
 * being idle: the next sample goes to the series that replaces it.
 */
public interface SeriesRecorder {

    /** The series this handle records into. */
    SeriesKey key();

    /** The type of the series (its metric name's type). */
    MetricType type();

    /** Records a sample stamped with the aggregator's clock. */
    RecordResult record(double value);

    /** Records a sample with a client timestamp in epoch milliseconds. */
    RecordResult record(double value, long epochMillis);
}
