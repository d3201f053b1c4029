package dev.metricsservice.loadgen.internal;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.loadgen.FailureCause;
import dev.metricsservice.loadgen.SeriesPlan;
import dev.metricsservice.loadgen.LoadReport.MetricTally;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Exact per-metric tally of what was sent and what the server said about it. Thread-safe.
 *
 * <p>Sums use {@link DoubleAdder}, so their rounding depends on the order of additions; the verifier compares
 * sums with a relative tolerance for that reason, while counts are exact.
 */
public final class Ledger {

    private final SeriesPlan plan;
    private final List<SeriesKey> series;
    /** Per gauge series the last acknowledged sample and the later ones of unknown outcome; null for others. */
    private final GaugeTracker[] gauges;
    private final LongAdder[] ackCount;
    private final DoubleAdder[] ackSum;
    private final LongAdder[] unknownCount;
    private final DoubleAdder[] unknownSum;
    private final LongAdder[] rejected;
    private final LongAdder[] notSent;

    public Ledger(SeriesPlan plan) {
        this.plan = plan;
        this.series = plan.series();
        int n = series.size();
        this.gauges = new GaugeTracker[n];
        for (int i = 0; i < n; i++) {
            if (plan.typeOf(i) == MetricType.GAUGE) {
                gauges[i] = new GaugeTracker();
            }
        }
        ackCount = adders(n);
        unknownCount = adders(n);
        rejected = adders(n);
        notSent = adders(n);
        ackSum = doubleAdders(n);
        unknownSum = doubleAdders(n);
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private static DoubleAdder[] doubleAdders(int n) {
        DoubleAdder[] a = new DoubleAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new DoubleAdder();
        }
        return a;
    }

    /** Books the samples of one POST: {@code seriesIndexes[i]} and {@code values[i]} per sample. */
    public void book(int status, FailureCause cause, int[] seriesIndexes, double[] values, long stampMillis) {
        for (int i = 0; i < seriesIndexes.length; i++) {
            int m = seriesIndexes[i];
            boolean unknown = cause == null ? status != 202 && status >= 200 && status < 300 : cause.outcomeUnknown();
            if (gauges[m] != null && (unknown || (cause == null && status == 202))) {
                gauges[m].add(values[i], stampMillis, unknown);
            }
            if (cause == null) {
                if (status == 202) {
                    ackCount[m].increment();
                    ackSum[m].add(values[i]);
                } else if (status >= 200 && status < 300) {
                    // A 2xx other than 202 is not what the API promises for an accepted sample; count it as
                    // unknown rather than pretend it was acknowledged.
                    unknownCount[m].increment();
                    unknownSum[m].add(values[i]);
                } else {
                    rejected[m].increment();
                }
            } else if (cause.outcomeUnknown()) {
                unknownCount[m].increment();
                unknownSum[m].add(values[i]);
            } else {
                notSent[m].increment();
            }
        }
    }

    public List<MetricTally> snapshot() {
        List<MetricTally> out = new ArrayList<>(series.size());
        for (int i = 0; i < series.size(); i++) {
            out.add(new MetricTally(series.get(i), plan.typeOf(i), ackCount[i].sum(), ackSum[i].sum(),
                    unknownCount[i].sum(), unknownSum[i].sum(), rejected[i].sum(), notSent[i].sum(),
                    gauges[i] == null ? null : gauges[i].snapshot()));
        }
        return out;
    }

    /** A gauge's candidates for its stored last value; synchronized (gauges are a small share of samples). */
    private static final class GaugeTracker {
        static final int MAX_UNKNOWN = 4096;
        private double last = Double.NaN;
        private long lastMillis = Long.MIN_VALUE;
        private final List<double[]> unknown = new ArrayList<>();
        private boolean overflow;

        synchronized void add(double value, long millis, boolean outcomeUnknown) {
            if (outcomeUnknown) {
                if (unknown.size() < MAX_UNKNOWN) {
                    unknown.add(new double[] {value, millis});
                } else {
                    overflow = true;
                }
            } else if (millis > lastMillis || (millis == lastMillis && Double.compare(value, last) > 0)) {
                last = value;
                lastMillis = millis;
            }
        }

        synchronized dev.metricsservice.loadgen.LoadReport.GaugeLast snapshot() {
            List<Double> later = new ArrayList<>();
            for (double[] u : unknown) {
                long m = (long) u[1];
                if (m > lastMillis || (m == lastMillis && Double.compare(u[0], last) > 0)) {
                    later.add(u[0]);
                }
            }
            return new dev.metricsservice.loadgen.LoadReport.GaugeLast(last, lastMillis, later, overflow);
        }
    }
}
