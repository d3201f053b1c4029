package dev.metricsservice.benchmarks.core;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesRecorder;
import dev.metricsservice.core.Tags;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/**
 * Our aggregator or a peer recording into a series with three tags (labels, attributes), each in
 * the way an application that has the tag values at hand would call it. Each implementation gets
 * the tag values as the objects its API takes, built once in set-up (our {@code Tags},
 * Micrometer's {@code Tags}, OpenTelemetry's {@code Attributes}, Prometheus' label value strings),
 * so the benchmark measures the lookup of the series from them, not the building of the objects.
 *
 * <p>The {@code impl} values: {@code aggregator-untagged-handle} (the baseline: the untagged
 * handle of issue 10), {@code aggregator-tagged-handle} ({@code aggregator.series(key)} once, then
 * {@code handle.record(v)}), {@code aggregator-name-tags} ({@code aggregator.record(name, tags, v)}
 * each time), {@code micrometer-summary-tags} ({@code registry.summary(name, tags).record(v)}),
 * {@code micrometer-counter-tags} ({@code registry.counter(name, tags).increment(v)}),
 * {@code prometheus-label-values} ({@code summary.labelValues(a, b, c).observe(v)}, a Summary
 * without quantiles and exemplars), {@code opentelemetry-attributes}
 * ({@code histogram.record(v, attributes)}, no buckets, exemplars off).
 */
abstract class TaggedLibrary {

    static final String UNTAGGED_HANDLE = "aggregator-untagged-handle";
    static final String TAGGED_HANDLE = "aggregator-tagged-handle";
    static final String NAME_TAGS = "aggregator-name-tags";
    static final String MICROMETER_SUMMARY = "micrometer-summary-tags";
    static final String MICROMETER_COUNTER = "micrometer-counter-tags";
    static final String PROMETHEUS = "prometheus-label-values";
    static final String OPENTELEMETRY = "opentelemetry-attributes";

    static TaggedLibrary create(String impl) {
        return switch (impl) {
            case UNTAGGED_HANDLE -> new Ours(Mode.UNTAGGED_HANDLE);
            case TAGGED_HANDLE -> new Ours(Mode.TAGGED_HANDLE);
            case NAME_TAGS -> new Ours(Mode.NAME_TAGS);
            case MICROMETER_SUMMARY -> new Micrometer(false);
            case MICROMETER_COUNTER -> new Micrometer(true);
            case PROMETHEUS -> new Prometheus();
            case OPENTELEMETRY -> new OpenTelemetry();
            default -> throw new IllegalArgumentException("unknown impl '" + impl + "'");
        };
    }

    /** An instrument for metric "http.requests" with tags host, region, route set to these values. */
    abstract Instrument instrument(String host, String region, String route);

    void betweenIterations() {
    }

    abstract long recorded();

    void checkNothingRefused() {
    }

    enum Mode { UNTAGGED_HANDLE, TAGGED_HANDLE, NAME_TAGS }

    static final class Ours extends TaggedLibrary {
        private final Mode mode;
        private final Aggregator aggregator = Aggregator.builder().clock(MetricClock.system()).build();

        Ours(Mode mode) {
            this.mode = mode;
        }

        @Override
        Instrument instrument(String host, String region, String route) {
            Tags tags = Tags.of("host", host, "region", region, "route", route);
            switch (mode) {
                case UNTAGGED_HANDLE: {
                    SeriesRecorder h = aggregator.series("http.requests." + host);
                    return new Instrument() {
                        @Override
                        void record(double value) {
                            h.record(value);
                        }
                    };
                }
                case TAGGED_HANDLE: {
                    SeriesRecorder h = aggregator.series(SeriesKey.of("http.requests", tags));
                    return new Instrument() {
                        @Override
                        void record(double value) {
                            h.record(value);
                        }
                    };
                }
                default: {
                    aggregator.series(SeriesKey.of("http.requests", tags)); // as the first record would
                    return new Instrument() {
                        @Override
                        void record(double value) {
                            aggregator.record("http.requests", tags, value);
                        }
                    };
                }
            }
        }

        @Override
        void betweenIterations() {
            Library.collectAndCommit(aggregator);
        }

        @Override
        long recorded() {
            return aggregator.counters().accepted();
        }

        @Override
        void checkNothingRefused() {
            Library.checkNothingRefused(aggregator);
        }
    }

    static final class Micrometer extends TaggedLibrary {
        private final boolean counter;
        private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

        Micrometer(boolean counter) {
            this.counter = counter;
        }

        @Override
        Instrument instrument(String host, String region, String route) {
            io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of(
                    "host", host, "region", region, "route", route);
            if (counter) {
                registry.counter("http.requests", tags);
                return new Instrument() {
                    @Override
                    void record(double value) {
                        registry.counter("http.requests", tags).increment(value);
                    }
                };
            }
            registry.summary("http.requests", tags);
            return new Instrument() {
                @Override
                void record(double value) {
                    registry.summary("http.requests", tags).record(value);
                }
            };
        }

        @Override
        long recorded() {
            long n = 0;
            for (var m : registry.getMeters()) {
                if (m instanceof DistributionSummary s) {
                    n += s.count();
                } else if (m instanceof Counter c) {
                    n += (long) (c.count() > 0 ? 1 : 0);
                }
            }
            return n;
        }
    }

    static final class Prometheus extends TaggedLibrary {
        private final Summary summary = Summary.builder()
                .name("http_requests")
                .labelNames("host", "region", "route")
                .withoutExemplars()
                .register(new PrometheusRegistry());

        @Override
        Instrument instrument(String host, String region, String route) {
            return new Instrument() {
                @Override
                void record(double value) {
                    summary.labelValues(host, region, route).observe(value);
                }
            };
        }

        @Override
        long recorded() {
            return summary.collect().getDataPoints().stream().mapToLong(p -> p.getCount()).sum();
        }
    }

    static final class OpenTelemetry extends TaggedLibrary {
        private final Library.PullReader reader = new Library.PullReader();
        private final DoubleHistogram histogram = SdkMeterProvider.builder()
                .registerMetricReader(reader)
                .setExemplarFilter(ExemplarFilter.alwaysOff())
                .build()
                .get("benchmarks")
                .histogramBuilder("http.requests")
                .setExplicitBucketBoundariesAdvice(List.of())
                .build();

        @Override
        Instrument instrument(String host, String region, String route) {
            Attributes attributes = Attributes.of(AttributeKey.stringKey("host"), host,
                    AttributeKey.stringKey("region"), region, AttributeKey.stringKey("route"), route);
            return new Instrument() {
                @Override
                void record(double value) {
                    histogram.record(value, attributes);
                }
            };
        }

        @Override
        long recorded() {
            long n = 0;
            for (MetricData m : reader.registration.collectAllMetrics()) {
                for (HistogramPointData p : m.getHistogramData().getPoints()) {
                    n += p.getCount();
                }
            }
            return n;
        }
    }
}
