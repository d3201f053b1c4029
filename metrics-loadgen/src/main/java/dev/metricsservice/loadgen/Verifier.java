package dev.metricsservice.loadgen;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.QuantileSketch;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.loadgen.LoadReport.MetricTally;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks after a run that the service stored exactly what it acknowledged.
 *
 * <pre>{@code
 * Verifier verifier = Verifier.overHttp(target);
 * Verifier.Baseline before = verifier.baseline(Samples.SEED_NAMES, profile.totalDuration()); // optional
 * LoadReport report = generator.run();
 * Verification result = verifier.verify(report, before);
 * System.out.println(result.summaryLine());          // "VERIFIED: ..." or "MISMATCH: ..."
 * if (!result.verified()) System.out.print(result.table());
 * }</pre>
 *
 * <p>For every metric it sums count and sum over all stored windows whose start lies in a range covering the
 * run (from {@code lookback} before the start, default 5 min, to 1 min after the end), queried with
 * {@code limit=1000} and split into smaller ranges when a reply is full, so any number of windows is counted.
 * When a {@link Baseline} was taken before the run over the same range, its totals are subtracted, so data
 * already there does not count. Then, per metric:
 * <ul>
 *   <li>count: {@code acknowledged <= stored <= acknowledged + unknown} (exact equality when no outcome is
 *       unknown);</li>
 *   <li>sum: equal to the acknowledged sum within relative 1e-9 (rounding differs with the order of additions),
 *       or, with unknown outcomes, within {@code [acknowledged, acknowledged + unknown sum]} (the seed's values
 *       are non-negative).</li>
 * </ul>
 * and for a gauge, the last value of its newest stored window: the last acknowledged sample (by its timestamp,
 * ties to the larger value) or one of unknown outcome that is later still.
 * Every series is checked on its own (its tags as query filters). Nothing else may write the same metric names
 * during the run. Thread-safety: one verification at a time.
 */
public final class Verifier {

    /** Relative tolerance for sums. */
    public static final double RELATIVE_SUM_TOLERANCE = 1e-9;
    static final int QUERY_LIMIT = 1000;
    private static final long CHUNK_SECONDS = 900;
    private static final long GRACE_AFTER_END_SECONDS = 60;

    private final StoredWindows source;
    private final Duration lookback;
    /** Whether rows carry their sketches (so sketch counts can be summed), see {@link StoredWindows#carriesSketches}. */
    private final boolean sketchesTravel;

    private Verifier(StoredWindows source, Duration lookback) {
        this.source = Objects.requireNonNull(source, "source");
        this.sketchesTravel = source.carriesSketches();
        this.lookback = Objects.requireNonNull(lookback, "lookback");
    }

    /** Queries the service's HTTP API. */
    public static Verifier overHttp(URI target) {
        return new Verifier(StoredWindows.http(target, Duration.ofSeconds(10)), Duration.ofMinutes(5));
    }

    /** Reads from any source, e.g. {@link StoredWindows#store} in-process. */
    public static Verifier of(StoredWindows source) {
        return new Verifier(source, Duration.ofMinutes(5));
    }

    /** Totals stored before a run, over the range the later {@link #verify(LoadReport, Baseline)} will use. */
    public record Baseline(long fromEpochSecond, long toEpochSecond, Map<SeriesKey, Totals> totals) {
        public Baseline {
            totals = Map.copyOf(totals);
        }
    }

    /**
     * Summed count and sum of a series' windows in a range, and the last value of its newest window
     * that has one (NaN for a series without last values); for a distribution also its windows
     * merged into one aggregate ({@code merged}, sketch included; empty for other types).
     */
    public record Totals(long count, double sum, long windows, double last, long lastWindow, Stats merged) {
        static final Totals ZERO = new Totals(0, 0.0, 0, Double.NaN, Long.MIN_VALUE, Stats.EMPTY);

        Totals plus(Totals o) {
            boolean theirs = o.lastWindow > lastWindow;
            return new Totals(count + o.count, sum + o.sum, windows + o.windows, theirs ? o.last : last,
                    theirs ? o.lastWindow : lastWindow, merged.merge(o.merged));
        }

        /** Samples the merged sketches hold (0 without sketches). */
        public long sketchCount() {
            return merged.sketchCount();
        }

        /** The stored samples' sketch less the baseline's (what this run added), or null without one. */
        QuantileSketch sketchSince(Totals base) {
            QuantileSketch now = merged.sketch();
            QuantileSketch before = base.merged.sketch();
            if (now == null || before == null) {
                return now;
            }
            try {
                return now.minus(before);
            } catch (IllegalArgumentException e) {
                return now; // retention removed baseline windows meanwhile: report the whole range
            }
        }
    }

