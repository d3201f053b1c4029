package dev.metricsservice.loadgen;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.loadgen.LoadReport.MetricTally;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifierTest {

    private static final List<String> NAMES = List.of("cpu", "memory", "latency");

    /** Posts 60 samples with the seed formula and returns the exact tallies of what was acknowledged. */
    private static List<MetricTally> postSamples(URI target) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long[] counts = new long[NAMES.size()];
        double[] sums = new double[NAMES.size()];
        for (int n = 0; n < 60; n++) {
            int m = n % NAMES.size();
            double v = Samples.value(n, 1);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(target.resolve("/metrics"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + NAMES.get(m) + "\",\"value\":" + v + "}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(202);
            counts[m]++;
            sums[m] += v;
        }
        List<MetricTally> tallies = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            tallies.add(new MetricTally(NAMES.get(i), counts[i], sums[i], 0, 0, 0, 0));
        }
        return tallies;
    }

    @Test
    void verify_matchingService_isVerified() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            long start = System.currentTimeMillis();
            List<MetricTally> tallies = postSamples(service.uri());
            LoadReport report = TestReports.withTallies(start, System.currentTimeMillis(), tallies);

            Verification v = Verifier.overHttp(service.uri()).verify(report);

            assertThat(v.verified()).as(v.table()).isTrue();
            assertThat(v.summaryLine()).startsWith("VERIFIED: 3 metrics, 60 samples acknowledged, 60 stored");
            assertThat(v.checks()).allSatisfy(c -> assertThat(c.storedCount()).isEqualTo(20));
        }
    }

    @Test
    void verify_lossyService_reportsMissingSamples() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(7)) {
            long start = System.currentTimeMillis();
            LoadReport report = TestReports.withTallies(start, System.currentTimeMillis(), postSamples(service.uri()));

            Verification v = Verifier.overHttp(service.uri()).verify(report);

            assertThat(v.verified()).isFalse();
            assertThat(v.summaryLine()).startsWith("MISMATCH: ");
            assertThat(v.checks()).filteredOn(c -> !c.ok()).isNotEmpty()
                    .allSatisfy(c -> assertThat(c.problem()).contains("acknowledged samples missing"));
            long stored = v.checks().stream().mapToLong(Verification.MetricCheck::storedCount).sum();
            assertThat(stored).isEqualTo(60 - 60 / 7);
            assertThat(v.table()).contains("cpu").contains("acknowledged samples missing");
        }
    }

    @Test
    void verify_baseline_subtractsDataStoredBeforeTheRun() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            service.preload("cpu", 5.0, System.currentTimeMillis() / 1000);
            Verifier verifier = Verifier.overHttp(service.uri());
            Verifier.Baseline baseline = verifier.baselineOfNames(NAMES, Duration.ofSeconds(10));
            long start = System.currentTimeMillis();
            LoadReport report = TestReports.withTallies(start, System.currentTimeMillis(), postSamples(service.uri()));

            assertThat(verifier.verify(report, baseline).verified()).isTrue();
            assertThat(verifier.verify(report).verified()).as("without the baseline the extra sample shows").isFalse();
        }
    }

    private static StoredWindows oneWindow(long count, double sum) {
        return (name, from, to, limit) -> List.of(new WindowStats(from + 1, Stats.of(count, sum, 0, 100)));
    }

    private static LoadReport gaugeReport(double ackLast, List<Double> laterUnknown) {
        long now = System.currentTimeMillis();
        var series = dev.metricsservice.core.SeriesKey.of("q", dev.metricsservice.core.Tags.of("host", "a"));
        return TestReports.withTallies(now, now, List.of(new MetricTally(series, dev.metricsservice.core.MetricType.GAUGE,
                2, 8.0, laterUnknown.size(), laterUnknown.stream().mapToDouble(Double::doubleValue).sum(), 0, 0,
                new LoadReport.GaugeLast(ackLast, now, laterUnknown, false))));
    }

    private static StoredWindows gaugeWindow(double sum, double last, List<dev.metricsservice.core.SeriesKey> asked) {
        return (series, from, to, limit) -> {
            asked.add(series);
            return List.of(new WindowStats(from + 1, new Stats(2, sum, 3, 5, last, from * 1000)));
        };
    }

    @Test
    void verify_gauge_checksTheLastValueAndNamesTheSeries() {
        List<dev.metricsservice.core.SeriesKey> asked = new ArrayList<>();
        assertThat(Verifier.of(gaugeWindow(8.0, 5.0, asked)).verify(gaugeReport(5.0, List.of())).verified()).isTrue();
        assertThat(asked).extracting(Object::toString).contains("q{host=\"a\"}");

        Verification wrong = Verifier.of(gaugeWindow(8.0, 3.0, asked)).verify(gaugeReport(5.0, List.of()));
        assertThat(wrong.verified()).isFalse();
        assertThat(wrong.table()).contains("q{host=\"a\"}", "last value 3.0 stored, 5.0 expected");
        // A later sample of unknown outcome may have been stored instead.
        assertThat(Verifier.of(gaugeWindow(8.0 + 3.0, 3.0, asked)).verify(gaugeReport(5.0, List.of(3.0))).verified())
                .isTrue();
    }

    /** One distribution window of the values 1..count whose sketch holds the first {@code sketched} of them. */
    private static StoredWindows distributionWindow(int count, int sketched) {
        dev.metricsservice.core.QuantileSketch sketch = new dev.metricsservice.core.QuantileSketch(0.01, 2048);
        for (int i = 1; i <= sketched; i++) {
            sketch.add(i);
        }
        return (series, from, to, limit) -> List.of(new WindowStats(from + 1,
                Stats.of(count, count * (count + 1) / 2.0, 1, count).withSketch(sketch)));
    }

    private static LoadReport distributionReport(int count) {
        long now = System.currentTimeMillis();
        return TestReports.withTallies(now, now, List.of(new MetricTally(dev.metricsservice.core.SeriesKey.of("latency"),
                dev.metricsservice.core.MetricType.DISTRIBUTION, count, count * (count + 1) / 2.0, 0, 0, 0, 0, null)));
    }

    @Test
    void verify_distribution_checksTheSketchCountAndReportsP50AndP99() {
        Verification v = Verifier.of(distributionWindow(1000, 1000)).verify(distributionReport(1000));
        assertThat(v.verified()).as(v.table()).isTrue();
        Verification.MetricCheck c = v.checks().get(0);
        assertThat(c.sketchCount()).isEqualTo(1000);
        assertThat(c.p50()).isCloseTo(500, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(c.p99()).isCloseTo(990, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(v.table()).contains("latency: distribution, sketches hold 1000 samples; p50 ");

        Verification short_ = Verifier.of(distributionWindow(1000, 990)).verify(distributionReport(1000));
        assertThat(short_.verified()).isFalse();
        assertThat(short_.table()).contains("the stored quantile sketches hold 990 samples, the windows count 1000");
    }

    private static LoadReport report(long ack, double ackSum, long unknown, double unknownSum) {
        long now = System.currentTimeMillis();
        return TestReports.withTallies(now, now, List.of(new MetricTally("m", ack, ackSum, unknown, unknownSum, 0, 0)));
    }

    @Test
    void verify_sumWithinRounding_isVerified() {
        double sum = 123456.789;
        Verification v = Verifier.of(oneWindow(100, sum * (1 + 1e-12))).verify(report(100, sum, 0, 0));
        assertThat(v.verified()).isTrue();
    }

    @Test
    void verify_sumOffBeyondTolerance_isMismatch() {
        double sum = 123456.789;
        Verification v = Verifier.of(oneWindow(100, sum * (1 + 1e-7))).verify(report(100, sum, 0, 0));
        assertThat(v.verified()).isFalse();
        assertThat(v.checks().get(0).problem()).startsWith("sum differs by");
    }

    @Test
    void verify_unknownOutcomes_allowStoredCountsUpToThem() {
        assertThat(Verifier.of(oneWindow(101, 150)).verify(report(100, 100, 2, 60)).verified()).isTrue();
        assertThat(Verifier.of(oneWindow(102, 160)).verify(report(100, 100, 2, 60)).verified()).isTrue();
        Verification tooMany = Verifier.of(oneWindow(103, 160)).verify(report(100, 100, 2, 60));
        assertThat(tooMany.verified()).isFalse();
        assertThat(tooMany.checks().get(0).problem()).isEqualTo("1 more samples stored than sent (beyond 2 of unknown outcome)");
        Verification sumTooBig = Verifier.of(oneWindow(101, 170)).verify(report(100, 100, 2, 60));
        assertThat(sumTooBig.verified()).isFalse();
    }

    @Test
    void verify_queryFails_isNotVerifiedAndSaysWhy() {
        StoredWindows broken = (name, from, to, limit) -> {
            throw new java.io.IOException("connection refused");
        };
        Verification v = Verifier.of(broken).verify(report(1, 1, 0, 0));
        assertThat(v.verified()).isFalse();
        assertThat(v.checks().get(0).problem()).isEqualTo("query failed: connection refused");
    }

    @Test
    void verify_unreachableService_isNotVerified() {
        Verification v = Verifier.overHttp(URI.create("http://127.0.0.1:1")).verify(report(1, 1, 0, 0));
        assertThat(v.verified()).isFalse();
        assertThat(v.checks().get(0).problem()).startsWith("query failed");
    }

    @Test
    void totals_moreWindowsThanOneReplyHolds_splitsTheRange() throws Exception {
        // A service with 1-second windows holding one sample of value 2 each, answering at most 'limit' rows.
        AtomicInteger queries = new AtomicInteger();
        StoredWindows perSecond = (name, from, to, limit) -> {
            queries.incrementAndGet();
            List<WindowStats> rows = new ArrayList<>();
            for (long s = to - 1; s >= from && rows.size() < limit; s--) {
                rows.add(new WindowStats(s, Stats.of(1, 2.0, 2.0, 2.0)));
            }
            return rows;
        };
        Verifier.Totals t = Verifier.of(perSecond).totals(dev.metricsservice.core.SeriesKey.of("m"), 1_000_000, 1_003_000);
        assertThat(t.count()).isEqualTo(3000);
        assertThat(t.sum()).isEqualTo(6000.0);
        assertThat(t.windows()).isEqualTo(3000);
        assertThat(queries.get()).isGreaterThan(3);
    }

    @Test
    void verify_windowOutsideRange_isReported() {
        StoredWindows wrong = (name, from, to, limit) -> List.of(new WindowStats(to + 5, Stats.of(1)));
        Verification v = Verifier.of(wrong).verify(report(1, 1, 0, 0));
        assertThat(v.checks().get(0).problem()).contains("outside the requested range");
    }

    @Test
    void verify_baselineNotCoveringRun_isRejected() {
        Verifier.Baseline old = new Verifier.Baseline(0, 10, java.util.Map.of());
        assertThatThrownBy(() -> Verifier.of(oneWindow(1, 1)).verify(report(1, 1, 0, 0), old))
                .hasMessageContaining("does not cover the run");
    }
}
