package dev.metricsservice.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Stats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WindowMergerTest {

    private static final SeriesKey CPU = SeriesKey.of("cpu");

    /** Items for windows 0, 10, ..., 190, three per window, with distinct integer values. */
    private static List<long[]> items() {
        List<long[]> out = new ArrayList<>();
        for (int w = 0; w < 20; w++) {
            for (int k = 0; k < 3; k++) {
                out.add(new long[] {w * 10L, w * 100L + k + 1});
            }
        }
        return out;
    }

    private static List<SeriesWindow> expected(List<long[]> items, MetricQuery q) {
        TreeMap<Long, Stats> byWindow = new TreeMap<>();
        for (long[] i : items) {
            byWindow.merge(i[0], Stats.of(i[1]), Stats::merge);
        }
        List<SeriesWindow> rows = new ArrayList<>();
        var ordered = q.order() == MetricQuery.Order.NEWEST_FIRST ? byWindow.descendingMap() : byWindow;
        for (var e : ordered.entrySet()) {
            if (q.covers(e.getKey()) && rows.size() < q.limit()) {
                rows.add(new SeriesWindow(CPU, MetricType.SUMMARY, e.getKey(), e.getValue()));
            }
        }
        return rows;
    }

    @Test
    void result_anyArrivalOrder_mergesEachWindowOnceInTheQuerysOrder() {
        Random random = new Random(5);
        for (MetricQuery.Order order : MetricQuery.Order.values()) {
            MetricQuery q = new MetricQuery(CPU, 30, 170, 7, order);
            List<long[]> ascending = items();
            List<long[]> descending = new ArrayList<>(ascending);
            Collections.reverse(descending);
            List<long[]> shuffled = new ArrayList<>(ascending);
            Collections.shuffle(shuffled, random);
            for (List<long[]> arrival : List.of(ascending, descending, shuffled)) {
                WindowMerger m = new WindowMerger();
                for (long[] i : arrival) {
                    m.add(CPU, MetricType.SUMMARY, i[0], Stats.of(i[1]));
                }
                assertThat(m.result(q)).as("%s, arrival starting at window %d", order, arrival.get(0)[0])
                        .isEqualTo(expected(arrival, q));
            }
        }
    }
}
