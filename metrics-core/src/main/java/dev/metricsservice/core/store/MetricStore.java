package dev.metricsservice.core.store;

import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Durable storage for window aggregates: the interface every backend implements.
 *
 * <pre>{@code
 * try (MetricStore store = new InMemoryMetricStore()) {
 *     store.write(batch.aggregates()).join();          // then batch.commit()
 *     List<WindowStats> rows = store.query(MetricQuery.latest("cpu", 20)).join();
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Idempotent writes.</b> An aggregate is identified by (series, window start, writer id,
 *       amendment).
 *       Writing the same identity again <em>replaces</em> the stored value; it never adds to it.
 *       Repeating a whole write, or a part of it, therefore leaves the store exactly as one
 *       successful write would.</li>
 *   <li><b>Several writers.</b> Different writer ids (one per service instance) and
 *       amendments (late samples of a window already final) may hold aggregates of the same
 *       series and window; they hold disjoint samples. A query returns their merge, as computed by
 *       {@link dev.metricsservice.core.Stats#merge}: counts and sums add, min of mins, max of
 *       maxes.</li>
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
     * Reads the windows of one series in the query's range, each merged across writers and
     * amendments, ordered and limited as the query says. An unknown series yields an empty list.
     */
    CompletableFuture<List<WindowStats>> query(MetricQuery query);

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
