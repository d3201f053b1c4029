package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.storetest.QuantileDataSets;
import dev.metricsservice.core.storetest.QuantileDataSets.DataSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Quantile accuracy through the core API, end to end: each data set is split across two
 * aggregators (writers) sharing one store, three tag values, eight windows (five of them already
 * final, so their samples become amendments), a flush in the middle (so open windows are stored as
 * partials and rewritten) and a query that merges everything into one step, or one group per tag
 * value. Every reported quantile must be within the relative accuracy of the exact value at the
 * same rank; count, sum, min and max must be exact (see {@link QuantileDataSets}).
 */
class QuantileAccuracyTest {

    private static final long T0 = 1_764_000_000_000L;
    private static final String[] HOSTS = {"a", "b", "c"};

    @Test
    void query_everyDataSetAcrossWritersWindowsTagsAndAStep_isWithinTheAccuracy() {
        StringBuilder figures = new StringBuilder();
        for (DataSet set : QuantileDataSets.all(20_000, 42)) {
            InMemoryMetricStore store = new InMemoryMetricStore();
            double worst = run(set, 0.01, 2048, store);
            // Serialized size of each stored (series, window): the sketch a store keeps, all writers merged.
            List<SeriesWindow> windows = store.query(new MetricQuery("acc." + set.name(), List.of(), List.of(), 0, 0,
                    Long.MAX_VALUE / 2, 1000, MetricQuery.Order.OLDEST_FIRST)).join();
            int max = 0;
            long total = 0;
            for (SeriesWindow w : windows) {
                int bytes = w.stats().sketchBytes().length;
                max = Math.max(max, bytes);
                total += bytes;
                assertThat(bytes).isLessThanOrEqualTo(QuantileSketch.maxSerializedBytes(2048));
            }
            figures.append(String.format("%-20s worst relative error %.5f; %d series-windows of ~%d samples,"
                    + " sketch %d bytes mean, %d max%n", set.name(), worst, windows.size(),
                    set.values().length / windows.size(), total / windows.size(), max));
        }
        System.out.print(figures); // the figures for the README
    }

    @Test
    void query_finerAccuracy_isWithinIt() {
        // 0.1 % takes about 1,250 buckets per decade: the integers 1..999 need about 3,750.
        DataSet set = QuantileDataSets.all(20_000, 7).get(3);
        assertThat(run(set, 0.001, 8192, new InMemoryMetricStore())).isLessThanOrEqualTo(0.001);
    }

    private static double run(DataSet set, double accuracy, int maxBuckets, InMemoryMetricStore store) {
        ManualClock clock = MetricClock.manual(T0 + 60_000);
        Aggregator w1 = Aggregator.builder().clock(clock).writerId("w1").sketchAccuracy(accuracy)
                .sketchMaxBuckets(maxBuckets).build();
        Aggregator w2 = Aggregator.builder().clock(clock).writerId("w2").sketchAccuracy(accuracy)
                .sketchMaxBuckets(maxBuckets).build();
        String name = "acc." + set.name();
        Tags[] tags = new Tags[HOSTS.length];
        for (int h = 0; h < HOSTS.length; h++) {
            tags[h] = Tags.of("host", HOSTS[h]);
            w1.distribution(name, tags[h]);
            w2.distribution(name, tags[h]);
        }
        double[] values = set.values();
        int half = values.length / 2;
        double worst = 0;
        for (int i = 0; i < values.length; i++) {
            if (i == half) {
                flush(w1, store);
                flush(w2, store);
                // Memory and store together, before the rest is flushed: the partials' difference.
                worst = Math.max(worst, check(set.name() + " (half, memory + store)", set,
                        Arrays.copyOf(values, i), w1, store, name, accuracy));
            }
            if (i == half + half / 2) {
                // Only the second writer flushes: the first one's samples since its partials were
                // stored come from memory, as the difference between its windows and their partials.
                flush(w2, store);
                worst = Math.max(worst, check(set.name() + " (three quarters, memory + store)", set,
                        Arrays.copyOf(values, i), w1, store, name, accuracy));
            }
            Aggregator writer = i % 2 == 0 ? w1 : w2;
            long ts = T0 + (i % 8) * 10_000L + (i % 997); // windows 0..7 of 10 s; 0..4 are final already
            assertThat(writer.record(name, tags[(i / 2) % HOSTS.length], values[i], ts)).isEqualTo(RecordResult.ACCEPTED);
        }
        clock.advance(Duration.ofMinutes(10));
        flush(w1, store);
        flush(w2, store);
        worst = Math.max(worst, check(set.name(), set, values, w1, store, name, accuracy));
        // Per tag value: each group's sketch holds exactly that host's samples.
        QueryResult grouped = new QueryService(w2, store).query(new MetricQuery(name, List.of(), List.of("host"), 1000,
                0, Long.MAX_VALUE / 2, 10, MetricQuery.Order.OLDEST_FIRST), QuantileDataSets.QUANTILES).join();
        assertThat(grouped.groups()).hasSize(HOSTS.length);
        for (QueryResult.Group g : grouped.groups()) {
            int h = Arrays.asList(HOSTS).indexOf(g.tags().value(0));
            List<Double> mine = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                if ((i / 2) % HOSTS.length == h) {
                    mine.add(values[i]);
                }
            }
            assertThat(g.rows()).hasSize(1);
            Stats s = g.rows().get(0).stats();
            worst = Math.max(worst, QuantileDataSets.assertAccurate(set.name() + " host " + HOSTS[h], set,
                    mine.stream().mapToDouble(Double::doubleValue).toArray(), s,
                    QuantileDataSets.QUANTILES.valuesOf(s), accuracy));
        }
        return worst;
    }

    private static double check(String what, DataSet set, double[] values, Aggregator memory, InMemoryMetricStore store,
                                String name, double accuracy) {
        // Another writer's unflushed samples are not in this aggregator's memory: the caller queries
        // only when the other writer has flushed everything.
        QueryResult r = new QueryService(memory, store).query(new MetricQuery(name, List.of(), List.of(), 1000, 0,
                Long.MAX_VALUE / 2, 10, MetricQuery.Order.OLDEST_FIRST), QuantileDataSets.QUANTILES).join();
        assertThat(r.rows()).as(what).hasSize(1);
        Stats s = r.rows().get(0).stats();
        return QuantileDataSets.assertAccurate(what, set, values, s, QuantileDataSets.QUANTILES.valuesOf(s), accuracy);
    }

    private static void flush(Aggregator aggregator, InMemoryMetricStore store) {
        for (int i = 0; i < 10; i++) {
            CollectedBatch batch = aggregator.collect();
            if (batch.isEmpty()) {
                return;
            }
            store.write(batch.aggregates()).join();
            batch.commit();
        }
    }
}
