package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.SeriesListQuery;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Tags, types and the per-name limit, end to end through the aggregator and the query service. */
class AggregatorTagsTest {

    private static final long T0 = 1_764_000_000_000L;

    private final ManualClock clock = MetricClock.manual(T0);
    private final Aggregator aggregator = Aggregator.builder().clock(clock).writerId("w1").build();

    private Map<SeriesKey, WindowAggregate> collectBySeries() {
        return aggregator.collect().aggregates().stream()
                .collect(Collectors.toMap(WindowAggregate::series, a -> a));
    }

    @Test
    void record_sameTagsInAnyOrder_landInOneSeries() {
        aggregator.record("cpu", Tags.of("host", "a", "region", "eu"), 1);
        aggregator.record("cpu", Tags.of("region", "eu", "host", "a"), 2);
        aggregator.series(SeriesKey.of("cpu", Tags.of(Map.of("host", "a", "region", "eu")))).record(3);

        Map<SeriesKey, WindowAggregate> all = collectBySeries();
        assertThat(all).containsOnlyKeys(SeriesKey.of("cpu", Tags.of("host", "a", "region", "eu")));
        assertThat(all.values().iterator().next().stats()).isEqualTo(Stats.of(3, 6.0, 1.0, 3.0));
    }

    @Test
    void record_differentTags_areDifferentSeriesBesideTheUntaggedOne() {
        aggregator.record("cpu", Tags.of("host", "a"), 1);
        aggregator.record("cpu", Tags.of("host", "b"), 2);
        aggregator.record("cpu", 4);

        Map<SeriesKey, WindowAggregate> all = collectBySeries();
        assertThat(all.get(SeriesKey.of("cpu", Tags.of("host", "a"))).stats()).isEqualTo(Stats.of(1));
        assertThat(all.get(SeriesKey.of("cpu", Tags.of("host", "b"))).stats()).isEqualTo(Stats.of(2));
        assertThat(all.get(SeriesKey.of("cpu")).stats()).isEqualTo(Stats.of(4));
        assertThat(aggregator.counters().liveSeries()).isEqualTo(3);
    }

