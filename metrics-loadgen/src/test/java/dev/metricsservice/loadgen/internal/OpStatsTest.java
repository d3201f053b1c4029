package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;
import dev.metricsservice.loadgen.LoadReport.OpReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OpStatsTest {

    @Test
    void toReport_percentilesOfKnownInputs() {
        OpStats stats = new OpStats();
        // 1 ms .. 1000 ms, one each: p50 = 500 ms, p90 = 900, p99 = 990, p99.9 = 999, max = 1000.
        for (int ms = 1; ms <= 1000; ms++) {
            stats.recordResponse(202, ms * 1000L, ms * 1000L, 0, 1);
        }
        OpReport r = stats.toReport(10);
        // HdrHistogram with 3 significant digits: values are exact to within 0.1 %.
        assertThat(r.latency().p50Millis()).isCloseTo(500, within(0.5));
        assertThat(r.latency().p90Millis()).isCloseTo(900, within(0.9));
        assertThat(r.latency().p99Millis()).isCloseTo(990, within(1.0));
        assertThat(r.latency().p999Millis()).isCloseTo(999, within(1.0));
        assertThat(r.latency().maxMillis()).isCloseTo(1000, within(1.0));
        assertThat(r.latency().meanMillis()).isCloseTo(500.5, within(0.5));
        assertThat(r.requests()).isEqualTo(1000);
        assertThat(r.successes()).isEqualTo(1000);
        assertThat(r.throughputPerSecond()).isEqualTo(100.0);
        assertThat(r.samples()).isEqualTo(1000);
    }

    @Test
    void recordResponse_expectedInterval_addsTheMissedSamples() {
        OpStats stats = new OpStats();
        // One 100 ms response with a 10 ms expected interval stands for 100, 90, ..., 10 ms.
        stats.recordResponse(202, 100_000, 100_000, 10_000, 1);
        OpReport r = stats.toReport(1);
        assertThat(r.latency().count()).isEqualTo(10);
        assertThat(r.latency().p50Millis()).isCloseTo(50, within(0.1));
        assertThat(r.serviceTime().count()).isEqualTo(1);
        assertThat(r.requests()).as("correction does not invent requests").isEqualTo(1);
    }

    @Test
    void toReport_failuresByStatusAndCause() {
        OpStats stats = new OpStats();
        stats.recordResponse(202, 1000, 1000, 0, 1);
        stats.recordResponse(503, 1000, 1000, 0, 1);
        stats.recordResponse(503, 1000, 1000, 0, 1);
        stats.recordResponse(422, 1000, 1000, 0, 1);
        stats.recordFailure(FailureCause.TIMEOUT, 1);
        stats.recordFailure(FailureCause.CONNECT_REFUSED, 1);
        OpReport r = stats.toReport(1);
        assertThat(r.requests()).isEqualTo(6);
        assertThat(r.successes()).isEqualTo(1);
        assertThat(r.failures()).isEqualTo(5);
        assertThat(r.failuresByStatus()).isEqualTo(Map.of(503, 2L, 422, 1L));
        assertThat(r.failuresByCause()).isEqualTo(Map.of(FailureCause.TIMEOUT, 1L, FailureCause.CONNECT_REFUSED, 1L));
        assertThat(r.latency().count()).isEqualTo(4);
    }

    @Test
    void addTo_mergesPhases() {
        OpStats a = new OpStats();
        OpStats b = new OpStats();
        a.recordResponse(202, 1000, 1000, 0, 1);
        b.recordResponse(202, 3000, 3000, 0, 1);
        b.recordFailure(FailureCause.RESET, 1);
        OpStats total = new OpStats();
        a.addTo(total);
        b.addTo(total);
        OpReport r = total.toReport(2);
        assertThat(r.requests()).isEqualTo(3);
        assertThat(r.latency().maxMillis()).isCloseTo(3, within(0.01));
        assertThat(r.failuresByCause()).containsEntry(FailureCause.RESET, 1L);
    }

    @Test
    void book_splitsAcknowledgedUnknownRejectedAndNotSent() {
        Ledger ledger = new Ledger(dev.metricsservice.loadgen.SeriesPlan.untagged(List.of("a", "b")));
        int[] idx = {0, 1, 0};
        double[] values = {1.5, 2.0, 3.0};
        ledger.book(202, null, idx, values, 0);
        ledger.book(0, FailureCause.TIMEOUT, idx, values, 0);
        ledger.book(503, null, idx, values, 0);
        ledger.book(0, FailureCause.CONNECT_REFUSED, idx, values, 0);
        var a = ledger.snapshot().get(0);
        assertThat(a.acknowledgedCount()).isEqualTo(2);
        assertThat(a.acknowledgedSum()).isEqualTo(4.5);
        assertThat(a.unknownCount()).isEqualTo(2);
        assertThat(a.unknownSum()).isEqualTo(4.5);
        assertThat(a.rejectedCount()).isEqualTo(2);
        assertThat(a.notSentCount()).isEqualTo(2);
        assertThat(ledger.snapshot().get(1).acknowledgedSum()).isEqualTo(2.0);
    }
}
