package dev.metricsservice.benchmarks.core;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.AggregatorCounters;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.SeriesRecorder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Our aggregator or one of its peers, configured to do the work closest to ours: keep count, sum,
 * min and max (or as much of that as the library offers) of one series, from any thread.
 *
 * <p>Each peer is given its cheapest configuration that still produces those statistics (no
 * exemplars, no quantiles, no buckets), so the comparison flatters the peers rather than us.
 *
 * <p>Not thread-safe to create instruments from several threads at once except where noted; JMH
 * creates them in {@code @Setup}, which it runs on one thread at a time per state object.
 */
abstract class Library {

    /** The values of the {@code impl} parameter, in table order. */
    static final String AGGREGATOR_HANDLE = "aggregator-handle";
    static final String AGGREGATOR_NAME = "aggregator-name";
    static final String FLOOR = "floor";
    static final String MICROMETER_HANDLE = "micrometer-handle";
    static final String MICROMETER_NAME = "micrometer-name";
    static final String OPENTELEMETRY = "opentelemetry";
    static final String PROMETHEUS = "prometheus";
    static final String DROPWIZARD_HANDLE = "dropwizard-handle";
    static final String DROPWIZARD_NAME = "dropwizard-name";
    static final String HDRHISTOGRAM = "hdrhistogram";

    static Library create(String impl) {
        switch (impl) {
            case AGGREGATOR_HANDLE:
                return new OurAggregator(false);
            case AGGREGATOR_NAME:
                return new OurAggregator(true);
            case FLOOR:
                return new Floor();
            case MICROMETER_HANDLE:
                return new Micrometer(false);
            case MICROMETER_NAME:
                return new Micrometer(true);
            case OPENTELEMETRY:
                return new OpenTelemetry();
            case PROMETHEUS:
                return new Prometheus();
            case DROPWIZARD_HANDLE:
                return new Dropwizard(false);
            case DROPWIZARD_NAME:
                return new Dropwizard(true);
            case HDRHISTOGRAM:
                return new HdrRecorder();
            default:
                throw new IllegalArgumentException("unknown impl '" + impl + "'");
        }
    }

    /** An instrument for the series {@code name}; a second call with the same name shares it. */
    abstract Instrument instrument(String name);

    /** Runs between measurement iterations, single-threaded: what the library's reader would do. */
    void betweenIterations() {
    }

    /**
     * Samples recorded so far over all instruments. The benchmarks check it is positive at the
     * end of a trial, which proves the samples really went somewhere (for example that the
     * OpenTelemetry SDK did not hand out no-op instruments).
     */
    abstract long recorded();

    /** Throws if the library refused samples; only our aggregator can say so. */
    void checkNothingRefused() {
    }

    // ------------------------------------------------------------------ ours

    /** Our aggregator with the production clock (the coarse ticker). */
    static final class OurAggregator extends Library {
        private final boolean byName;
        private final Aggregator aggregator = Aggregator.builder().clock(MetricClock.system()).build();

        OurAggregator(boolean byName) {
            this.byName = byName;
        }

        @Override
        Instrument instrument(String name) {
            if (byName) {
                aggregator.series(name); // creates it, as the first record would
                return new Instrument() {
                    @Override
                    void record(double value) {
                        aggregator.record(name, value);
                    }
                };
            }
            SeriesRecorder handle = aggregator.series(name);
            return new Instrument() {
                @Override
                void record(double value) {
                    handle.record(value);
                }
            };
        }

        @Override
        void betweenIterations() {
            collectAndCommit(aggregator);
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

    /** Keeps pending windows bounded over a long trial, as the flush worker does. */
    static void collectAndCommit(Aggregator aggregator) {
        CollectedBatch batch = aggregator.collect();
        batch.commit();
    }

    /** Fails the trial when the aggregator refused samples: refusals must not pass for fast records. */
    static void checkNothingRefused(Aggregator aggregator) {
        AggregatorCounters stats = aggregator.counters();
        for (var e : stats.rejected().entrySet()) {
            if (e.getValue() != 0) {
                throw new IllegalStateException("aggregator refused " + e.getValue() + " samples as "
                        + e.getKey().code() + "; the benchmark measured refusals");
            }
        }
    }

    // ------------------------------------------------------------------ the floor

    /**
     * The least any thread-safe count/sum/max can cost with the JDK's own tools: a
     * {@code LongAdder}, a {@code DoubleAdder} and a CAS loop on the bits of the maximum.
     */
    static final class Floor extends Library {
        private final List<FloorInstrument> all = new ArrayList<>();
        private final java.util.Map<String, FloorInstrument> byName = new java.util.HashMap<>();

        @Override
        synchronized Instrument instrument(String name) {
            return byName.computeIfAbsent(name, n -> {
                FloorInstrument i = new FloorInstrument();
                all.add(i);
                return i;
            });
        }

        @Override
        synchronized long recorded() {
            long n = 0;
            for (FloorInstrument i : all) {
                n += i.count.sum();
            }
            return n;
        }
    }

    static final class FloorInstrument extends Instrument {
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();
        final AtomicLong maxBits = new AtomicLong(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY));

        @Override
        void record(double value) {
            count.increment();
            sum.add(value);
            long bits = maxBits.get();
            while (value > Double.longBitsToDouble(bits)) {
                long witness = maxBits.compareAndExchange(bits, Double.doubleToRawLongBits(value));
                if (witness == bits) {
                    break;
                }
                bits = witness;
            }
        }
    }

