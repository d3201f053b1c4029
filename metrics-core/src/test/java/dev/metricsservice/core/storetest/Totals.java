package dev.metricsservice.core.storetest;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.QueryService;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;

/** For front ends' tests: everything memory and store hold for a series, merged into one value. */
public final class Totals {

    private Totals() {
    }

    /** The merge of every window of {@code key} (all of time), through the query path. */
    public static Stats of(Aggregator aggregator, MetricStore store, SeriesKey key) throws Exception {
        Stats sum = Stats.EMPTY;
        for (WindowStats w : new QueryService(aggregator, store).query(new MetricQuery(key, 0, 4_000_000_000L, 100_000,
                MetricQuery.Order.OLDEST_FIRST)).get().rows()) {
            sum = sum.merge(w.stats());
        }
        return sum;
    }
}
