package dev.metricsservice.core;

/**
 * The outcome of {@link Aggregator#recordAll(SampleBatch)}.
 *
 * <pre>{@code
 * BatchResult r = aggregator.recordAll(batch);
 * if (!r.isAccepted()) {
 *     // r.refusal() says why, r.index() which sample, r.recorded() how many were recorded (0
 *     // unless r.isPartial()), aggregator.explain(r.refusal()) the sentence to show
 * }
 * }</pre>
 *
 * <p>A batch is checked whole before any of it is recorded, so a refusal normally means nothing
 * was recorded. The one exception is {@link RecordResult#OVERLOADED} raised by a collector that
 * fell more than a ring of windows behind while the batch was being recorded: then the first
 * {@link #recorded()} samples are in and the rest are not ({@link #isPartial()}).
 *
 * @param refusal  {@link RecordResult#ACCEPTED}, or why the batch was refused
 * @param index    the sample that caused the refusal, or -1 when accepted
 * @param recorded how many samples were recorded (all when accepted)
 */
public record BatchResult(RecordResult refusal, int index, int recorded) {

    static BatchResult accepted(int size) {
        return new BatchResult(RecordResult.ACCEPTED, -1, size);
    }

    static BatchResult refused(RecordResult reason, int index) {
        return new BatchResult(reason, index, 0);
    }

    /** True when every sample was recorded. */
    public boolean isAccepted() {
        return refusal == RecordResult.ACCEPTED;
    }

    /** True when some samples were recorded and the rest were not (see the class comment). */
    public boolean isPartial() {
        return !isAccepted() && recorded > 0;
    }
}
