package dev.metricsservice.loadgen;

import java.util.List;

/**
 * The seed's sample formula, shared by the generator and by tests.
 *
 * <p>Worker {@code w}'s {@code n}-th sample (counting from 0) is metric {@code names[n % names.size()]} with
 * value {@code |sin(n * 1.3 + w * 7.7)| * 100}. Stateless and thread-safe.
 */
public final class Samples {

    /** The seed's metric names. */
    public static final List<String> SEED_NAMES = List.of("cpu", "memory", "latency", "error_rate", "queue_depth");

    private Samples() {
    }

    /** Value of worker {@code worker}'s {@code n}-th sample. */
    public static double value(long n, int worker) {
        return Math.abs(Math.sin(n * 1.3 + worker * 7.7)) * 100.0;
    }

    /** Index into the names of worker's {@code n}-th sample. */
    public static int nameIndex(long n, int nameCount) {
        return (int) (n % nameCount);
    }
}
