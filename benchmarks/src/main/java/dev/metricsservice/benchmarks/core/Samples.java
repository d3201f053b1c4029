package dev.metricsservice.benchmarks.core;

import java.util.SplittableRandom;

/**
 * Pre-generated sample values shared by every benchmark, so that all libraries record the same
 * sequence and no benchmark measures a random number generator.
 *
 * <p>Integer-valued doubles from 1 to 1000 (think latencies in microseconds): a new maximum or
 * minimum is rare after the first few samples, as in real traffic, and HdrHistogram can record
 * them as longs without losing anything.
 */
final class Samples {
    static final int SIZE = 1024;
    static final int MASK = SIZE - 1;

    private Samples() {
    }

    /** A fixed pseudo-random sequence; {@code seed} lets two threads start at different places. */
    static double[] values(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[SIZE];
        for (int i = 0; i < SIZE; i++) {
            values[i] = 1 + random.nextInt(1000);
        }
        return values;
    }
}
