package dev.metricsservice.core.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({"250ms,250", "10s,10000", "10,10000", "1.5m,90000", "2h,7200000", "7d,604800000", "0,0",
            "0.5s,500", " 3S ,3000"})
    void parseDuration_everyForm_isRead(String text, long millis) {
        assertThat(Units.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1s", "10x", "0.0001s", "s", "1e3s", "99999999999999999d"})
    void parseDuration_badText_isRefusedWithExamples(String text) {
        assertThatThrownBy(() -> Units.parseDuration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({"1048576,1048576", "512KiB,524288", "1MiB,1048576", "30MB,30000000", "1gib,1073741824", "7b,7"})
    void parseBytes_everyForm_isRead(String text, long bytes) {
        assertThat(Units.parseBytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.5MiB", "-1", "1TiB", "99999999999999999999GiB"})
    void parseBytes_badText_isRefused(String text) {
        assertThatThrownBy(() -> Units.parseBytes(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 999, 1000, 90_000, 60_000, 3_600_000, 86_400_000, 90_061_001})
    void formatDuration_readsBack(long millis) {
        Duration d = Duration.ofMillis(millis);
        assertThat(Units.parseDuration(Units.formatDuration(d))).isEqualTo(d);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 1024, 1536, 1 << 20, 1L << 30, 30L << 20})
    void formatBytes_readsBack(long bytes) {
        assertThat(Units.parseBytes(Units.formatBytes(bytes))).isEqualTo(bytes);
    }
}
