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
 * batch.add("hits", Tags.of("route", "/"), MetricType.COUNTER, 1);      // tagged and typed
 * BatchResult result = aggregator.recordAll(batch);
 * batch.clear();
 * }</pre>
 *
 * <p>Not thread-safe: one thread fills it, then hands it over.
 */
public final class SampleBatch {

    /** Creates an empty instance. */
    public SampleBatch() {
        this(16);
    }

    /**
     * Creates an empty instance with room for {@code expectedSamples} before it grows (a parser
     * that knows its line count saves the copies of growing).
     */
    public SampleBatch(int expectedSamples) {
        int n = Math.max(1, Math.min(expectedSamples, 1 << 20));
        names = new String[n];
        tags = new Tags[n];
        types = new MetricType[n];
        values = new double[n];
        timestamps = new long[n];
        stamped = new boolean[n];
    }

    private String[] names;
    private Tags[] tags;
    private MetricType[] types;
    private double[] values;
    private long[] timestamps;
    private boolean[] stamped;
    private int size;

    /** Adds an untagged sample of the name's type, to be stamped with the aggregator's clock. */
    public SampleBatch add(String name, double value) {
        return append(name, Tags.empty(), null, value, 0, false);
    }

    /** Adds an untagged sample of the name's type with a client timestamp in epoch milliseconds. */
    public SampleBatch add(String name, double value, long epochMillis) {
        return append(name, Tags.empty(), null, value, epochMillis, true);
    }

    /**
     * Adds a sample of series (name, tags), to be stamped with the aggregator's clock.
     * {@code type} null means "the name's type, or summary for a new name".
     */
    public SampleBatch add(String name, Tags tags, MetricType type, double value) {
        return append(name, tags, type, value, 0, false);
    }

    /** Adds a sample of series (name, tags) with a client timestamp; see {@link #add(String, Tags, MetricType, double)}. */
    public SampleBatch add(String name, Tags tags, MetricType type, double value, long epochMillis) {
        return append(name, tags, type, value, epochMillis, true);
    }

    /** Adds sample {@code i} of {@code from} as it is (its timestamp, or none). */
    public SampleBatch addFrom(SampleBatch from, int i) {
        from.check(i);
        return append(from.names[i], from.tags[i], from.types[i], from.values[i], from.timestamps[i], from.stamped[i]);
    }

    private SampleBatch append(String name, Tags sampleTags, MetricType type, double value, long epochMillis,
                               boolean clientStamped) {
        if (size == names.length) {
            int n = size * 2;
            names = Arrays.copyOf(names, n);
            tags = Arrays.copyOf(tags, n);
            types = Arrays.copyOf(types, n);
            values = Arrays.copyOf(values, n);
            timestamps = Arrays.copyOf(timestamps, n);
            stamped = Arrays.copyOf(stamped, n);
        }
        names[size] = name;
        tags[size] = sampleTags;
        types[size] = type;
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

    /** The tags of sample {@code i} (may be null or invalid: the aggregator judges them). */
    public Tags tags(int i) {
        check(i);
        return tags[i];
    }

    /** The type sample {@code i} was sent with; null when it named none. */
    public MetricType type(int i) {
        check(i);
        return types[i];
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

    // Unchecked reads for the aggregator's batch loops, which run from 0 to size(): the arrays'
    // own bounds checks stay, the size check per field and sample goes.
    String nameAt(int i) {
        return names[i];
    }

    Tags tagsAt(int i) {
        return tags[i];
    }

    MetricType typeAt(int i) {
        return types[i];
    }

    double valueAt(int i) {
        return values[i];
    }

    boolean stampedAt(int i) {
        return stamped[i];
    }

    long epochMillisAt(int i) {
        return timestamps[i];
    }

    /** A copy of the first {@code n} samples, for handing the batch to another thread. */
    SampleBatch copy(int n) {
        SampleBatch c = new SampleBatch();
        int cap = Math.max(1, n);
        c.names = Arrays.copyOf(names, cap);
        c.tags = Arrays.copyOf(tags, cap);
        c.types = Arrays.copyOf(types, cap);
        c.values = Arrays.copyOf(values, cap);
        c.timestamps = Arrays.copyOf(timestamps, cap);
        c.stamped = Arrays.copyOf(stamped, cap);
        c.size = n;
        return c;
    }

    /** Empties the batch, keeping its capacity (names are dropped so they can be collected). */
    public void clear() {
        Arrays.fill(names, 0, size, null);
        Arrays.fill(tags, 0, size, null);
        Arrays.fill(types, 0, size, null);
        size = 0;
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("sample " + i + " of a batch of " + size);
        }
    }
}
