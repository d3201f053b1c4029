package dev.metricsservice.core.durability;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Where accepted samples are made durable before they are acknowledged: front ends append the
 * encoded batch and answer only when the returned future completes. Implemented by
 * {@code metrics-wal}; front ends depend on this interface only.
 *
 * <pre>{@code
 * log.append(encodedBatch).whenComplete((position, error) -> {
 *     if (error == null) answer202(); else answer503(error);   // never 202 for what is not durable
 * });
 * }</pre>
 *
 * <p>Thread-safe. {@link #append} never blocks the caller: the record is queued and a writer
 * thread makes it durable together with whatever else is queued (group commit).
 */
public interface DurableLog extends AutoCloseable {

    /**
     * Appends one record. The future completes with the record's position (increasing in append
     * order) once the record is on stable storage, or fails with a {@link DurableLogException}
     * saying why it is not (log full, I/O error, closed).
     */
    CompletableFuture<Long> append(ByteBuffer record);

    /** Closes the log; records appended before are made durable first. */
    @Override
    void close();
}
