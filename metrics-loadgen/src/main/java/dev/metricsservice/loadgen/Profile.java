package dev.metricsservice.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A load profile: named phases played one after another, giving the load level as a function of time.
 *
 * <pre>{@code
 * Profile seed = Profile.preset("seed");                    // the seed's 55 s profile
 * Profile custom = Profile.load(Path.of("spiky.profile"), ProfileConstants.SEED, null);
 * int workersAt12s = seed.levelAt(Duration.ofSeconds(12)); // 40
 * }</pre>
 *
 * <p>Phase {@code i} covers {@code [start_i, start_i + duration_i)}; at and after {@link #totalDuration()} the
 * level is 0. Profiles are text (see {@link ProfileParser} for the format); the presets {@code seed},
 * {@code smoke} and {@code soak} are themselves written in that format. Immutable and thread-safe.
 *
 * @param name   label used in reports
 * @param phases at least one phase, in order
 */
public record Profile(String name, List<Phase> phases) {

    /** Names of the built-in presets. */
    public static final List<String> PRESETS = List.of("seed", "smoke", "soak");

    public Profile {
        Objects.requireNonNull(name, "name");
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("profile '" + name + "' has no phases");
        }
    }

    /** A preset with the seed's constants and duration. */
    public static Profile preset(String presetName) {
        return preset(presetName, ProfileConstants.SEED, null);
    }

    /**
     * A preset with the given constants; {@code totalDuration} (nullable) replaces the preset's own total,
     * see {@link ProfileParser#parse}.
     *
     * @throws IllegalArgumentException for an unknown preset name
     */
    public static Profile preset(String presetName, ProfileConstants constants, Duration totalDuration) {
        String text = ProfileParser.presetText(presetName);
        if (text == null) {
            throw new IllegalArgumentException("unknown profile preset '" + presetName + "'; known: " + PRESETS);
        }
        return ProfileParser.parse(text, constants, totalDuration);
    }

    /** Reads a profile file (format in {@link ProfileParser}). */
    public static Profile load(Path file, ProfileConstants constants, Duration totalDuration) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return ProfileParser.parse(text, constants, totalDuration);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Sum of all phase durations. */
    public Duration totalDuration() {
        Duration total = Duration.ZERO;
        for (Phase phase : phases) {
            total = total.plus(phase.duration());
        }
        return total;
    }

    /** Start offset of phase {@code index} from the start of the run. */
    public Duration phaseStart(int index) {
        Duration start = Duration.ZERO;
        for (int i = 0; i < index; i++) {
            start = start.plus(phases.get(i).duration());
        }
        return start;
    }

    /** Index of the phase running {@code elapsedNanos} after the start, or -1 before 0 or at/after the end. */
    public int phaseIndexAt(long elapsedNanos) {
        if (elapsedNanos < 0) {
            return -1;
        }
        long start = 0;
        for (int i = 0; i < phases.size(); i++) {
            long end = start + phases.get(i).duration().toNanos();
            if (elapsedNanos < end) {
                return i;
            }
            start = end;
        }
        return -1;
    }

    /** The level {@code elapsed} after the start; 0 outside the profile. */
    public int levelAt(Duration elapsed) {
        return levelAtNanos(elapsed.toNanos());
    }

    /** The level {@code elapsedNanos} after the start; 0 outside the profile. */
    public int levelAtNanos(long elapsedNanos) {
        if (elapsedNanos < 0) {
            return 0;
        }
        long start = 0;
        for (Phase phase : phases) {
            long end = start + phase.duration().toNanos();
            if (elapsedNanos < end) {
                return phase.levelAt(elapsedNanos - start);
            }
            start = end;
        }
        return 0;
    }

    /** The highest level of any phase (the number of workers/connections the closed model needs). */
    public int peakLevel() {
        int peak = 0;
        for (Phase phase : phases) {
            peak = Math.max(peak, phase.peakLevel());
        }
        return peak;
    }
}