    // ------------------------------------------------------------------ peers

    /** Micrometer {@code DistributionSummary} in a {@code SimpleMeterRegistry}: count, total, max. */
    static final class Micrometer extends Library {
        private final boolean byName;
        private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

        Micrometer(boolean byName) {
            this.byName = byName;
        }

        @Override
        Instrument instrument(String name) {
            DistributionSummary summary = DistributionSummary.builder(name).register(registry);
            if (byName) {
                return new Instrument() {
                    @Override
                    void record(double value) {
                        registry.summary(name).record(value);
                    }
                };
            }
            return new Instrument() {
                @Override
                void record(double value) {
                    summary.record(value);
                }
            };
        }

        @Override
        long recorded() {
            return registry.getMeters().stream()
                    .filter(m -> m instanceof DistributionSummary)
                    .mapToLong(m -> ((DistributionSummary) m).count()).sum();
        }
    }

    /**
     * OpenTelemetry SDK {@code DoubleHistogram} with explicitly no bucket boundaries (count, sum,
     * min, max), exemplars off, read by a minimal pull reader (without any reader the SDK would
     * hand out no-op instruments).
     */
    static final class OpenTelemetry extends Library {
        private final PullReader reader = new PullReader();
        private final Meter meter = SdkMeterProvider.builder()
                .registerMetricReader(reader)
                .setExemplarFilter(ExemplarFilter.alwaysOff())
                .build()
                .get("benchmarks");
        private final java.util.Map<String, DoubleHistogram> byName = new java.util.HashMap<>();

        @Override
        synchronized Instrument instrument(String name) {
            DoubleHistogram histogram = byName.computeIfAbsent(name, n -> meter.histogramBuilder(n)
                    .setExplicitBucketBoundariesAdvice(List.of())
                    .build());
            return new Instrument() {
                @Override
                void record(double value) {
                    histogram.record(value);
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

    /** The smallest {@link MetricReader}: cumulative, collected only when we ask. */
    static final class PullReader implements MetricReader {
        volatile CollectionRegistration registration = CollectionRegistration.noop();

        @Override
        public void register(CollectionRegistration registration) {
            this.registration = registration;
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /**
     * Prometheus client_java 1.x {@code Summary} without quantiles and without exemplars: count
     * and sum (Prometheus has no min or max). Closer to our work than counter + classic histogram,
     * which would add a bucket search we do not do and still lack min and max.
     */
    static final class Prometheus extends Library {
        private final PrometheusRegistry registry = new PrometheusRegistry();
        private final java.util.Map<String, Summary> byName = new java.util.HashMap<>();

        @Override
        synchronized Instrument instrument(String name) {
            Summary summary = byName.computeIfAbsent(name, n -> Summary.builder()
                    .name(n.replace('.', '_'))
                    .withoutExemplars()
                    .register(registry));
            return new Instrument() {
                @Override
                void record(double value) {
                    summary.observe(value);
                }
            };
        }

        @Override
        synchronized long recorded() {
            long n = 0;
            for (Summary s : byName.values()) {
                n += s.getCount();
            }
            return n;
        }
    }

    /** Dropwizard Metrics {@code Histogram} with its default (exponentially decaying) reservoir. */
    static final class Dropwizard extends Library {
        private final boolean byName;
        private final MetricRegistry registry = new MetricRegistry();

        Dropwizard(boolean byName) {
            this.byName = byName;
        }

        @Override
        Instrument instrument(String name) {
            Histogram histogram = registry.histogram(name);
            if (byName) {
                return new Instrument() {
                    @Override
                    void record(double value) {
                        registry.histogram(name).update((long) value);
                    }
                };
            }
            return new Instrument() {
                @Override
                void record(double value) {
                    histogram.update((long) value);
                }
            };
        }

        @Override
        long recorded() {
            return registry.getHistograms().values().stream().mapToLong(Histogram::getCount).sum();
        }
    }

    /**
     * HdrHistogram {@code Recorder} (wait-free writers, interval reads by swapping histograms):
     * values up to one hour in microseconds at 3 significant digits. Our samples are whole numbers,
     * so recording them as longs loses nothing.
     */
    static final class HdrRecorder extends Library {
        private final java.util.Map<String, Recorder> byName = new java.util.HashMap<>();
        private long drained;

        @Override
        synchronized Instrument instrument(String name) {
            Recorder recorder = byName.computeIfAbsent(name, n -> new Recorder(3_600_000_000L, 3));
            return new Instrument() {
                @Override
                void record(double value) {
                    recorder.recordValue((long) value);
                }
            };
        }

        /** Reads (and so recycles) each interval histogram, as its reader thread would. */
        @Override
        synchronized void betweenIterations() {
            for (Recorder r : byName.values()) {
                drained += r.getIntervalHistogram().getTotalCount();
            }
        }

        @Override
        synchronized long recorded() {
            betweenIterations();
            return drained;
        }
    }
}
