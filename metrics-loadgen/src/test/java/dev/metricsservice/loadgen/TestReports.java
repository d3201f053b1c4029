package dev.metricsservice.loadgen;

import dev.metricsservice.loadgen.LoadReport.LatencySummary;
import dev.metricsservice.loadgen.LoadReport.MetricTally;
import dev.metricsservice.loadgen.LoadReport.OpReport;
import dev.metricsservice.loadgen.LoadReport.PhaseReport;

import java.util.List;
import java.util.Map;

/** Builds reports by hand for verifier and rendering tests. */
final class TestReports {

    private TestReports() {
    }

    static OpReport emptyOp() {
        LatencySummary none = new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        return new OpReport(0, 0, 0, Map.of(), Map.of(), 0, 0, none, none);
    }

    static LoadReport withTallies(long startEpochMillis, long endEpochMillis, List<MetricTally> tallies) {
        PhaseReport total = new PhaseReport("total", "run", 0, 1, 0, 1, emptyOp(), emptyOp());
        return new LoadReport("test", "closed", "http://127.0.0.1:1", "nio", 1, startEpochMillis, endEpochMillis,
                (endEpochMillis - startEpochMillis) / 1000.0, false, List.of(), total, List.of(), tallies);
    }
}
