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
        SeriesPlan plan = SeriesPlan.untagged(List.of("cpu", "memory"));
        Payloads.Post p = Payloads.samples(plan, Payloads.prefixes(plan), 0, 1, 1, 0);
        assertThat(new String(p.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"memory\",\"value\":" + Samples.value(1, 0) + "}");
        assertThat(p.seriesIndexes()).containsExactly(1);
    }

    @Test
    void samples_batch_isArrayContinuingTheSequence() {
        SeriesPlan plan = SeriesPlan.untagged(Samples.SEED_NAMES);
        Payloads.Post p = Payloads.samples(plan, Payloads.prefixes(plan), 7, 3, 4, 0);
        String body = new String(p.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("[{\"name\":\"error_rate\",\"value\":" + Samples.value(3, 7) + "}")
                .endsWith("{\"name\":\"memory\",\"value\":" + Samples.value(6, 7) + "}]");
        assertThat(p.seriesIndexes()).containsExactly(3, 4, 0, 1);
        assertThat(p.values()).containsExactly(Samples.value(3, 7), Samples.value(4, 7), Samples.value(5, 7),
                Samples.value(6, 7));
    }

    @Test
    void samples_taggedAndTyped_carryTagsTypeAndAGaugesTimestamp() {
        SeriesPlan plan = SeriesPlan.parse(List.of("cpu", "q"), "host=2,region=3", "q=gauge");
        Payloads.Post p = Payloads.samples(plan, Payloads.prefixes(plan), 1, 0, 4, 1_764_000_000_123L);

        String body = new String(p.body(), StandardCharsets.UTF_8);
        assertThat(plan.size()).isEqualTo(12);
        // sample n of worker 1: name n % 2, combination (n / 2 + 1) % 6
        assertThat(p.seriesIndexes()).containsExactly(1, 7, 2, 8);
        assertThat(body).startsWith("[{\"name\":\"cpu\",\"tags\":{\"host\":\"host-0\",\"region\":\"region-1\"},\"value\":")
                .contains("{\"name\":\"q\",\"type\":\"gauge\",\"tags\":{\"host\":\"host-0\",\"region\":\"region-1\"},"
                        + "\"value\":" + Samples.value(1, 1) + ",\"timestamp\":1764000000123}");
    }

    @Test
    void parse_badTagOrTypeSpecs_sayWhatIsWrong() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeriesPlan.parse(List.of("a"), "host", ""))
                .hasMessageContaining("key=count");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeriesPlan.parse(List.of("a"), "", "a=histogram"))
                .hasMessageContaining("one of summary, counter, gauge, distribution");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeriesPlan.parse(List.of("a"), "", "b=gauge"))
                .hasMessageContaining("not one of the metric names");
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
