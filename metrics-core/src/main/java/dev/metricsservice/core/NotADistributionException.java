package dev.metricsservice.core;

/**
 * Quantiles were asked of a metric that keeps no sketch because it is not a
 * {@link MetricType#DISTRIBUTION}. The message says the metric and its type.
 */
public final class NotADistributionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String metric;
    private final transient MetricType type;

    NotADistributionException(String metric, MetricType type) {
        super("metric '" + metric + "' is a " + type.wireName() + "; quantiles are kept for distributions only"
                + " (send its samples with \"type\": \"distribution\")", null, false, false);
        this.metric = metric;
        this.type = type;
    }

    /** The metric's name. */
    public String metric() {
        return metric;
    }

    /** The metric's type. */
    public MetricType type() {
        return type;
    }
}
