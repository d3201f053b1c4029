package dev.metricsservice.loadgen;

import dev.metricsservice.core.QuantileSketch;
import dev.metricsservice.loadgen.LoadReport.MetricTally;

import java.util.List;
import java.util.Locale;

/**
 * Outcome of a {@link Verifier} run: one check per metric. Immutable.
 *
 * @param checks          per metric, in the report's order
 * @param fromEpochSecond start of the queried range (inclusive)
 * @param toEpochSecond   end of the queried range (exclusive)
 */
public record Verification(List<MetricCheck> checks, long fromEpochSecond, long toEpochSecond) {

    public Verification {
        checks = List.copyOf(checks);
    }

    /**
     * One metric's comparison.
     *
     * @param storedCount stored count minus the baseline's
     * @param windows     windows counted for this metric
     * @param problem     null when ok, else what differs
     * @param tagged      true when the series has tags (the summary then counts series, not metrics)
     */
    public record MetricCheck(String name, long acknowledgedCount, long unknownCount, long storedCount,
                              double acknowledgedSum, double unknownSum, double storedSum, long windows,
                              String problem, boolean tagged, long sketchCount, double p50, double p99) {

        public boolean ok() {
            return problem == null;
        }

        static MetricCheck queryFailed(MetricTally t, String problem) {
            return new MetricCheck(t.name(), t.acknowledgedCount(), t.unknownCount(), -1, t.acknowledgedSum(),
                    t.unknownSum(), Double.NaN, 0, problem, !t.series().tags().isEmpty(), -1, Double.NaN, Double.NaN);
        }

        static MetricCheck compare(MetricTally t, long storedCount, double storedSum, double magnitude,
                                   long windows, double storedLast, Sketched sketched) {
            long ack = t.acknowledgedCount();
            long unknown = t.unknownCount();
            double tolerance = Verifier.RELATIVE_SUM_TOLERANCE
                    * Math.max(magnitude, Math.abs(t.acknowledgedSum()) + Math.abs(t.unknownSum()));
            String problem = null;
            if (storedCount < ack) {
                problem = (ack - storedCount) + " acknowledged samples missing";
            } else if (storedCount > ack + unknown) {
                problem = (storedCount - ack - unknown) + " more samples stored than sent"
                        + (unknown > 0 ? " (beyond " + unknown + " of unknown outcome)" : "");
            } else if (storedSum < t.acknowledgedSum() - tolerance
                    || storedSum > t.acknowledgedSum() + Math.max(0, t.unknownSum()) + tolerance) {
                problem = String.format(Locale.ROOT, "sum differs by %.6g (tolerance %.3g)",
                        storedSum - t.acknowledgedSum(), tolerance);
            } else if (t.last() != null && ack + unknown > 0) {
                problem = lastProblem(t.last(), storedLast);
            } else if (sketched != null && sketched.travelled() && sketched.sketchCount() != storedCount) {
                problem = "the stored quantile sketches hold " + sketched.sketchCount() + " samples, the windows count "
                        + storedCount;
            }
            long sketchCount = sketched == null ? -1 : sketched.travelled() ? sketched.sketchCount() : storedCount;
            QuantileSketch q = sketched == null ? null : sketched.sketch();
            return new MetricCheck(t.name(), ack, unknown, storedCount, t.acknowledgedSum(), t.unknownSum(),
                    storedSum, windows, problem, !t.series().tags().isEmpty(), sketchCount,
                    q == null || q.count() == 0 ? Double.NaN : sketched.clamp(q.quantile(0.5)),
                    q == null || q.count() == 0 ? Double.NaN : sketched.clamp(q.quantile(0.99)));
        }
    }

    /**
     * What the verifier read of a distribution's sketches.
     *
     * @param sketchCount samples in the stored sketches of the run (when they travelled)
     * @param sketch      the run's merged sketch, for p50 and p99; null when the source sends none
     * @param travelled   whether the sketches came with the rows (a store read directly); over HTTP
     *                    the source checked each row's sketch count itself
     * @param min         the smallest stored sample, to which a reported quantile is clamped (as the
     *                    query path does: it keeps the accuracy bound)
     * @param max         the largest stored sample
     */
    record Sketched(long sketchCount, QuantileSketch sketch, boolean travelled, double min, double max) {
        double clamp(double v) {
            return Math.max(min, Math.min(max, v));
        }
    }

    /** Why a gauge's stored last value is not one it could be, or null when it is. */
    static String lastProblem(LoadReport.GaugeLast expected, double storedLast) {
        if (Double.compare(storedLast, expected.value()) == 0) {
            return null;
        }
        if (expected.unknownOverflow() && !Double.isNaN(storedLast)) {
            return null; // too many of unknown outcome to tell: any value sent later is possible
        }
        for (double u : expected.laterUnknown()) {
            if (Double.compare(u, storedLast) == 0) {
                return null;
            }
        }
        return "last value " + storedLast + " stored, " + expected.value() + " expected (the latest acknowledged)";
    }

    /** True when every metric matched. */
    public boolean verified() {
        return !checks.isEmpty() && checks.stream().allMatch(MetricCheck::ok);
    }

    /** Windows counted over all metrics. */
    public long windowsCounted() {
        return checks.stream().mapToLong(MetricCheck::windows).sum();
    }

    /** One line: {@code VERIFIED: ...} or {@code MISMATCH: ...}. */
    public String summaryLine() {
        long ack = checks.stream().mapToLong(MetricCheck::acknowledgedCount).sum();
        long unknown = checks.stream().mapToLong(MetricCheck::unknownCount).sum();
        long stored = checks.stream().mapToLong(c -> Math.max(0, c.storedCount())).sum();
        String counts = String.format(Locale.ROOT,
                "%d " + (checks.stream().anyMatch(MetricCheck::tagged) ? "series" : "metrics")
                        + ", %d samples acknowledged, %d stored, %d of unknown outcome, %d windows counted",
                checks.size(), ack, stored, unknown, windowsCounted());
        if (verified()) {
            return "VERIFIED: " + counts;
        }
        long bad = checks.stream().filter(c -> !c.ok()).count();
        return "MISMATCH: " + bad + " of " + counts;
    }

    /** A fixed-width table of every metric's numbers and problem. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int width = 16;
        for (MetricCheck c : checks) {
            width = Math.max(width, c.name().length());
        }
        String nameColumn = "%-" + Math.min(width, 60) + "s";
        sb.append(String.format(Locale.ROOT, nameColumn + " %12s %10s %12s %20s %20s %8s  %s%n", "metric", "acked", "unknown",
                "stored", "acked sum", "stored sum", "windows", "result"));
        for (MetricCheck c : checks) {
            sb.append(String.format(Locale.ROOT, nameColumn + " %12d %10d %12d %20.6f %20.6f %8d  %s%n", c.name(),
                    c.acknowledgedCount(), c.unknownCount(), c.storedCount(), c.acknowledgedSum(), c.storedSum(),
                    c.windows(), c.ok() ? "ok" : c.problem()));
        }
        for (MetricCheck c : checks) {
            if (c.sketchCount() >= 0) {
                sb.append(String.format(Locale.ROOT, "%s: distribution, sketches hold %d samples%s%n", c.name(),
                        c.sketchCount(), Double.isNaN(c.p50()) ? ""
                                : String.format(Locale.ROOT, "; p50 %.6g, p99 %.6g (stored sketches, within their accuracy)",
                                        c.p50(), c.p99())));
            }
        }
        return sb.toString();
    }
}
