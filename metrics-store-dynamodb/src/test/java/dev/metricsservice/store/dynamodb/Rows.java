package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.QueryService;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A store's answer to a query, merged and limited as the query service would. */
final class Rows {

    private Rows() {
    }

    static List<WindowStats> of(MetricStore store, MetricQuery q, long timeoutSeconds) throws Exception {
        return QueryService.group(q, store.query(q).get(timeoutSeconds, TimeUnit.SECONDS)).rows();
    }
}
