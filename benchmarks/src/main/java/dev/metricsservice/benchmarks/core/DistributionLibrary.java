package dev.metricsservice.benchmarks.core;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.SeriesRecorder;
import dev.metricsservice.core.Tags;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.DoubleRecorder;
import org.HdrHistogram.Recorder;

/**
 * Our distribution (and, as the baseline, our summary) against the peers that keep a quantile
 * structure, each set up the way its users would for latencies with about 1 % relative error:
 *
 * <ul>
 *   <li>{@code ours-summary}: {@code aggregator.summary(name, tags)} handle, count/sum/min/max only (the baseline)</li>
 *   <li>{@code ours-distribution}: {@code aggregator.distribution(name, tags)} handle: the same plus a 1 % sketch</li>
 *   <li>{@code ddsketch-synchronized}: DDSketch (sketches-java), 1 %, collapsing lowest dense store of 2,048
 *       bins, the way our default bounds it; DDSketch is not thread-safe, so callers hold a lock</li>
 *   <li>{@code hdr-double-recorder}: HdrHistogram {@code DoubleRecorder}, 2 significant digits (1 %)</li>
 *   <li>{@code hdr-recorder}: HdrHistogram {@code Recorder} (longs: the value in thousandths), 2 digits</li>
 *   <li>{@code micrometer-percentile-histogram}: {@code DistributionSummary} with {@code publishPercentileHistogram()}</li>
 *   <li>{@code prometheus-native-histogram}: client_java {@code Histogram} with native buckets only, no exemplars</li>
 *   <li>{@code otel-exponential-histogram}: OpenTelemetry SDK histogram with the base-2 exponential
 *       aggregation (its default 160 buckets, scale 20), exemplars off</li>
 * </ul>
 */
abstract class DistributionLibrary {

    static final String OURS_SUMMARY = "ours-summary";
    static final String OURS_DISTRIBUTION = "ours-distribution";
    static final String DDSKETCH = "ddsketch-synchronized";
    static final String HDR_DOUBLE = "hdr-double-recorder";
    static final String HDR_LONG = "hdr-recorder";
    static final String MICROMETER = "micrometer-percentile-histogram";
    static final String PROMETHEUS = "prometheus-native-histogram";
    static final String OPENTELEMETRY = "otel-exponential-histogram";

    static DistributionLibrary create(String impl) {
        return switch (impl) {
            case OURS_SUMMARY -> new Ours(false);
            case OURS_DISTRIBUTION -> new Ours(true);
            case DDSKETCH -> new DdSketch();
            case HDR_DOUBLE -> new HdrDouble();
            case HDR_LONG -> new HdrLong();
            case MICROMETER -> new Micrometer();
            case PROMETHEUS -> new Prometheus();
            case OPENTELEMETRY -> new OpenTelemetry();
            default -> throw new IllegalArgumentException("unknown impl '" + impl + "'");
        };
    }

    /**
     * Latencies in milliseconds, lognormal around 20 ms with a tail to seconds, rounded to
     * microseconds (so the long-valued recorder sees the same values); a fixed sequence per seed.
     */
    static double[] latencies(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[Samples.SIZE];
        for (int i = 0; i < v.length; i++) {
            double g = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
            v[i] = Math.max(0.001, Math.rint(Math.exp(Math.log(20) + 1.2 * g) * 1000) / 1000);
        }
        return v;
    }

    /** An instrument for series number {@code n} of the metric. */
    abstract Instrument instrument(int n);

    void betweenIterations() {
    }

    /** Samples recorded so far, to prove the benchmark measured something. */
    abstract long recorded();

    void checkNothingRefused() {
    }

    static final class Ours extends DistributionLibrary {
        private final boolean distribution;
        private final Aggregator aggregator = Aggregator.builder().clock(MetricClock.system()).build();

        Ours(boolean distribution) {
            this.distribution = distribution;
        }

