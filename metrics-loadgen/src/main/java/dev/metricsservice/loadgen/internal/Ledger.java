package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;
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

    private final List<String> names;
    private final LongAdder[] ackCount;
    private final DoubleAdder[] ackSum;
    private final LongAdder[] unknownCount;
    private final DoubleAdder[] unknownSum;
    private final LongAdder[] rejected;
    private final LongAdder[] notSent;

    public Ledger(List<String> names) {
        this.names = List.copyOf(names);
        int n = names.size();
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

    /** Books the samples of one POST: {@code nameIndexes[i]} and {@code values[i]} per sample. */
    public void book(int status, FailureCause cause, int[] nameIndexes, double[] values) {
        for (int i = 0; i < nameIndexes.length; i++) {
            int m = nameIndexes[i];
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
        List<MetricTally> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            out.add(new MetricTally(names.get(i), ackCount[i].sum(), ackSum[i].sum(), unknownCount[i].sum(),
                    unknownSum[i].sum(), rejected[i].sum(), notSent[i].sum()));
        }
        return out;
    }
}
