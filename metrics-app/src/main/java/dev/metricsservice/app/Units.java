package dev.metricsservice.app;

import java.time.Duration;

/** The app's use of the project's one duration and size grammar ({@link dev.metricsservice.core.units.Units}). */
final class Units {

    private Units() {
    }

    static Duration duration(String text) {
        return dev.metricsservice.core.units.Units.parseDuration(text);
    }

    static long bytes(String text) {
        return dev.metricsservice.core.units.Units.parseBytes(text);
    }

    static String formatBytes(long bytes) {
        return dev.metricsservice.core.units.Units.formatBytes(bytes);
    }

    static String formatDuration(Duration d) {
        return dev.metricsservice.core.units.Units.formatDuration(d);
    }
}
