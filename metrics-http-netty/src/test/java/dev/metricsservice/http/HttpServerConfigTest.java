package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.store.InMemoryMetricStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpServerConfigTest {

    @Test
    void defaults_asDocumented() {
        HttpServerConfig c = HttpServerConfig.defaults();
        assertThat(c.bindHost()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(3001);
        assertThat(c.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(c.maxBatchSize()).isEqualTo(10_000);
        assertThat(c.defaultQueryLimit()).isEqualTo(20);
        assertThat(c.maxQueryLimit()).isEqualTo(1000);
        assertThat(c.authToken()).isNull();
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void build_invalidValues_nameTheSetting() {
        assertThatThrownBy(() -> HttpServerConfig.builder().port(70_000).build()).hasMessageContaining("port");
        assertThatThrownBy(() -> HttpServerConfig.builder().maxBodyBytes(0).build()).hasMessageContaining("maxBodyBytes");
        assertThatThrownBy(() -> HttpServerConfig.builder().idleTimeout(Duration.ZERO).build()).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> HttpServerConfig.builder().authToken("has space").build()).hasMessageContaining("authToken");
        assertThatThrownBy(() -> HttpServerConfig.builder().defaultQueryLimit(2000).build()).hasMessageContaining("defaultQueryLimit");
    }
}
