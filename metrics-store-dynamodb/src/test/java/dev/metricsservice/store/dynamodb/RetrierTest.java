package dev.metricsservice.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetrierTest {

    @Test
    void delayNanos_growsExponentiallyWithJitterAndStaysUnderTheCap() {
        Retrier retrier = new Retrier(null, Duration.ofMillis(25), Duration.ofSeconds(2), 8, Duration.ofSeconds(5));
        for (int retry = 0; retry < 100; retry++) {
            long step = Math.min(Duration.ofSeconds(2).toNanos(), retry < 20 ? Duration.ofMillis(25).toNanos() << retry
                    : Long.MAX_VALUE);
            for (int sample = 0; sample < 200; sample++) {
                long d = retrier.delayNanos(retry);
                assertThat(d).as("retry %d", retry).isBetween(step / 2, step);
            }
        }
    }

    @Test
    void delayNanos_hugeBaseDelay_neverOverflows() {
        Retrier retrier = new Retrier(null, Duration.ofDays(1), Duration.ofDays(2), 8, Duration.ofSeconds(5));
        for (int retry = 0; retry < 70; retry++) {
            assertThat(retrier.delayNanos(retry)).isBetween(Duration.ofHours(12).toNanos(), Duration.ofDays(2).toNanos());
        }
    }

    @Test
    void config_loopbackDetection_coversTheUsualSpellings() {
        for (String local : new String[] {"http://localhost:8000", "http://127.0.0.1:8000", "http://127.8.9.1:1",
                "http://[::1]:8000"}) {
            assertThat(DynamoDbStoreConfig.builder().endpointOverride(java.net.URI.create(local)).build().isLocalEndpoint())
                    .as(local).isTrue();
        }
        for (String remote : new String[] {"https://dynamodb.eu-west-1.amazonaws.com", "http://10.0.0.5:8000",
                "http://cafe:8000"}) {
            assertThat(DynamoDbStoreConfig.builder().endpointOverride(java.net.URI.create(remote)).build().isLocalEndpoint())
                    .as(remote).isFalse();
        }
        assertThat(DynamoDbStoreConfig.defaults().isLocalEndpoint()).isFalse();
    }
}