    /**
     * Snapshots the stored totals of {@code names} now, over a range that covers a run starting now and lasting
     * {@code expectedRunDuration} (plus drain time and a minute).
     *
     * @throws Exception when the source cannot be read
     */
    public Baseline baseline(List<SeriesKey> series, Duration expectedRunDuration) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        long from = now - lookback.toSeconds();
        long to = now + expectedRunDuration.toSeconds() + GRACE_AFTER_END_SECONDS + 60;
        Map<SeriesKey, Totals> totals = new HashMap<>();
        for (SeriesKey s : series) {
            totals.put(s, totals(s, from, to));
        }
        return new Baseline(from, to, totals);
    }

    /** {@link #baseline(List, Duration)} of untagged metric names. */
    public Baseline baselineOfNames(List<String> names, Duration expectedRunDuration) throws Exception {
        return baseline(names.stream().map(SeriesKey::of).toList(), expectedRunDuration);
    }

    /** Verifies assuming nothing of these metrics was stored before the run. */
    public Verification verify(LoadReport report) {
        long from = report.startEpochMillis() / 1000 - lookback.toSeconds();
        long to = report.endEpochMillis() / 1000 + GRACE_AFTER_END_SECONDS;
        return check(report, from, to, Map.of());
    }

    /** Verifies against a {@link Baseline} taken before the run. */
    public Verification verify(LoadReport report, Baseline baseline) {
        if (report.endEpochMillis() / 1000 >= baseline.toEpochSecond()
                || report.startEpochMillis() / 1000 < baseline.fromEpochSecond()) {
            throw new IllegalArgumentException("the baseline's range [" + baseline.fromEpochSecond() + ", "
                    + baseline.toEpochSecond() + ") does not cover the run; take it just before the run with the "
                    + "run's expected duration");
        }
        return check(report, baseline.fromEpochSecond(), baseline.toEpochSecond(), baseline.totals());
    }

    private Verification check(LoadReport report, long from, long to, Map<SeriesKey, Totals> before) {
        List<Verification.MetricCheck> checks = new ArrayList<>();
        for (MetricTally tally : report.tallies()) {
            Totals after;
            try {
                after = totals(tally.series(), tally.type(), from, to);
            } catch (Exception e) {
                checks.add(Verification.MetricCheck.queryFailed(tally, describe(e)));
                continue;
            }
            Totals base = before.getOrDefault(tally.series(), Totals.ZERO);
            Verification.Sketched sketched = tally.type() != MetricType.DISTRIBUTION ? null
                    : new Verification.Sketched(after.sketchCount() - base.sketchCount(), after.sketchSince(base),
                            sketchesTravel, after.merged().min(), after.merged().max());
            checks.add(Verification.MetricCheck.compare(tally, after.count() - base.count(),
                    after.sum() - base.sum(), Math.max(Math.abs(after.sum()), Math.abs(base.sum())),
                    after.windows(), after.last(), sketched));
        }
        return new Verification(checks, from, to);
    }

    private static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return "query failed: " + message;
    }

    /** Sums the windows of {@code [from, to)}, splitting the range while a reply comes back full. */
    Totals totals(SeriesKey series, long from, long to) throws Exception {
        return totals(series, null, from, to);
    }

    /** {@link #totals(SeriesKey, long, long)} of a series of a known type (null: not known). */
    Totals totals(SeriesKey series, MetricType type, long from, long to) throws Exception {
        Totals total = Totals.ZERO;
        for (long chunkFrom = from; chunkFrom < to; chunkFrom += CHUNK_SECONDS) {
            total = total.plus(chunk(series, type, chunkFrom, Math.min(to, chunkFrom + CHUNK_SECONDS)));
        }
        return total;
    }

    private Totals chunk(SeriesKey series, MetricType type, long from, long to) throws Exception {
        String name = series.toString();
        List<WindowStats> rows = source.query(series, type, from, to, QUERY_LIMIT);
        if (rows.size() >= QUERY_LIMIT) {
            if (to - from <= 1) {
                throw new IllegalStateException("more than " + QUERY_LIMIT + " windows start in one second for '"
                        + name + "'");
            }
            long mid = from + (to - from) / 2;
            return chunk(series, type, from, mid).plus(chunk(series, type, mid, to));
        }
        long count = 0;
        Stats merged = Stats.EMPTY;
        double sum = 0;
        double last = Double.NaN;
        long lastWindow = Long.MIN_VALUE;
        for (WindowStats row : rows) {
            if (row.stats().hasLast() && row.windowStartEpochSecond() > lastWindow) {
                last = row.stats().last();
                lastWindow = row.windowStartEpochSecond();
            }
            if (row.windowStartEpochSecond() < from || row.windowStartEpochSecond() >= to) {
                throw new IllegalStateException("the service returned window " + row.windowStartEpochSecond()
                        + " for '" + name + "' outside the requested range [" + from + ", " + to + ")");
            }
            count += row.stats().count();
            sum += row.stats().sum();
            if (type == MetricType.DISTRIBUTION) {
                merged = merged.merge(row.stats());
            }
        }
        return new Totals(count, sum, rows.size(), last, lastWindow, merged);
    }
}
