package dev.metricsservice.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TelemetryConfigTest {

    @Test
    void defaults_matchTheDocumentedValues() {
        TelemetryConfig c = TelemetryConfig.defaults();
        assertThat(c.directory()).isEqualTo(Path.of("/tmp/metrics-service-traces"));
        assertThat(c.maxFileBytes()).isEqualTo(1L << 20);
        assertThat(c.maxTotalBytes()).isEqualTo(30L << 20);
        assertThat(c.rotateInterval()).isEqualTo(Duration.ZERO);
        assertThat(c.queueSampleInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.gzipSealedFiles()).isFalse();
        assertThat(c.enabledAtStart()).isTrue();
    }

    @Test
    void construct_invalidValues_sayWhatToChange() {
        TelemetryConfig d = TelemetryConfig.defaults();
        assertThatThrownBy(() -> d.withLimits(100, 1 << 20)).hasMessageContaining("maxFileBytes must be at least 1024");
        assertThatThrownBy(() -> d.withLimits(1 << 20, 1 << 20))
                .hasMessageContaining("maxTotalBytes must be at least twice maxFileBytes");
        assertThatThrownBy(() -> d.withBufferBytesPerThread(3000)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> d.withTaskQueueCapacity(1000)).hasMessageContaining("taskQueueCapacity");
        assertThatThrownBy(() -> d.withRotateInterval(Duration.ofSeconds(-1))).hasMessageContaining("negative");
    }
}
