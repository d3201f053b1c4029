package dev.metricsservice.loadgen;

import java.time.Duration;
import java.util.Objects;

/**
 * One phase of a {@link Profile}: a shape, a duration and the load level at its start and end.
 *
 * <p>The level is a number of concurrent workers in the closed model, and is multiplied by the
 * requests-per-second-per-level factor in the open model (see {@link LoadModel}).
 * <ul>
 *   <li>{@link Shape#RAMP}: the level moves linearly from {@code fromLevel} to {@code toLevel}.</li>
 *   <li>{@link Shape#HOLD}: the level stays at {@code fromLevel} (== {@code toLevel}).</li>
 *   <li>{@link Shape#SPIKE}: like hold, but marks a sudden jump (a thundering herd) in reports.</li>
 * </ul>
 * Immutable and thread-safe.
 *
 * @param name      label used in reports, e.g. {@code "ramp-up"}
 * @param shape     how the level changes within the phase
 * @param duration  length of the phase, positive
 * @param fromLevel level at the start of the phase, {@code >= 0}
 * @param toLevel   level at the end of the phase, {@code >= 0}
 */
public record Phase(String name, Shape shape, Duration duration, int fromLevel, int toLevel) {

    /** How the level moves within a phase. */
    public enum Shape { RAMP, HOLD, SPIKE }

    public Phase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("phase '" + name + "': duration must be positive, got " + duration);
        }
        if (fromLevel < 0 || toLevel < 0) {
            throw new IllegalArgumentException("phase '" + name + "': levels must be >= 0, got "
                    + fromLevel + " and " + toLevel);
        }
        if (shape != Shape.RAMP && fromLevel != toLevel) {
            throw new IllegalArgumentException("phase '" + name + "': a " + shape.name().toLowerCase(java.util.Locale.ROOT)
                    + " has one level, got " + fromLevel + " and " + toLevel);
        }
    }

    /** A linear ramp. */
    public static Phase ramp(String name, Duration duration, int fromLevel, int toLevel) {
        return new Phase(name, Shape.RAMP, duration, fromLevel, toLevel);
    }

    /** A constant level. */
    public static Phase hold(String name, Duration duration, int level) {
        return new Phase(name, Shape.HOLD, duration, level, level);
    }

    /** A sudden constant level (thundering herd). */
    public static Phase spike(String name, Duration duration, int level) {
        return new Phase(name, Shape.SPIKE, duration, level, level);
    }

    /**
     * The level {@code offsetNanos} after the phase started: linear interpolation for a ramp, rounded to the
     * nearest integer, so a 10 s ramp from 4 to 40 gives 4 at 0 s, 22 at 5 s and approaches 40 at its end.
     */
    public int levelAt(long offsetNanos) {
        if (shape != Shape.RAMP || fromLevel == toLevel) {
            return fromLevel;
        }
        double fraction = Math.min(1.0, Math.max(0.0, offsetNanos / (double) duration.toNanos()));
        return (int) Math.round(fromLevel + (toLevel - fromLevel) * fraction);
    }

    /** The highest level the phase reaches. */
    public int peakLevel() {
        return Math.max(fromLevel, toLevel);
    }
}