    @Test
    void record_invalidTags_isRefusedCountedAndCreatesNothing() {
        assertThat(aggregator.record("cpu", Tags.of("bad key", "v"), 1)).isEqualTo(RecordResult.INVALID_TAGS);
        assertThat(aggregator.record("cpu", Tags.of("k", "x".repeat(201)), 1)).isEqualTo(RecordResult.INVALID_TAGS);
        assertThat(aggregator.record("cpu", null, 1)).isEqualTo(RecordResult.INVALID_TAGS);

        assertThat(aggregator.counters().rejected()).containsEntry(RecordResult.INVALID_TAGS, 3L);
        assertThat(aggregator.counters().liveSeries()).isZero();
        assertThatThrownBy(() -> aggregator.counter("cpu", Tags.of("k", "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value of tag 'k'");
    }

    @Test
    void typedHandles_keepTheirTypeAndRefuseAnother() {
        SeriesRecorder hits = aggregator.counter("hits", Tags.of("route", "/"));
        hits.record(1);
        aggregator.record("hits", Tags.of("route", "/a"), 2); // untyped: the name's type

        assertThat(hits.type()).isEqualTo(MetricType.COUNTER);
        assertThat(aggregator.typeOf("hits")).contains(MetricType.COUNTER);
        assertThat(aggregator.series(SeriesKey.of("hits", Tags.of("route", "/a"))).type()).isEqualTo(MetricType.COUNTER);
        assertThatThrownBy(() -> aggregator.gauge("hits", Tags.of("route", "/")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metric 'hits' is a counter");
        assertThat(collectBySeries().values()).allSatisfy(a -> assertThat(a.type()).isEqualTo(MetricType.COUNTER));
    }

    @Test
    void recordAll_typeDisagreeingWithTheName_refusesTheBatchAsTypeConflict() {
        aggregator.gauge("queue", Tags.empty()).record(3);
        SampleBatch batch = new SampleBatch()
                .add("queue", Tags.empty(), MetricType.GAUGE, 4)
                .add("queue", Tags.of("shard", "1"), MetricType.COUNTER, 5);

        BatchResult r = aggregator.recordAll(batch);

        assertThat(r.refusal()).isEqualTo(RecordResult.TYPE_CONFLICT);
        assertThat(r.index()).isEqualTo(1);
        assertThat(aggregator.counters().rejected()).containsEntry(RecordResult.TYPE_CONFLICT, 2L);
        assertThat(collectBySeries()).hasSize(1);
    }

    @Test
    void recordAll_newNameWithTwoTypesInOneBatch_isAConflict() {
        SampleBatch batch = new SampleBatch()
                .add("x", Tags.of("a", "1"), MetricType.COUNTER, 1)
                .add("x", Tags.of("a", "2"), MetricType.GAUGE, 1);

        assertThat(aggregator.recordAll(batch).refusal()).isEqualTo(RecordResult.TYPE_CONFLICT);
    }

    @Test
    void gauge_keepsTheLastValueBySampleTimeWithTiesToTheLargerValue() {
        SeriesRecorder g = aggregator.gauge("temp", Tags.of("room", "1"));
        g.record(5, T0 + 3_000);
        g.record(9, T0 + 1_000); // older: does not replace
        g.record(4, T0 + 3_000); // same time, smaller: does not replace
        g.record(6, T0 + 3_000); // same time, larger: replaces

        WindowAggregate a = collectBySeries().get(SeriesKey.of("temp", Tags.of("room", "1")));
        assertThat(a.type()).isEqualTo(MetricType.GAUGE);
        assertThat(a.stats()).isEqualTo(new Stats(4, 24.0, 4.0, 9.0, 6.0, T0 + 3_000));
    }

    @Test
    void gauge_clockStamped_takesTheClockAsItsTime() {
        SeriesRecorder g = aggregator.gauge("temp", Tags.empty());
        clock.set(T0 + 2_000);
        g.record(7);
        clock.set(T0 + 1_000); // a clock step back: the earlier reading stays last
        g.record(1);

        assertThat(collectBySeries().get(SeriesKey.of("temp")).stats().last()).isEqualTo(7.0);
    }

    @Test
    void summary_keepsNoLastValue() {
        aggregator.record("cpu", 3, T0 + 1);

        Stats s = collectBySeries().get(SeriesKey.of("cpu")).stats();
        assertThat(s.hasLast()).isFalse();
        assertThat(s.last()).isNaN();
    }

    @Test
    void maxSeriesPerName_refusesNewSeriesOfThatNameOnly() {
        Aggregator a = Aggregator.builder().clock(clock).maxSeriesPerName(2).maxSeries(3).build();
        assertThat(a.record("cpu", Tags.of("h", "1"), 1)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(a.record("cpu", Tags.of("h", "2"), 1)).isEqualTo(RecordResult.ACCEPTED);

        assertThat(a.record("cpu", Tags.of("h", "3"), 1)).isEqualTo(RecordResult.SERIES_PER_NAME_LIMIT);
        assertThat(a.record("cpu", Tags.of("h", "1"), 1)).isEqualTo(RecordResult.ACCEPTED);
        assertThatThrownBy(() -> a.summary("cpu", Tags.of("h", "4"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("per metric name");
        assertThat(a.record("mem", 1)).isEqualTo(RecordResult.ACCEPTED);
        assertThat(a.record("disk", 1)).isEqualTo(RecordResult.SERIES_LIMIT);
        assertThat(a.explain(RecordResult.SERIES_PER_NAME_LIMIT)).contains("2 live series per metric name");
        assertThat(a.explain(RecordResult.SERIES_LIMIT)).contains("3 live series");
    }

    /**
     * The per-name count and the series map of a name change together inside one map compute;
     * with the limit checked outside it, racing creators overshoot it.
     */
    @Test
    void create_concurrentNewSeriesOfOneName_neverExceedsThePerNameLimit() throws Exception {
        int limit = 50;
        Aggregator a = Aggregator.builder().clock(clock).maxSeriesPerName(limit).build();
        int threads = 4;
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 500; i++) {
                    // Each thread also creates the others' series: racing on the same ones too.
                    if (a.record("cpu", Tags.of("i", Integer.toString((i * threads + id) % 200)), 1).isAccepted()) {
                        accepted.incrementAndGet();
                    }
                }
            }));
        }
        ts.forEach(Thread::start);
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }

        List<WindowAggregate> out = a.collect().aggregates();
        assertThat(out).hasSize(limit);
        assertThat(a.counters().liveSeries()).isEqualTo(limit);
        assertThat(out.stream().mapToLong(x -> x.stats().count()).sum()).isEqualTo(accepted.get());
    }

    @Test
    void create_concurrentCreatorsOfOneSeries_makeOneSeriesAndLoseNothing() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    aggregator.record("req", Tags.of("route", "/" + (i % 8)), 1);
                }
            }));
        }
        ts.forEach(Thread::start);
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }

        List<WindowAggregate> out = aggregator.collect().aggregates();
        assertThat(out).hasSize(8).allSatisfy(x -> assertThat(x.stats().count()).isEqualTo(threads * perThread / 8));
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void record_byNameAndTags_allocatesNothingOnceTheSeriesExists() {
        Tags tags = Tags.of("host", "a", "region", "eu", "az", "1");
        for (int i = 0; i < 50_000; i++) {
            aggregator.record("cpu", tags, i);
        }
        long[] perRound = new long[4];
        for (int round = 0; round < perRound.length; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                aggregator.record("cpu", tags, i);
            }
            perRound[round] = allocatedBytes() - before;
        }
        // Allocating even one 16-byte object per record would be 1.6 MB per round.
        for (long b : perRound) {
            assertThat(b).isLessThan(16_384);
        }
    }

    // ------------------------------------------------------------------ queries

    private final InMemoryMetricStore store = new InMemoryMetricStore();
    private final QueryService queries = new QueryService(aggregator, store);

    private void flush() {
        CollectedBatch b = aggregator.collect();
        store.write(b.aggregates()).join();
        b.commit();
    }

    @Test
    void query_withoutGroupBy_mergesEveryMatchingSeriesPerWindow() {
        aggregator.record("cpu", Tags.of("host", "a", "region", "eu"), 1);
        aggregator.record("cpu", Tags.of("host", "b", "region", "eu"), 2);
        flush();
        aggregator.record("cpu", Tags.of("host", "c", "region", "us"), 4); // still in memory
        aggregator.record("cpu", 8);

        assertThat(queries.query(MetricQuery.latest("cpu", 20)).join().rows())
                .containsExactly(new WindowStats(T0 / 1000, Stats.of(4, 15.0, 1.0, 8.0)));
        assertThat(queries.query(MetricQuery.latest("cpu", 20).where("region", "eu")).join().rows())
                .containsExactly(new WindowStats(T0 / 1000, Stats.of(2, 3.0, 1.0, 2.0)));
        assertThat(queries.query(MetricQuery.latest("cpu", 20).where("region", "eu").where("host", "b")).join().rows())
                .containsExactly(new WindowStats(T0 / 1000, Stats.of(2)));
        assertThat(queries.query(MetricQuery.latest("cpu", 20).where("region", "mars")).join().groups()).isEmpty();
    }

    @Test
    void query_groupBy_givesOneGroupPerCombinationAndAGroupForSeriesWithoutTheKey() {
        aggregator.record("cpu", Tags.of("host", "a", "region", "eu"), 1);
        aggregator.record("cpu", Tags.of("host", "b", "region", "eu"), 2);
        flush();
        aggregator.record("cpu", Tags.of("host", "c", "region", "us"), 4);
        aggregator.record("cpu", Tags.of("host", "d"), 8);

        QueryResult r = queries.query(MetricQuery.latest("cpu", 20).groupBy(List.of("region"))).join();

        assertThat(r.type()).contains(MetricType.SUMMARY);
        assertThat(r.groups()).containsExactly(
                new QueryResult.Group(Tags.empty(), List.of(new WindowStats(T0 / 1000, Stats.of(8)))),
                new QueryResult.Group(Tags.of("region", "eu"), List.of(new WindowStats(T0 / 1000, Stats.of(2, 3.0, 1.0, 2.0)))),
                new QueryResult.Group(Tags.of("region", "us"), List.of(new WindowStats(T0 / 1000, Stats.of(4)))));
    }

    @Test
    void query_step_mergesWindowsIntoAlignedStepsAndLimitCountsSteps() {
        SeriesRecorder c = aggregator.counter("hits", Tags.of("route", "/"));
        clock.set(T0 + 115_000);
        for (int i = 0; i < 12; i++) {
            c.record(i + 1, T0 + 10_000L * i); // one sample per 10 s window, 0..110 s
        }
        clock.set(T0 + 200_000);
        flush();

        MetricQuery q = new MetricQuery(SeriesKey.of("hits"), 0, Long.MAX_VALUE / 2, 2, MetricQuery.Order.NEWEST_FIRST).step(60);
        List<WindowStats> rows = queries.query(q).join().rows();

        long s0 = T0 / 1000; // aligned to 60 s: 1764000000 is a multiple of 60
        assertThat(rows).containsExactly(
                new WindowStats(s0 + 60, Stats.of(6, 7.0 + 8 + 9 + 10 + 11 + 12, 7.0, 12.0)),
                new WindowStats(s0, Stats.of(6, 1.0 + 2 + 3 + 4 + 5 + 6, 1.0, 6.0)));
        assertThat(queries.query(new MetricQuery(SeriesKey.of("hits"), 0, Long.MAX_VALUE / 2, 3,
                MetricQuery.Order.NEWEST_FIRST)).join().rows()).hasSize(3);
    }

    @Test
    void query_gauge_takesTheLatestValueAcrossWritersAndSteps() {
        store.write(List.of(
                new WindowAggregate(SeriesKey.of("q"), T0 / 1000, "other", 0, new Stats(1, 5, 5, 5, 5, T0 + 9_000),
                        MetricType.GAUGE),
                new WindowAggregate(SeriesKey.of("q"), T0 / 1000 + 10, "other", 0, new Stats(1, 2, 2, 2, 2, T0 + 12_000),
                        MetricType.GAUGE))).join();
        aggregator.gauge("q", Tags.empty()).record(3, T0 + 8_000);

        List<WindowStats> windows = queries.query(MetricQuery.latest("q", 5)).join().rows();
        List<WindowStats> steps = queries.query(MetricQuery.latest("q", 5).step(60)).join().rows();

        assertThat(windows).extracting(w -> w.stats().last()).containsExactly(2.0, 5.0);
        assertThat(steps).containsExactly(new WindowStats(T0 / 1000, new Stats(3, 10, 2, 5, 2, T0 + 12_000)));
    }

    @Test
    void set_countsDistinctMembersAndMergesWritersAsAUnion() {
        SeriesRecorder users = aggregator.set("users", Tags.of("app", "web"));
        for (int i = 0; i < 30; i++) {
            users.record(i % 10, T0 + i); // 30 samples, 10 members
        }
        WindowAggregate a = collectBySeries().get(SeriesKey.of("users", Tags.of("app", "web")));
        assertThat(a.type()).isEqualTo(MetricType.SET);
        assertThat(a.stats().count()).isEqualTo(30);
        assertThat(a.stats().distinctEstimate()).isEqualTo(10);

        // Another writer saw members 5..14 (the batch above was collected, not yet committed, so it
        // is still in memory): the union is 0..14 and 20, each counted once.
        DistinctSketch theirs = new DistinctSketch();
        for (int i = 5; i < 15; i++) {
            theirs.add(i);
        }
        store.write(List.of(new WindowAggregate(SeriesKey.of("users", Tags.of("app", "web")), T0 / 1000, "other", 0,
                new Stats(10, 95, 5, 14).withDistinct(theirs), MetricType.SET))).join();
        aggregator.set("users", Tags.of("app", "web")).record(20, T0 + 5); // a late member, still in memory
        List<WindowStats> rows = queries.query(MetricQuery.latest("users", 5)).join().rows();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).stats().count()).isEqualTo(41);
        assertThat(rows.get(0).stats().distinctEstimate()).isEqualTo(16);
    }

    @Test
    void set_typeIsKeptAndOtherTypesKeepNoDistinctSketch() {
        aggregator.set("users", Tags.empty()).record(1, T0);
        aggregator.record("cpu", 3, T0 + 1);
        Map<SeriesKey, WindowAggregate> bySeries = collectBySeries();
        assertThat(bySeries.get(SeriesKey.of("cpu")).stats().hasDistinct()).isFalse();
        assertThat(bySeries.get(SeriesKey.of("cpu")).stats().distinctEstimate()).isEqualTo(-1);
        assertThatThrownBy(() -> aggregator.counter("users", Tags.empty())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void listSeries_pagesThroughStoreAndMemoryInOrderWithoutDuplicates() {
        for (int i = 0; i < 5; i++) {
            aggregator.record("cpu", Tags.of("h", "s" + i), 1);
        }
        flush();
        for (int i = 3; i < 8; i++) {
            aggregator.record("cpu", Tags.of("h", "s" + i), 1); // 3, 4 both stored and live
        }
        aggregator.counter("hits", Tags.empty()).record(1);

        List<SeriesInfo> seen = new ArrayList<>();
        Optional<SeriesKey> cursor = Optional.empty();
        int pages = 0;
        do {
            QueryService.SeriesPage page = queries.listSeries(
                    new SeriesListQuery(Optional.of("cpu"), List.of(), 0, Long.MAX_VALUE / 2, 3, cursor)).join();
            seen.addAll(page.series());
            cursor = page.next();
            pages++;
        } while (cursor.isPresent());

        assertThat(pages).isEqualTo(3);
        assertThat(seen).extracting(s -> s.series().tags().get("h").orElseThrow())
                .containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7");
        QueryService.SeriesPage all = queries.listSeries(
                new SeriesListQuery(Optional.empty(), List.of(), 0, Long.MAX_VALUE / 2, 100, Optional.empty())).join();
        assertThat(all.series()).hasSize(9).last().isEqualTo(new SeriesInfo(SeriesKey.of("hits"), MetricType.COUNTER));
        assertThat(all.next()).isEmpty();
        assertThat(queries.listSeries(new SeriesListQuery(Optional.of("cpu"), List.of(new TagFilter("h", "s6")), 0,
                Long.MAX_VALUE / 2, 100, Optional.empty())).join().series()).hasSize(1);
    }
}
