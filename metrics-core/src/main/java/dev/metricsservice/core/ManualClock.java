package dev.metricsservice.core;

import java.time.Duration;

/**
 * A {@link MetricClock} that moves only when told to.
 *
 * <pre>{@code
 * ManualClock clock = MetricClock.manual(0);
 * clock.advance(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>Thread-safe: reads from any thread see the latest value set.
 */
public final class ManualClock extends MetricClock {

    ManualClock(long startEpochMillis) {
        super(startEpochMillis);
    }

    /** Sets the time, in epoch milliseconds. */
    public synchronized void set(long epochMillis) {
        publish(epochMillis);
    }

    /** Moves the time forward (or backward, for a negative duration). */
    public synchronized void advance(Duration by) {
        publish(millis() + by.toMillis());
    }
}
