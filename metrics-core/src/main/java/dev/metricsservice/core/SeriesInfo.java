package dev.metricsservice.core;

import java.util.Objects;

/**
 * One entry of a series listing: a series and its type.
 *
 * @param series the series (name and tags)
 * @param type   its type
 */
public record SeriesInfo(SeriesKey series, MetricType type) {

    public SeriesInfo {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(type, "type");
    }
}
