package dev.metricsservice.loadgen;

import dev.metricsservice.loadgen.internal.Payloads;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SamplesTest {

    @Test
    void value_knownPoints() {
        assertThat(Samples.value(0, 0)).isEqualTo(0.0);
        // |sin(1.3)| * 100 and |sin(2 * 1.3 + 3 * 7.7)| = |sin(25.7)| * 100, computed independently.
        assertThat(Samples.value(1, 0)).isCloseTo(96.3558185417193, within(1e-12));
        assertThat(Samples.value(2, 3)).isCloseTo(53.73221810064748, within(1e-12));
    }

    @Test
    void value_alwaysWithin0And100() {
        for (int w = 0; w < 50; w++) {
            for (long n = 0; n < 2000; n++) {
                assertThat(Samples.value(n, w)).isBetween(0.0, 100.0);
            }
        }
    }

    @Test
    void nameIndex_cyclesThroughAllNames() {
        assertThat(List.of(0L, 1L, 2L, 3L, 4L, 5L, 11L).stream().map(n -> Samples.nameIndex(n, 5)).toList())
                .containsExactly(0, 1, 2, 3, 4, 0, 1);
    }

    @Test
    void samples_single_isOneJsonObject() {
        Payloads.Post p = Payloads.samples(List.of("\"cpu\"", "\"memory\""), 0, 1, 1);
        assertThat(new String(p.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"memory\",\"value\":" + Samples.value(1, 0) + "}");
        assertThat(p.nameIndexes()).containsExactly(1);
    }

    @Test
    void samples_batch_isArrayContinuingTheSequence() {
        List<String> names = Samples.SEED_NAMES.stream().map(Payloads::jsonString).toList();
        Payloads.Post p = Payloads.samples(names, 7, 3, 4);
        String body = new String(p.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("[{\"name\":\"error_rate\",\"value\":" + Samples.value(3, 7) + "}")
                .endsWith("{\"name\":\"memory\",\"value\":" + Samples.value(6, 7) + "}]");
        assertThat(p.nameIndexes()).containsExactly(3, 4, 0, 1);
        assertThat(p.values()).containsExactly(Samples.value(3, 7), Samples.value(4, 7), Samples.value(5, 7),
                Samples.value(6, 7));
    }

    @Test
    void value_textRoundTripsExactly() {
        for (long n = 0; n < 1000; n++) {
            double v = Samples.value(n, 3);
            assertThat(Double.parseDouble(Double.toString(v))).isEqualTo(v);
        }
    }

    @Test
    void jsonString_escapesQuotesBackslashesAndControls() {
        assertThat(Payloads.jsonString("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\u000a\"");
        assertThat(Payloads.metricPath("a b/é")).isEqualTo("/metrics/a%20b%2F%C3%A9");
    }
}