        @Override
        Instrument instrument(int n) {
            Tags tags = Tags.of("host", "host-" + n);
            SeriesRecorder h = distribution ? aggregator.distribution("latency", tags) : aggregator.summary("latency", tags);
            return new Instrument() {
                @Override
                void record(double value) {
                    h.record(value);
                }
            };
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

    static final class DdSketch extends DistributionLibrary {
        private final List<DDSketch> sketches = new ArrayList<>();

        @Override
        synchronized Instrument instrument(int n) {
            DDSketch sketch = DDSketches.logarithmicCollapsingLowestDense(0.01, 2048);
            sketches.add(sketch);
            return new Instrument() {
                @Override
                void record(double value) {
                    synchronized (sketch) {
                        sketch.accept(value);
                    }
                }
            };
        }

        @Override
        synchronized long recorded() {
            double n = 0;
            for (DDSketch s : sketches) {
                synchronized (s) {
                    n += s.getCount();
                }
            }
            return (long) n;
        }
    }

    static final class HdrDouble extends DistributionLibrary {
        private final List<DoubleRecorder> recorders = new ArrayList<>();

        @Override
        synchronized Instrument instrument(int n) {
            DoubleRecorder r = new DoubleRecorder(2);
            recorders.add(r);
            return new Instrument() {
                @Override
                void record(double value) {
                    r.recordValue(value);
                }
            };
        }

        @Override
        synchronized long recorded() {
            long n = 0;
            for (DoubleRecorder r : recorders) {
                n += r.getIntervalHistogram().getTotalCount();
            }
            return n;
        }
    }

    static final class HdrLong extends DistributionLibrary {
        private final List<Recorder> recorders = new ArrayList<>();

        @Override
        synchronized Instrument instrument(int n) {
            Recorder r = new Recorder(2);
            recorders.add(r);
            return new Instrument() {
                @Override
                void record(double value) {
                    r.recordValue((long) (value * 1000));
                }
            };
        }

        @Override
        synchronized long recorded() {
            long n = 0;
            for (Recorder r : recorders) {
                n += r.getIntervalHistogram().getTotalCount();
            }
            return n;
        }
    }

    static final class Micrometer extends DistributionLibrary {
        private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

        @Override
        Instrument instrument(int n) {
            DistributionSummary s = DistributionSummary.builder("latency").tag("host", "host-" + n)
                    .publishPercentileHistogram().register(registry);
            return new Instrument() {
                @Override
                void record(double value) {
                    s.record(value);
                }
            };
        }

        @Override
        long recorded() {
            long c = 0;
            for (var m : registry.getMeters()) {
                if (m instanceof DistributionSummary s) {
                    c += s.count();
                }
            }
            return c;
        }
    }

    static final class Prometheus extends DistributionLibrary {
        private final Histogram histogram = Histogram.builder().name("latency").labelNames("host").nativeOnly()
                .withoutExemplars().register(new PrometheusRegistry());

        @Override
        Instrument instrument(int n) {
            var child = histogram.labelValues("host-" + n);
            return new Instrument() {
                @Override
                void record(double value) {
                    child.observe(value);
                }
            };
        }

        @Override
        long recorded() {
            return histogram.collect().getDataPoints().stream().mapToLong(p -> p.getCount()).sum();
        }
    }

    static final class OpenTelemetry extends DistributionLibrary {
        private final Library.PullReader reader = new Library.PullReader();
        private final DoubleHistogram histogram = SdkMeterProvider.builder()
                .registerMetricReader(reader)
                .setExemplarFilter(ExemplarFilter.alwaysOff())
                .registerView(InstrumentSelector.builder().setName("latency").build(),
                        View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
                .build()
                .get("benchmarks")
                .histogramBuilder("latency")
                .build();

        @Override
        Instrument instrument(int n) {
            io.opentelemetry.api.common.Attributes attributes = io.opentelemetry.api.common.Attributes.of(
                    io.opentelemetry.api.common.AttributeKey.stringKey("host"), "host-" + n);
            return new Instrument() {
                @Override
                void record(double value) {
                    histogram.record(value, attributes);
                }
            };
        }

        @Override
        long recorded() {
            long c = 0;
            for (MetricData m : reader.registration.collectAllMetrics()) {
                for (ExponentialHistogramPointData p : m.getExponentialHistogramData().getPoints()) {
                    c += p.getCount();
                }
            }
            return c;
        }
    }
}
