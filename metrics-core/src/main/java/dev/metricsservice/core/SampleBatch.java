package dev.metricsservice.core;

import java.util.Arrays;

/**
 * Samples a front end has parsed and hands to {@link Aggregator#recordAll(SampleBatch)} to be
 * recorded all or none. Reusable: {@link #clear()} keeps the arrays, so a front end can hold one
 * batch per thread and parse into it without allocating per request.
 *
 * <pre>{@code
 * SampleBatch batch = new SampleBatch();
 * batch.add("cpu", 42.5);                        // stamped by the aggregator's clock
 * batch.add("cpu", 40.0, clientEpochMillis);     // stamped by the client
 * BatchResult result = aggregator.recordAll(batch);
 * batch.clear();
 * }</pre>
 *
 * <p>Not thread-safe: one thread fills it, then hands it over.
 */
public final class SampleBatch {

    /** Creates an empty instance. */
    public SampleBatch() {
    }

    private String[] names = new String[16];
    private double[] values = new double[16];
    private long[] timestamps = new long[16];
    private boolean[] stamped = new boolean[16];
    private int size;

    /** Adds a sample to be stamped with the aggregator's clock. */
    public SampleBatch add(String name, double value) {
        return append(name, value, 0, false);
    }

    /** Adds a sample with a client timestamp in epoch milliseconds. */
    public SampleBatch add(String name, double value, long epochMillis) {
        return append(name, value, epochMillis, true);
    }

    private SampleBatch append(String name, double value, long epochMillis, boolean clientStamped) {
        if (size == names.length) {
            int n = size * 2;
            names = Arrays.copyOf(names, n);
            values = Arrays.copyOf(values, n);
            timestamps = Arrays.copyOf(timestamps, n);
            stamped = Arrays.copyOf(stamped, n);
        }
        names[size] = name;
        values[size] = value;
        timestamps[size] = epochMillis;
        stamped[size] = clientStamped;
        size++;
        return this;
    }

    /** Number of samples. */
    public int size() {
        return size;
    }

    /** The metric name of sample {@code i} (may be null or invalid: the aggregator judges it). */
    public String name(int i) {
        check(i);
        return names[i];
    }

    /** The value of sample {@code i}. */
    public double value(int i) {
        check(i);
        return values[i];
    }

    /** True when sample {@code i} carries a client timestamp. */
    public boolean hasTimestamp(int i) {
        check(i);
        return stamped[i];
    }

    /** The client timestamp of sample {@code i}, in epoch milliseconds; meaningful only if it has one. */
    public long epochMillis(int i) {
        check(i);
        return timestamps[i];
    }

    /** Empties the batch, keeping its capacity (names are dropped so they can be collected). */
    public void clear() {
        Arrays.fill(names, 0, size, null);
        size = 0;
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("sample " + i + " of a batch of " + size);
        }
    }
}
