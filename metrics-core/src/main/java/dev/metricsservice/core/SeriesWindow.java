package dev.metricsservice.core;

import java.util.Objects;

/**
 * The aggregate of one series over one window, merged across writers and amendments: what a store
 * answers a query with, before the query service groups and steps the rows.
 *
 * @param series                 the series
 * @param type                   the series' type as stored
 * @param windowStartEpochSecond start of the window, seconds since the epoch
 * @param stats                  the merged aggregate
 */
public record SeriesWindow(SeriesKey series, MetricType type, long windowStartEpochSecond, Stats stats) {

    public SeriesWindow {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stats, "stats");
    }
}
