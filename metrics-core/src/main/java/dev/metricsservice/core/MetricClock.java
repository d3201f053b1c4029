package dev.metricsservice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A coarse wall clock in epoch milliseconds, read on the record path.
 *
 * <p>Reading {@code System.currentTimeMillis()} costs about 24 ns on the machines we measured,
 * several times the whole record path. This clock is a single field that a background ticker
 * refreshes; reading it costs one load.
 *
 * <pre>{@code
 * Aggregator production = Aggregator.builder().clock(MetricClock.system()).build();
 * ManualClock clock = MetricClock.manual(1_764_000_000_000L);
 * Aggregator test = Aggregator.builder().clock(clock).build();
 * clock.advance(Duration.ofSeconds(10));
 * }</pre>
 *
 * <h2>Precision</h2>
 * The {@linkplain #system() system clock} is refreshed every millisecond by one daemon thread
 * shared by the whole JVM, so a reading is at most about 1 ms (plus the ticker's scheduling delay,
 * typically well under 1 ms) behind the true time. A sample recorded just after a window boundary
 * may therefore be counted in the window before it; it is counted exactly once either way.
 *
 * <p>Thread-safe: any thread may read; only the owner (the ticker, or a test) advances it.
 */
public abstract class MetricClock {

    private static final VarHandle NOW;

    static {
        try {
            NOW = MethodHandles.lookup().findVarHandle(MetricClock.class, "nowMillis", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through NOW
    private long nowMillis;

    MetricClock(long startMillis) {
        NOW.setRelease(this, startMillis);
    }

    /** The current time in epoch milliseconds, as last refreshed. */
    public final long millis() {
        // Acquire is enough: readers only need the latest published value, and the clock is not
        // used to order other memory accesses.
        return (long) NOW.getAcquire(this);
    }

    final void publish(long epochMillis) {
        NOW.setRelease(this, epochMillis);
    }

    /** The JVM-wide coarse system clock, started on first use. */
    public static MetricClock system() {
        return SystemClock.INSTANCE;
    }

    /** A clock that moves only when told to: for tests and simulations. */
    public static ManualClock manual(long startEpochMillis) {
        return new ManualClock(startEpochMillis);
    }

    private static final class SystemClock extends MetricClock {
        static final SystemClock INSTANCE = new SystemClock();
        private static final long TICK_NANOS = 1_000_000L;

        private SystemClock() {
            super(System.currentTimeMillis());
            Thread ticker = new Thread(this::tick, "metrics-clock-ticker");
            ticker.setDaemon(true);
            ticker.start();
        }

        private void tick() {
            while (true) {
                publish(System.currentTimeMillis());
                LockSupport.parkNanos(TICK_NANOS);
            }
        }
    }
}
