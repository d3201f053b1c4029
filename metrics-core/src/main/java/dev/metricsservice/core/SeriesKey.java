package dev.metricsservice.core;

import java.util.Objects;

/**
 * The identity of one series: what every layer (the aggregator, the stores' keys, queries, the
 * verifier) uses where it means "this series". Today a series is identified by its metric name;
 * dimensions (tags) are added to this type alone.
 *
 * <pre>{@code
 * SeriesKey cpu = SeriesKey.of("cpu");
 * aggregator.series(cpu).record(42.5);
 * store.query(MetricQuery.latest(cpu, 20));
 * }</pre>
 *
 * <p>A key does not validate its name: the aggregator does (see {@link MetricNames}), so that a
 * front end gets a {@link RecordResult} instead of an exception. Immutable and thread-safe;
 * equality is by value.
 *
 * @param name the metric name
 */
public record SeriesKey(String name) {

    public SeriesKey {
        Objects.requireNonNull(name, "name");
    }

    /** The key of the series of metric {@code name}. */
    public static SeriesKey of(String name) {
        return new SeriesKey(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
