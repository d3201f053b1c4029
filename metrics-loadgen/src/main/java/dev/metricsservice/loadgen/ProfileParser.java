package dev.metricsservice.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the small text format for profiles. One statement per line; {@code #} starts a comment.
 *
 * <pre>
 * name seed                       # optional label
 * duration 55s                    # optional total; needed with a 'rest' phase unless given by a flag
 * ramp  10s baseline max  ramp-up # shape, duration, level(s), optional label
 * hold  10s max           peak
 * ramp  10s max baseline  ramp-down
 * hold  10s baseline      quiet
 * spike 5s  herd          herd
 * hold  rest baseline     tail    # 'rest' fills up to the total duration
 * </pre>
 *
 * Durations: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} (decimals allowed: {@code 0.5s}). Levels: a
 * non-negative integer or one of {@code baseline}, {@code max}, {@code herd} (see {@link ProfileConstants}).
 * A ramp takes two levels, hold and spike one.
 *
 * <p>A total duration (from the {@code duration} line, or overriding it, from the caller) sets the length of
 * the one {@code rest} phase; a profile without a rest phase is instead scaled proportionally to the total.
 */
public final class ProfileParser {

    private static final String SEED = """
            name seed
            duration 55s
            ramp  10s baseline max      ramp-up
            hold  10s max               peak
            ramp  10s max baseline      ramp-down
            hold  10s baseline          quiet
            spike 5s  herd              herd
            hold  rest baseline         tail
            """;

    private static final String SMOKE = """
            name smoke
            duration 5s
            ramp  1s baseline max       ramp-up
            hold  1s max                peak
            spike 1s herd               herd
            hold  rest baseline         tail
            """;

    private static final String SOAK = """
            name soak
            duration 10m
            ramp  30s baseline max      ramp-up
            hold  rest max              steady
            """;

    private ProfileParser() {
    }

    static String presetText(String name) {
        return switch (name) {
            case "seed" -> SEED;
            case "smoke" -> SMOKE;
            case "soak" -> SOAK;
            default -> null;
        };
    }

    /**
     * Parses profile text.
     *
     * @param text          the profile
     * @param constants     values of the symbolic levels
     * @param totalOverride nullable; replaces the {@code duration} line
     * @throws IllegalArgumentException naming the line and what is wrong
     */
    public static Profile parse(String text, ProfileConstants constants, Duration totalOverride) {
        String name = "custom";
        Duration declaredTotal = null;
        List<String[]> phaseLines = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            String keyword = words[0].toLowerCase(Locale.ROOT);
            int lineNo = i + 1;
            switch (keyword) {
                case "name" -> {
                    expect(words.length == 2, lineNo, "'name' takes one word");
                    name = words[1];
                }
                case "duration" -> {
                    expect(words.length == 2, lineNo, "'duration' takes one value, e.g. 'duration 55s'");
                    declaredTotal = parseDuration(words[1], lineNo);
                }
                case "ramp", "hold", "spike" -> {
                    phaseLines.add(words);
                    lineNumbers.add(lineNo);
                }
                default -> throw error(lineNo, "unknown statement '" + words[0]
                        + "'; expected name, duration, ramp, hold or spike");
            }
        }
        if (phaseLines.isEmpty()) {
            throw new IllegalArgumentException("profile has no phases (ramp, hold or spike lines)");
        }
        Duration total = totalOverride != null ? totalOverride : declaredTotal;
        if (total != null && (total.isNegative() || total.isZero())) {
            throw new IllegalArgumentException("total duration must be positive, got " + total);
        }

        int restIndex = -1;
        Duration fixed = Duration.ZERO;
        for (int i = 0; i < phaseLines.size(); i++) {
            String[] words = phaseLines.get(i);
            expect(words.length >= 3, lineNumbers.get(i), "a phase needs a duration and a level");
            if (words[1].equalsIgnoreCase("rest")) {
                expect(restIndex < 0, lineNumbers.get(i), "only one phase may use 'rest'");
                restIndex = i;
            } else {
                fixed = fixed.plus(parseDuration(words[1], lineNumbers.get(i)));
            }
        }
        Duration rest = null;
        double scale = 1.0;
        if (restIndex >= 0) {
            expect(total != null, lineNumbers.get(restIndex), "'rest' needs a total: a 'duration' line or --duration");
            rest = total.minus(fixed);
            if (rest.isNegative() || rest.isZero()) {
                throw new IllegalArgumentException("total duration " + total + " leaves nothing for the 'rest' phase;"
                        + " the other phases already take " + fixed);
            }
        } else if (total != null) {
            scale = total.toNanos() / (double) fixed.toNanos();
        }

        List<Phase> phases = new ArrayList<>();
        for (int i = 0; i < phaseLines.size(); i++) {
            phases.add(parsePhase(phaseLines.get(i), lineNumbers.get(i), constants, i == restIndex ? rest : null,
                    scale, i));
        }
        return new Profile(name, phases);
    }

    private static Phase parsePhase(String[] words, int lineNo, ProfileConstants constants, Duration rest,
                                    double scale, int index) {
        String shape = words[0].toLowerCase(Locale.ROOT);
        Duration duration = rest != null ? rest : parseDuration(words[1], lineNo);
        if (scale != 1.0) {
            duration = Duration.ofNanos(Math.max(1_000_000L, Math.round(duration.toNanos() * scale)));
        }
        int levels = shape.equals("ramp") ? 2 : 1;
        expect(words.length >= 2 + levels, lineNo, "'" + shape + "' takes " + levels + " level(s)");
        expect(words.length <= 3 + levels, lineNo, "too many words; expected: " + shape + " <duration> "
                + (levels == 2 ? "<from> <to>" : "<level>") + " [label]");
        int from = parseLevel(words[2], lineNo, constants);
        int to = levels == 2 ? parseLevel(words[3], lineNo, constants) : from;
        String label = words.length == 3 + levels ? words[2 + levels] : (index + 1) + "-" + shape;
        try {
            return new Phase(label, Phase.Shape.valueOf(shape.toUpperCase(Locale.ROOT)), duration, from, to);
        } catch (IllegalArgumentException e) {
            throw error(lineNo, e.getMessage());
        }
    }

    private static int parseLevel(String word, int lineNo, ProfileConstants constants) {
        int symbolic = constants.resolve(word.toLowerCase(Locale.ROOT));
        if (symbolic >= 0) {
            return symbolic;
        }
        try {
            int level = Integer.parseInt(word);
            expect(level >= 0, lineNo, "level must be >= 0, got " + level);
            return level;
        } catch (NumberFormatException e) {
            throw error(lineNo, "level '" + word + "' is neither a number nor baseline/max/herd");
        }
    }

    /** Parses {@code 500ms}, {@code 10s}, {@code 1.5m}, {@code 1h}; a bare number means seconds. */
    public static Duration parseDuration(String text, int lineNo) {
        if (text.strip().startsWith("-")) {
            throw error(lineNo, "duration must be positive, got '" + text + "'");
        }
        Duration d;
        try {
            d = dev.metricsservice.core.units.Units.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw error(lineNo, "bad duration '" + text + "'; use e.g. 500ms, 10s, 1.5m, 2h");
        }
        if (d.isZero()) {
            throw error(lineNo, "duration must be positive, got '" + text + "'");
        }
        return d;
    }

    private static void expect(boolean condition, int lineNo, String message) {
        if (!condition) {
            throw error(lineNo, message);
        }
    }

    private static IllegalArgumentException error(int lineNo, String message) {
        return new IllegalArgumentException(lineNo > 0 ? "line " + lineNo + ": " + message : message);
    }
}
