package dev.metricsservice.core;

import java.util.Optional;

/**
 * What the samples of a metric mean, and so how its windows merge. A metric name has one type in
 * an aggregator; a sample of another type is refused with {@link RecordResult#TYPE_CONFLICT}.
 *
 * <pre>{@code
 * aggregator.counter("requests", Tags.of("route", "/")).record(1);
 * aggregator.gauge("queue_depth", Tags.empty()).record(17);
 * MetricType t = MetricType.parse("gauge").orElseThrow();
 * }</pre>
 *
 * <p>Every type keeps count, sum, min and max per window ({@link Stats}); they differ in what a
 * reader takes from them and in what else is kept.
 */
public enum MetricType {
    /** Count, sum, min and max of the values (the default, and the seed's only type). */
    SUMMARY("summary"),
    /** Each sample is an increment; the window's value is the sum, and rows add. */
    COUNTER("counter"),
    /**
     * A level: the window's value is the last sample by sample timestamp ({@link Stats#last()}),
     * beside count, sum, min and max. Equal timestamps are broken by the larger value, so every
     * merge order gives the same answer; across writers the latest timestamp wins.
     */
    GAUGE("gauge"),
    /**
     * Values whose distribution matters (latencies, sizes). Kept as a summary today; a quantile
     * sketch is added per window by a later release, and only this type will carry one.
     */
    DISTRIBUTION("distribution"),
    /**
     * Members of a set: each sample's value is a member, and the window keeps an estimate of how
     * many distinct members it saw ({@link Stats#distinctEstimate()}, a {@link DistinctSketch})
     * beside the count of samples. Writers' and amendments' sketches merge as a union, so the same
     * member seen by two instances counts once. Sum, min and max are of the members as numbers.
     */
    SET("set");

    private final String wireName;

    MetricType(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used in requests, responses and stores. */
    public String wireName() {
        return wireName;
    }

    /** The type whose {@link #wireName()} is {@code text}, if any. */
    public static Optional<MetricType> parse(String text) {
        for (MetricType t : values()) {
            if (t.wireName.equals(text)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The wire names, for error messages: {@code summary, counter, gauge, distribution, set}. */
    public static String wireNames() {
        StringBuilder sb = new StringBuilder();
        for (MetricType t : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(t.wireName);
        }
        return sb.toString();
    }

    /** True when samples of this type carry their last value ({@link #GAUGE}). */
    boolean tracksLast() {
        return this == GAUGE;
    }
}
