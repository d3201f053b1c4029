package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.LoadModel;
import dev.metricsservice.loadgen.Profile;
import dev.metricsservice.loadgen.SeriesPlan;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Validated settings of one run, built by {@code LoadGenerator.Builder}; {@code bearerToken} may be
 * null. {@code idempotencyKeys}: every POST carries an {@code Idempotency-Key} and unknown outcomes
 * are retried with it.
 */
public record RunSettings(URI target, Profile profile, LoadModel model, SeriesPlan plan, int batchSize,
                          int getEvery, Duration requestTimeout, Duration connectTimeout, Duration progressInterval,
                          int ioThreads, Consumer<String> progress, String bearerToken, boolean idempotencyKeys) {

    /** The metric names of the plan. */
    public List<String> metricNames() {
        return plan.names();
    }
}
