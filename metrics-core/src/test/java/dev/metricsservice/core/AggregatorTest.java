package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AggregatorTest {

    /** 2025-11-24T16:00:00Z, aligned to 10 s windows. */
    private static final long T0 = 1_764_000_000_000L;

    private final ManualClock clock = MetricClock.manual(T0);
    private final Aggregator aggregator = Aggregator.builder().clock(clock).writerId("test").build();

    private static WindowAggregate only(CollectedBatch batch) {
        assertThat(batch.aggregates()).hasSize(1);
        return batch.aggregates().get(0);
    }

    @Test
    void record_validSample_isCollectedInItsEpochAlignedWindow() {
        clock.set(T0 + 7_345);

        assertThat(aggregator.record("cpu", 42.5)).isEqualTo(RecordResult.ACCEPTED);

        WindowAggregate a = only(aggregator.collect());
        assertThat(a.series()).isEqualTo(SeriesKey.of("cpu"));
        assertThat(a.amendment()).isZero();
        assertThat(a.windowStartEpochSecond()).isEqualTo(T0 / 1000);
        assertThat(a.writerId()).isEqualTo("test");
        assertThat(a.stats()).isEqualTo(Stats.of(42.5));
    }

    @Test
    void record_severalSamples_keepsCountSumMinMax() {
        for (double v : new double[] {5, -3, 12, 0}) {
            aggregator.record("cpu", v);
        }

        assertThat(only(aggregator.collect()).stats()).isEqualTo(Stats.of(4, 14.0, -3.0, 12.0));
    }

    @Test
    void record_byHandleAndByName_landInTheSameSeries() {
        SeriesRecorder cpu = aggregator.series("cpu");
        cpu.record(1);
        aggregator.record("cpu", 2);
        cpu.record(3, T0 + 1);

        assertThat(cpu.key()).isEqualTo(SeriesKey.of("cpu"));
        assertThat(aggregator.series("cpu")).isSameAs(cpu);
        assertThat(only(aggregator.collect()).stats()).isEqualTo(Stats.of(3, 6.0, 1.0, 3.0));
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void record_nonFiniteValue_isRefusedAndCounted(double value) {
        assertThat(aggregator.record("cpu", value)).isEqualTo(RecordResult.NON_FINITE_VALUE);
        assertThat(aggregator.series("cpu").record(value)).isEqualTo(RecordResult.NON_FINITE_VALUE);
        assertThat(aggregator.record("cpu", value, T0)).isEqualTo(RecordResult.NON_FINITE_VALUE);

        assertThat(aggregator.counters().rejected()).containsEntry(RecordResult.NON_FINITE_VALUE, 3L);
        assertThat(aggregator.collect().isEmpty()).isTrue();
    }

    @Test
    void record_invalidNames_areRefusedAndCounted() {
        String tooLong = "a".repeat(201);
        String tooLongInUtf8 = "é".repeat(101); // 202 bytes, 101 chars
        for (String name : new String[] {null, "", tooLong, tooLongInUtf8, "tab\there", "nul\0", "new\nline",
                "c1\u0085", "lone\uD800surrogate", "\uDC00"}) {
            assertThat(aggregator.record(name, 1.0)).as(String.valueOf(name)).isEqualTo(RecordResult.INVALID_NAME);
        }

        assertThat(aggregator.counters().rejected()).containsEntry(RecordResult.INVALID_NAME, 10L);
        assertThat(aggregator.counters().liveSeries()).isZero();
    }

    @Test
    void record_nameOfExactlyTheMaximumBytes_isAccepted() {
        assertThat(aggregator.record("a".repeat(200), 1.0)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(aggregator.record("é".repeat(100), 1.0)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(aggregator.record("\uD83D\uDE80".repeat(50), 1.0)).isEqualTo(RecordResult.ACCEPTED);
    }

    @Test
    void record_configuredNameLimit_isApplied() {
        Aggregator small = Aggregator.builder().clock(clock).maxNameBytes(3).build();

        assertThat(small.record("abc", 1)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(small.record("abcd", 1)).isEqualTo(RecordResult.INVALID_NAME);
    }

    @Test
    void series_invalidName_throwsWithTheRule() {
        assertThatThrownBy(() -> aggregator.series("bad\nname"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
    }

    @Test
    void record_clientTimestampBeyondFutureSkew_isTooEarly() {
        assertThat(aggregator.record("cpu", 1, T0 + 60_000)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(aggregator.record("cpu", 1, T0 + 60_001)).isEqualTo(RecordResult.TOO_EARLY);
        assertThat(aggregator.counters().rejected()).containsEntry(RecordResult.TOO_EARLY, 1L);
    }

    @Test
    void record_clientTimestampInAPastOpenWindow_isAccepted() {
        clock.set(T0 + 12_000); // window T0+10s is current; T0's window ended 2 s ago (lateness 5 s)

        assertThat(aggregator.record("cpu", 7, T0 + 9_999)).isEqualTo(RecordResult.ACCEPTED);

        WindowAggregate a = only(aggregator.collect());
        assertThat(a.windowStartEpochSecond()).isEqualTo(T0 / 1000);
    }

    @Test
    void record_windowFinalizedByCollect_goesToAnAmendmentStoredBesideTheWindow() {
        aggregator.record("cpu", 1);
        clock.set(T0 + 15_000); // window [T0, T0+10s) ended 5 s ago: final at this collect
        CollectedBatch batch = aggregator.collect();
        assertThat(batch.finalWindows()).isEqualTo(1);
        batch.commit();

        assertThat(aggregator.record("cpu", 2, T0 + 9_000)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(aggregator.record("cpu", 4, T0 + 1_000)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(aggregator.record("other", 8, T0 + 9_000)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(aggregator.record("cpu", 3, T0 + 10_000)).isEqualTo(RecordResult.ACCEPTED);

        CollectedBatch late = aggregator.collect();
        assertThat(late.aggregates()).filteredOn(a -> a.amendment() > 0)
                .extracting(a -> a.series().name(), WindowAggregate::windowStartEpochSecond, WindowAggregate::stats)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("cpu", T0 / 1000, Stats.of(2, 6.0, 2.0, 4.0)),
                        org.assertj.core.groups.Tuple.tuple("other", T0 / 1000, Stats.of(8)));
        assertThat(late.finalWindows()).isEqualTo(2); // amendments are final from the start
        long amendment = late.aggregates().stream().filter(a -> a.amendment() > 0).findFirst().orElseThrow().amendment();
        late.commit();

        // A later late sample of the same window is a new amendment: it must not replace the first.
        clock.set(T0 + 16_000);
        aggregator.record("cpu", 5, T0 + 2_000);
        WindowAggregate second = aggregator.collect().aggregates().stream()
                .filter(a -> a.amendment() > 0).findFirst().orElseThrow();
        assertThat(second.amendment()).isGreaterThan(amendment);
        assertThat(second.stats()).isEqualTo(Stats.of(5));
        assertThat(aggregator.counters().rejectedTotal()).isZero();
    }

    @Test
    void record_olderThanMaxLateness_isTooLateWithTheLimitInTheMessage() {
        Aggregator a = Aggregator.builder().clock(clock).maxLateness(Duration.ofMinutes(10)).build();

        assertThat(a.record("cpu", 1, T0 - 600_000)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(a.record("cpu", 1, T0 - 600_001)).isEqualTo(RecordResult.TOO_LATE);
        assertThat(a.explain(RecordResult.TOO_LATE)).contains("10m");
        assertThat(a.counters().rejected()).containsEntry(RecordResult.TOO_LATE, 1L);
    }

    @Test
    void record_seriesLimitReached_refusesOnlyNewSeries() {
        Aggregator limited = Aggregator.builder().clock(clock).maxSeries(2).build();
        limited.record("a", 1);
        limited.record("b", 1);

        assertThat(limited.record("c", 1)).isEqualTo(RecordResult.SERIES_LIMIT);
        assertThat(limited.record("a", 1)).isEqualTo(RecordResult.ACCEPTED);
        assertThatThrownBy(() -> limited.series("d")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("limit of 2 live series");
        assertThat(limited.counters().liveSeries()).isEqualTo(2);
        assertThat(limited.counters().rejected()).containsEntry(RecordResult.SERIES_LIMIT, 1L);
    }

    @Test
    void record_pendingLimitReached_isOverloadedUntilTheStoreCatchesUp() {
        Aggregator limited = Aggregator.builder().clock(clock).maxPendingWindows(2).build();
        limited.record("a", 1);
        limited.record("b", 1);
        CollectedBatch batch = limited.collect(); // 2 pending windows, not yet stored

        assertThat(limited.record("a", 1)).isEqualTo(RecordResult.OVERLOADED);
        assertThat(limited.record("c", 1, T0)).isEqualTo(RecordResult.OVERLOADED);
        assertThat(limited.counters().overloaded()).isTrue();

        clock.set(T0 + 15_000);
        batch.commit();
        CollectedBatch closing = limited.collect(); // finalizes both windows (unchanged, already stored)
        assertThat(closing.isEmpty()).isTrue();
        assertThat(limited.counters().pendingWindows()).isZero();
        assertThat(limited.counters().overloaded()).isFalse();
        assertThat(limited.record("a", 1)).isEqualTo(RecordResult.ACCEPTED);
    }

    @Test
    void collect_openWindow_offersCumulativePartialsOnlyWhenChanged() {
        aggregator.record("cpu", 1);
        CollectedBatch first = aggregator.collect();
        assertThat(only(first).stats()).isEqualTo(Stats.of(1));
        assertThat(first.finalWindows()).isZero();
        first.commit();

        assertThat(aggregator.collect().isEmpty()).as("nothing new since the stored partial").isTrue();

        aggregator.record("cpu", 2);
        assertThat(only(aggregator.collect()).stats()).isEqualTo(Stats.of(2, 3.0, 1.0, 2.0));
    }

    @Test
    void collect_closedWindow_isFinalThenForgottenAfterCommit() {
        aggregator.record("cpu", 4);
        clock.set(T0 + 15_000);

        CollectedBatch batch = aggregator.collect();
        assertThat(batch.finalWindows()).isEqualTo(1);
        assertThat(aggregator.counters().pendingWindows()).isEqualTo(1);
        batch.commit();

        assertThat(aggregator.counters().pendingWindows()).isZero();
        assertThat(aggregator.collect().isEmpty()).isTrue();
    }

    @Test
    void collect_withoutCommit_offersTheDataAgainMergedWithNewer() {
        aggregator.record("cpu", 1);
        CollectedBatch failed = aggregator.collect(); // the store write fails: no commit
        aggregator.record("cpu", 2);
        clock.set(T0 + 15_000);
        aggregator.record("cpu", 10); // next window

        CollectedBatch retry = aggregator.collect();

        assertThat(failed.aggregates()).hasSize(1);
        assertThat(retry.aggregates()).extracting(a -> a.stats())
                .containsExactlyInAnyOrder(Stats.of(2, 3.0, 1.0, 2.0), Stats.of(10));
        assertThat(retry.finalWindows()).isEqualTo(1);
    }

    @Test
    void commit_ofAStaleBatchAfterANewerOne_doesNotLoseData() {
        aggregator.record("cpu", 1);
        CollectedBatch older = aggregator.collect();
        aggregator.record("cpu", 2);
        CollectedBatch newer = aggregator.collect();
        newer.commit();
        older.commit();

        aggregator.record("cpu", 3);
        assertThat(only(aggregator.collect()).stats()).isEqualTo(Stats.of(3, 6.0, 1.0, 3.0));
    }

    @Test
    void commit_twice_hasNoFurtherEffect() {
        aggregator.record("cpu", 1);
        CollectedBatch batch = aggregator.collect();
        batch.commit();
        batch.commit();

        assertThat(aggregator.counters().commits()).isEqualTo(1);
    }

    @Test
    void unflushed_plusStore_equalsEverythingRecorded() {
        InMemoryMetricStore store = new InMemoryMetricStore();
        MetricQuery q = MetricQuery.latest("cpu", 20);
        aggregator.record("cpu", 1);
        aggregator.record("cpu", 2);
        CollectedBatch batch = aggregator.collect();
        store.write(batch.aggregates()).join();
        batch.commit();
        aggregator.record("cpu", 10);
        aggregator.record("cpu", -4);

        List<WindowStats> merged = QueryService.group(q, store.query(q).join(), aggregator.unflushed(q)).rows();

        assertThat(aggregator.unflushed(q)).containsExactly(new SeriesWindow(SeriesKey.of("cpu"), MetricType.SUMMARY,
                T0 / 1000, new Stats(2, 6.0, -4.0, 10.0)));
        assertThat(merged).containsExactly(new WindowStats(T0 / 1000, Stats.of(4, 9.0, -4.0, 10.0)));
    }

    @Test
    void unflushed_unknownNameOrOutsideRange_isEmpty() {
        aggregator.record("cpu", 1);

        assertThat(aggregator.unflushed(MetricQuery.latest("nope", 5))).isEmpty();
        assertThat(aggregator.unflushed(new MetricQuery(SeriesKey.of("cpu"), 0, T0 / 1000, 5, MetricQuery.Order.NEWEST_FIRST)))
                .isEmpty();
    }

    @Test
    void unflushed_finalizedButNotStored_isStillVisible() {
        aggregator.record("cpu", 5);
        clock.set(T0 + 15_000);
        aggregator.collect(); // final, but the write failed

        assertThat(aggregator.unflushed(MetricQuery.latest("cpu", 5)))
                .containsExactly(new SeriesWindow(SeriesKey.of("cpu"), MetricType.SUMMARY, T0 / 1000, Stats.of(5)));
    }

    @Test
    void stats_countsAcceptedAcrossLiveAndFinalWindows() {
        aggregator.record("a", 1);
        aggregator.record("b", 1);
        clock.set(T0 + 15_000);
        aggregator.collect().commit();
        aggregator.record("a", 1);
        aggregator.record("a", Double.NaN);

        AggregatorCounters s = aggregator.counters();
        assertThat(s.accepted()).isEqualTo(3);
        assertThat(s.rejectedTotal()).isEqualTo(1);
        assertThat(s.liveSeries()).isEqualTo(2);
        assertThat(s.collects()).isEqualTo(1);
        assertThat(s.writerId()).isEqualTo("test");
    }

    @Test
    void record_collectorFarBehind_isOverloadedInsteadOfGrowing() {
        Aggregator a = Aggregator.builder().clock(clock).allowedLateness(Duration.ZERO)
                .maxFutureSkew(Duration.ZERO).build(); // ring of 8 windows per series
        int accepted = 0;
        for (int i = 0; i < 20; i++) {
            clock.set(T0 + i * 10_000L);
            if (a.record("cpu", 1) == RecordResult.ACCEPTED) {
                accepted++;
            }
        }

        assertThat(accepted).isEqualTo(8);
        assertThat(a.counters().rejected()).containsEntry(RecordResult.OVERLOADED, 12L);
        // Once the collector runs, the ring frees up and every accepted sample is there.
        long stored = a.collect().aggregates().stream().mapToLong(w -> w.stats().count()).sum();
        assertThat(stored).isEqualTo(8);
        assertThat(a.record("cpu", 1)).isEqualTo(RecordResult.ACCEPTED);
    }

    @Test
    void builder_invalidSettings_areRefusedWithTheRange() {
        assertThatThrownBy(() -> Aggregator.builder().windowWidth(Duration.ofMillis(1500)))
                .hasMessageContaining("whole number of seconds");
        assertThatThrownBy(() -> Aggregator.builder().windowWidth(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Aggregator.builder().windowWidth(Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Aggregator.builder().maxSeries(0)).hasMessageContaining("maxSeries");
        assertThatThrownBy(() -> Aggregator.builder().maxPendingWindows(0)).hasMessageContaining("maxPendingWindows");
        assertThatThrownBy(() -> Aggregator.builder().maxNameBytes(0)).hasMessageContaining("maxNameBytes");
        assertThatThrownBy(() -> Aggregator.builder().allowedLateness(Duration.ofSeconds(-1)))
                .hasMessageContaining("allowedLateness");
        assertThatThrownBy(() -> Aggregator.builder().writerId("has space")).hasMessageContaining("writerId");
    }

    @Test
    void windowWidth_configured_alignsWindowsToTheEpoch() {
        clock.set(T0 + 61_000);
        Aggregator minute = Aggregator.builder().clock(clock).windowWidth(Duration.ofMinutes(1)).build();
        assertThat(minute.record("cpu", 1)).isEqualTo(RecordResult.ACCEPTED);

        assertThat(only(minute.collect()).windowStartEpochSecond()).isEqualTo((T0 + 60_000) / 1000 / 60 * 60);
    }

    @Test
    void writerId_default_isRandomPerInstance() {
        assertThat(Aggregator.builder().clock(clock).build().writerId())
                .matches("[0-9a-f]{12}")
                .isNotEqualTo(Aggregator.builder().clock(clock).build().writerId());
    }

    @Test
    void recordAll_validBatch_recordsEverySample() {
        SampleBatch batch = new SampleBatch().add("a", 1).add("a", 2, T0 - 1).add("b", 3, T0 + 5_000);

        BatchResult r = aggregator.recordAll(batch);

        assertThat(r.isAccepted()).isTrue();
        assertThat(r.recorded()).isEqualTo(3);
        assertThat(aggregator.counters().accepted()).isEqualTo(3);
    }

    @Test
    void recordAll_oneBadSample_recordsNothingAndCountsTheBatch() {
        Aggregator limited = Aggregator.builder().clock(clock).maxSeries(2).build();
        limited.record("a", 1);

        assertThat(limited.recordAll(new SampleBatch().add("a", 2).add("bad\n", 2)))
                .isEqualTo(new BatchResult(RecordResult.INVALID_NAME, 1, 0));
        assertThat(limited.recordAll(new SampleBatch().add("a", 2).add(null, 2)).refusal())
                .isEqualTo(RecordResult.INVALID_NAME);
        assertThat(limited.recordAll(new SampleBatch().add("a", Double.NaN)).refusal())
                .isEqualTo(RecordResult.NON_FINITE_VALUE);
        assertThat(limited.recordAll(new SampleBatch().add("a", 1).add("a", 1, T0 + 61_000)))
                .isEqualTo(new BatchResult(RecordResult.TOO_EARLY, 1, 0));
        assertThat(limited.recordAll(new SampleBatch().add("a", 1, T0 - 3_600_001)).refusal())
                .isEqualTo(RecordResult.TOO_LATE);
        assertThat(limited.recordAll(new SampleBatch().add("a", 1).add("b", 1).add("c", 1)))
                .isEqualTo(new BatchResult(RecordResult.SERIES_LIMIT, 2, 0));

        AggregatorCounters c = limited.counters();
        assertThat(c.accepted()).as("only the single record before the batches").isEqualTo(1);
        // Every sample of a refused batch is counted, under the reason that refused the batch.
        assertThat(c.rejected()).containsEntry(RecordResult.INVALID_NAME, 4L)
                .containsEntry(RecordResult.NON_FINITE_VALUE, 1L)
                .containsEntry(RecordResult.TOO_EARLY, 2L)
                .containsEntry(RecordResult.TOO_LATE, 1L)
                .containsEntry(RecordResult.SERIES_LIMIT, 3L);
    }

    @Test
    void recordAll_whileOverloaded_refusesTheWholeBatch() {
        Aggregator limited = Aggregator.builder().clock(clock).maxPendingWindows(1).build();
        limited.record("a", 1);
        limited.collect();

        assertThat(limited.recordAll(new SampleBatch().add("a", 1).add("a", 2)))
                .isEqualTo(new BatchResult(RecordResult.OVERLOADED, 0, 0));
        assertThat(limited.counters().rejected()).containsEntry(RecordResult.OVERLOADED, 2L);
    }

    @Test
    void explain_usesTheConfiguredLimits() {
        Aggregator a = Aggregator.builder().clock(clock).maxNameBytes(20).maxFutureSkew(Duration.ofSeconds(90)).build();

        assertThat(a.explain(RecordResult.INVALID_NAME)).contains("1 to 20 UTF-8 bytes");
        assertThat(a.explain(RecordResult.TOO_EARLY)).contains("90s");
        assertThat(a.nameProblem("x".repeat(21))).hasValue("metric name is longer than 20 UTF-8 bytes");
        assertThat(a.nameProblem("ok")).isEmpty();
        assertThat(a.allowedLateness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(a.maxLateness()).isEqualTo(Duration.ofHours(1));
        assertThat(a.seriesTtl()).isEqualTo(Duration.ofMinutes(15));
    }
}
