package dev.metricsservice.core.units;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's one grammar for durations and sizes on command lines, in environment variables
 * and in profile files, shared by the app, the load generator and the trace command.
 *
 * <ul>
 *   <li><b>Durations:</b> a non-negative decimal number and a unit: {@code ms}, {@code s},
 *       {@code m}, {@code h} or {@code d}; a bare number means seconds. Examples {@code 250ms},
 *       {@code 10s}, {@code 1.5m}, {@code 2h}, {@code 7d}, {@code 0}. Resolution: 1 ms.</li>
 *   <li><b>Sizes:</b> a non-negative whole number and a unit: {@code B} (the default),
 *       {@code KB}/{@code MB}/{@code GB} (powers of 1000) or {@code KiB}/{@code MiB}/{@code GiB}
 *       (powers of 1024), case-insensitive. Examples {@code 1048576}, {@code 512KiB}, {@code 1GiB}.</li>
 * </ul>
 *
 * <pre>{@code
 * Duration ttl = Units.parseDuration("15m");
 * long cap = Units.parseBytes("30MiB");
 * String shown = Units.formatDuration(ttl);    // "15m"
 * }</pre>
 *
 * <p>Stateless and thread-safe. Parse errors are {@link IllegalArgumentException}s whose message
 * quotes the text and gives examples.
 */
public final class Units {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(b|kb|kib|mb|mib|gb|gib)?");

    private Units() {
    }

    /** Parses a duration (see the class comment). */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 250ms, 10s, 1.5m, 2h, 7d, 0)");
        }
        long unitMillis = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 1000L;
        };
        BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis));
        if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        if (millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is finer than a millisecond");
        }
        return Duration.ofMillis(millis.longValueExact());
    }

    /** Parses a size in bytes (see the class comment). */
    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 1048576, 512KiB, 1MiB, 30MB)");
        }
        long factor = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kb" -> 1000L;
            case "kib" -> 1024L;
            case "mb" -> 1000L * 1000;
            case "mib" -> 1024L * 1024;
            case "gb" -> 1000L * 1000 * 1000;
            case "gib" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size", e);
        }
    }

    /** The shortest text {@link #parseDuration} reads back as {@code d} (millisecond resolution). */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** The shortest binary-unit text {@link #parseBytes} reads back as {@code bytes}. */
    public static String formatBytes(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + "MiB";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "KiB";
        }
        return Long.toString(bytes);
    }
}
