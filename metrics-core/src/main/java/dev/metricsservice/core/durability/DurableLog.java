package dev.metricsservice.core.durability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Where accepted samples are made durable before they are acknowledged: front ends append the
 * encoded batch and answer only when the returned future completes. Implemented by
 * {@code metrics-wal}; front ends and core depend on this interface only.
 *
 * <pre>{@code
 * log.append(encodedBatch).whenComplete((position, error) -> {
 *     if (error == null) answer202(); else answer503(error);   // never 202 for what is not durable
 * });
 * }</pre>
 *
 * <p>Thread-safe. {@link #append} never blocks the caller: the record is queued and a writer
 * thread makes it durable together with whatever else is queued (group commit). Futures complete
 * in position order.
 */
public interface DurableLog extends AutoCloseable {

    /**
     * Appends one record. The future completes with the record's position (increasing in append
     * order) once the record is on stable storage, or fails with a {@link DurableLogException}
     * saying why it is not (log full, I/O error, closed).
     */
    CompletableFuture<Long> append(ByteBuffer record);

    /**
     * Appends a small control record that may use a reserve ordinary records cannot: what lets
     * the log record the steps that free it (a flush marker) even when it is full for data.
     */
    CompletableFuture<Long> appendControl(ByteBuffer record);

    /**
     * Feeds every record at or past the checkpoint to {@code visitor}, in position order. Call
     * before the first append.
     *
     * @return the number of records fed
     */
    long replay(RecordVisitor visitor) throws IOException;

    /**
     * Records durably that nothing below {@code position} needs replaying, with {@code state}
     * (what the replay from there needs to start with), and frees what lies wholly below it.
     * A position lower than the current checkpoint is ignored.
     */
    void checkpoint(long position, byte[] state) throws IOException;

    /** The state saved with the latest checkpoint; empty when there is none. */
    byte[] checkpointState();

    /** How full the log is, 0 to 1, against its configured maximum. */
    double fill();

    /**
     * Why an {@link #append} made now would fail (full, failed or closed), or empty while the log
     * takes records: what a readiness probe asks. A snapshot; the next append may still find the
     * log full.
     */
    default java.util.Optional<DurableLogException> refusal() {
        return java.util.Optional.empty();
    }

    /** Closes the log; records appended before are made durable first. */
    @Override
    void close();

    /** Receives replayed records. */
    @FunctionalInterface
    interface RecordVisitor {
        /** One record; {@code payload} is valid only during the call. */
        void record(long position, ByteBuffer payload) throws IOException;
    }
}
