package dev.metricsservice.benchmarks.core;

/**
 * One series of one library, as the benchmarks see it: a sink for samples.
 *
 * <p>Each JMH fork instantiates exactly one subclass (the {@code impl} parameter picks it), so the
 * call site in the benchmark method stays monomorphic and every library pays the same small
 * dispatch cost.
 */
abstract class Instrument {

    /** Records one sample the way an application would with this library. */
    abstract void record(double value);
}
