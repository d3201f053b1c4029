package dev.metricsservice.app;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The value grammar of the app's options: each parser reads one flag's text, checks its range and
 * throws a {@link AppConfig.ConfigException} that names the flag and what it accepts. Durations
 * and sizes use {@link Units}, the one grammar every command shares. Stateless.
 */
final class OptionValues {

    private OptionValues() {
    }

    static AppConfig.LogFormat logFormat(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> AppConfig.LogFormat.TEXT;
            case "json" -> AppConfig.LogFormat.JSON;
            default -> throw new AppConfig.ConfigException("--log-format must be 'text' or 'json', was '" + v + "'");
        };
    }

    static String logLevel(String v) {
        String l = v.trim().toLowerCase(Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace").contains(l)) {
            throw new AppConfig.ConfigException("--log-level must be error, warn, info, debug or trace, was '" + v + "'");
        }
        return l;
    }

    static dev.metricsservice.store.sqlite.SqliteStoreConfig.Synchronous synchronous(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "normal" -> dev.metricsservice.store.sqlite.SqliteStoreConfig.Synchronous.NORMAL;
            case "full" -> dev.metricsservice.store.sqlite.SqliteStoreConfig.Synchronous.FULL;
            default -> throw new AppConfig.ConfigException("--sqlite-synchronous must be 'normal' or 'full', was '" + v + "'");
        };
    }

    static int powerOfTwo(String flag, long v) {
        if (Long.bitCount(v) != 1) {
            throw new AppConfig.ConfigException(flag + " must be a power of two, was " + v);
        }
        return (int) v;
    }

    static String attributeName(String v) {
        if (!v.matches("[A-Za-z0-9_.-]{1,255}")) {
            throw new AppConfig.ConfigException("--dynamodb-ttl-attribute must be 1 to 255 characters of [A-Za-z0-9_.-], was '"
                    + v + "'");
        }
        return v;
    }

    /** The token in the first line of {@code file}, checked like --auth-token. */
    static String tokenFromFile(Path file) {
        String text;
        try {
            text = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | RuntimeException e) {
            throw new AppConfig.ConfigException("--auth-token-file: cannot read " + file + " (" + e.getMessage() + ")");
        }
        String first = text.lines().findFirst().orElse("").strip();
        try {
            return token(first);
        } catch (AppConfig.ConfigException e) {
            throw new AppConfig.ConfigException("--auth-token-file " + file + ": the token " + e.getMessage()
                    .replace("--auth-token ", ""));
        }
    }

    static AppConfig.Durability durability(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "wal" -> AppConfig.Durability.WAL;
            case "none" -> AppConfig.Durability.NONE;
            default -> throw new AppConfig.ConfigException("--durability must be 'wal' or 'none', was '" + v + "'");
        };
    }

    static String nonEmpty(String flag, String v) {
        if (v.isBlank()) {
            throw new AppConfig.ConfigException(flag + " must not be empty");
        }
        return v;
    }

    static InetSocketAddress address(String v) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new AppConfig.ConfigException("--bind must be host:port, e.g. 127.0.0.1:3001, was '" + v + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        long port = integer("--bind port", v.substring(colon + 1), 0, 65_535);
        return new InetSocketAddress(host, (int) port);
    }

    static AppConfig.StoreKind storeKind(String v) {
        try {
            return AppConfig.StoreKind.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AppConfig.ConfigException("--store must be sqlite, memory or dynamodb, was '" + v + "'");
        }
    }

    static URI endpoint(String v) {
        try {
            URI uri = new URI(v.trim());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new AppConfig.ConfigException("--dynamodb-endpoint must be an http(s) URL such as http://127.0.0.1:8000, was '"
                        + v + "'");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new AppConfig.ConfigException("--dynamodb-endpoint is not a URL: " + e.getMessage());
        }
    }

    static String table(String v) {
        if (!v.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw new AppConfig.ConfigException("--table must be 3 to 255 characters of [A-Za-z0-9_.-], was '" + v + "'");
        }
        return v;
    }

    static Duration duration(String flag, String v, Duration min, Duration max) {
        Duration d;
        try {
            d = Units.duration(v);
        } catch (IllegalArgumentException e) {
            throw new AppConfig.ConfigException(flag + ": " + e.getMessage());
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new AppConfig.ConfigException(flag + " must be between " + Units.formatDuration(min) + " and "
                    + Units.formatDuration(max) + ", was " + v);
        }
        return d;
    }

    static Duration window(String v) {
        Duration d = duration("--window", v, Duration.ofSeconds(1), Duration.ofHours(1));
        if (d.toMillis() % 1000 != 0) {
            throw new AppConfig.ConfigException("--window must be a whole number of seconds, was " + v);
        }
        return d;
    }

    static long size(String flag, String v, long min, long max) {
        long n;
        try {
            n = Units.bytes(v);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new AppConfig.ConfigException(flag + ": " + e.getMessage());
        }
        if (n < min || n > max) {
            throw new AppConfig.ConfigException(flag + " must be between " + Units.formatBytes(min) + " and "
                    + Units.formatBytes(max) + ", was " + v);
        }
        return n;
    }

    /** A relative accuracy written as a percentage ("1%") or a fraction ("0.01"). */
    static double accuracy(String v) {
        String t = v.trim();
        boolean percent = t.endsWith("%");
        double a;
        try {
            a = Double.parseDouble(percent ? t.substring(0, t.length() - 1) : t) / (percent ? 100 : 1);
        } catch (NumberFormatException e) {
            a = Double.NaN;
        }
        if (!(a >= 0.0001 && a <= 0.1)) {
            throw new AppConfig.ConfigException("--sketch-accuracy must be from 0.01% to 10% (as 1% or 0.01), was '" + v + "'");
        }
        return a;
    }

    static long integer(String flag, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new AppConfig.ConfigException(flag + " must be a whole number between " + min + " and " + max + ", was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new AppConfig.ConfigException(flag + " must be between " + min + " and " + max + ", was " + v);
        }
        return n;
    }

    static boolean onOff(String flag, String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new AppConfig.ConfigException(flag + " must be on or off, was '" + v + "'");
        };
    }

    static String token(String v) {
        if (v.length() < 16 || !v.matches("[\\x21-\\x7E]+")) {
            throw new AppConfig.ConfigException("--auth-token must be at least 16 printable ASCII characters without spaces");
        }
        return v;
    }

    static String writerId(String v) {
        if (!v.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new AppConfig.ConfigException("--writer-id must be 1 to 64 characters of [A-Za-z0-9._-], was '" + v + "'");
        }
        return v;
    }
}
