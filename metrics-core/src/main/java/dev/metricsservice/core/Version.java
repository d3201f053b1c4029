package dev.metricsservice.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The metrics-service version these jars were built as, for {@code --version} and banners.
 *
 * <pre>{@code
 * System.out.println("metrics-app " + Version.current());   // metrics-app 0.1.0-SNAPSHOT
 * }</pre>
 *
 * <p>Read once from a resource Maven writes at build time; thread-safe.
 */
public final class Version {

    private static final String CURRENT = load();

    private Version() {
    }

    /** The build's version, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} when the resource is missing. */
    public static String current() {
        return CURRENT;
    }

    /** What {@code --version} prints for {@code command}: its name, the version, and the Java running it. */
    public static String line(String command) {
        return command + " " + CURRENT + " (Java " + Runtime.version() + ", " + System.getProperty("java.vendor", "?")
                + ")";
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
