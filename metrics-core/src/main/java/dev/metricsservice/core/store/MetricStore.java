package dev.metricsservice.core.store;

import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Durable storage for window aggregates: the interface every backend implements.
 *
 * <pre>{@code
 * try (MetricStore store = new InMemoryMetricStore()) {
 *     store.write(batch.aggregates()).join();          // then batch.commit()
 *     List<SeriesWindow> rows = store.query(MetricQuery.latest("cpu", 20)).join();
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Series.</b> A series is a name and its tags ({@link SeriesKey}); the store keeps each
 *       aggregate's {@link dev.metricsservice.core.MetricType} and, for gauges, the last value
 *       and its timestamp, and gives them back exactly.</li>
 *   <li><b>Idempotent writes.</b> An aggregate is identified by (series, window start, writer id,
 *       amendment).
 *       Writing the same identity again <em>replaces</em> the stored value; it never adds to it.
 *       Repeating a whole write, or a part of it, therefore leaves the store exactly as one
 *       successful write would.</li>
 *   <li><b>Several writers.</b> Different writer ids (one per service instance) and
 *       amendments (late samples of a window already final) may hold aggregates of the same
 *       series and window; they hold disjoint samples. A query returns their merge, as computed by
 *       {@link dev.metricsservice.core.Stats#merge}: counts and sums add, min of mins, max of
 *       maxes, the latest last value.</li>
 *   <li><b>All or failed.</b> The future of {@link #write} completes normally only when every
 *       aggregate is durably stored. Otherwise it completes exceptionally with a
 *       {@link StoreException}; some aggregates may then be stored and others not, which is
 *       harmless because the caller writes them all again.</li>
 *   <li><b>Exact numbers.</b> A double written is read back as the same double.</li>
 *   <li><b>Errors.</b> Every failure is a {@link StoreException} whose {@link StoreException.Kind}
 *       says whether retrying helps; a backend's own exceptions never escape.</li>
 *   <li><b>Non-blocking.</b> Methods return promptly; the work happens on the store's own threads,
 *       never on the caller's (callers may be event loops). Futures may complete on any thread.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe: writes and queries may be issued concurrently. Every
 * backend runs the abstract contract tests published in this module's test-jar
 * ({@code MetricStoreContractTest}).
 */
public interface MetricStore extends AutoCloseable {

    /**
     * Stores a batch of aggregates, replacing any earlier value of the same (series, window, writer,
     * amendment).
     * The list may be empty, and may hold more items than the backend writes in one request.
     *
     * @return a future that completes when every aggregate is stored, or exceptionally with a
     *     {@link StoreException}
     */
    CompletableFuture<Void> write(List<WindowAggregate> aggregates);

    /**
     * Reads the windows of every series of the query's metric whose tags match all its filters,
     * in its range, each (series, window) merged across writers and amendments. Per series, the
     * answer holds at least the windows of the series' first {@code limit} steps in the query's
     * order ({@link MetricQuery#stepStart}); {@link WindowMerger#result} computes exactly that.
     * Grouping and step merging are the caller's ({@link dev.metricsservice.core.QueryService}).
     * An unknown metric yields an empty list.
     */
    CompletableFuture<List<SeriesWindow>> query(MetricQuery query);

    /**
     * Lists the series the store holds data of in the query's range, matching its name and
     * filters, in {@link SeriesKey} order after its cursor, at most its limit. A backend may
     * answer with series whose data lies slightly outside the range (it documents how far).
     */
    CompletableFuture<List<SeriesInfo>> listSeries(SeriesListQuery query);

    /**
     * Checks that the store can currently serve reads and writes (for readiness probes).
     *
     * @return a future completing normally when ready, exceptionally with a {@link StoreException}
     *     saying why not
     */
    CompletableFuture<Void> checkReady();

    /** A short description for logs and banners, such as {@code "sqlite ./data/metrics.db"}. */
    String describe();

    /** Releases the store's resources. Calls after close fail with {@link StoreException.Kind#CLOSED}. */
    @Override
    void close();
}
