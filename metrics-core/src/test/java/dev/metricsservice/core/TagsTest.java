package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TagsTest {

    @Test
    void of_anyOrder_isCanonicalAndEqual() {
        Tags a = Tags.of("region", "eu", "host", "a", "az", "1");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("host", "a");
        m.put("az", "1");
        m.put("region", "eu");
        Tags b = Tags.of(m);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.key(0)).isEqualTo("az");
        assertThat(a.key(2)).isEqualTo("region");
        assertThat(a.toString()).isEqualTo("{az=\"1\",host=\"a\",region=\"eu\"}");
        assertThat(a.asMap().keySet()).containsExactly("az", "host", "region");
    }

    @Test
    void of_badShape_throwsSayingWhy() {
        assertThatThrownBy(() -> Tags.of("a", "1", "b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs");
        assertThatThrownBy(() -> Tags.of("a", "1", "a", "2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a' is given twice");
        assertThatThrownBy(() -> Tags.of("a", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void canonical_roundTripsEvenWithSeparatorsInValues() {
        Tags t = Tags.of("path", "/a,b=c:d", "q", "x y \"z\"", "u", "日本 \uD83D\uDE80");

        assertThat(Tags.fromCanonical(t.canonical())).isEqualTo(t);
        assertThat(Tags.fromCanonical("")).isEqualTo(Tags.empty());
        assertThat(Tags.empty().canonical()).isEmpty();
    }

    @Test
    void select_keepsOnlyTheGroupedKeysAndSkipsMissingOnes() {
        Tags t = Tags.of("host", "a", "region", "eu", "az", "1");

        assertThat(t.select(List.of("region", "zone"))).isEqualTo(Tags.of("region", "eu"));
        assertThat(t.select(List.of())).isEqualTo(Tags.empty());
        assertThat(t.select(List.of("az", "host", "region"))).isSameAs(t);
    }

    @Test
    void problem_atTheLimits_isEmpty() {
        String[] kv = new String[Tags.MAX_TAGS * 2];
        for (int i = 0; i < Tags.MAX_TAGS; i++) {
            kv[2 * i] = "k" + i + "x".repeat(Tags.MAX_KEY_BYTES - 3);
            kv[2 * i + 1] = "é".repeat(Tags.MAX_VALUE_BYTES / 2);
        }
        assertThat(Tags.problem(Tags.of(kv))).isEmpty();
        assertThat(Tags.problem(Tags.of("a", ":,= are fine in values"))).isEmpty();
    }

    @Test
    void problem_eachBrokenRule_namesTheTagAndTheRule() {
        String[] many = new String[(Tags.MAX_TAGS + 1) * 2];
        for (int i = 0; i <= Tags.MAX_TAGS; i++) {
            many[2 * i] = "k" + i;
            many[2 * i + 1] = "v";
        }
        assertThat(Tags.problem(Tags.of(many))).hasValueSatisfying(p -> assertThat(p).contains("at most 16 tags"));
        assertThat(Tags.problem(Tags.of("", "v"))).hasValueSatisfying(p -> assertThat(p).contains("must not be empty"));
        assertThat(Tags.problem(Tags.of("k", ""))).hasValueSatisfying(p -> assertThat(p).contains("value of tag 'k'"));
        assertThat(Tags.problem(Tags.of("x".repeat(101), "v")))
                .hasValueSatisfying(p -> assertThat(p).contains("longer than 100 UTF-8 bytes"));
        assertThat(Tags.problem(Tags.of("k", "é".repeat(101))))
                .hasValueSatisfying(p -> assertThat(p).contains("longer than 200 UTF-8 bytes"));
        assertThat(Tags.problem(Tags.of("k", "a\nb"))).hasValueSatisfying(p -> assertThat(p).contains("U+000A"));
        assertThat(Tags.problem(Tags.of("a:b", "v"))).hasValueSatisfying(p -> assertThat(p).contains("':'"));
        assertThat(Tags.problem(Tags.of("a b", "v"))).hasValueSatisfying(p -> assertThat(p).contains("a space"));
        assertThat(Tags.problem(Tags.of("k", "\uD800"))).hasValueSatisfying(p -> assertThat(p).contains("surrogate"));
    }

    @Test
    void seriesKeyOrder_isByCodePointLikeUtf8Bytes() {
        // U+FF5E (3 UTF-8 bytes) sorts before U+1F680 (4 bytes), though its UTF-16 unit is larger.
        SeriesKey bmp = SeriesKey.of("\uFF5E");
        SeriesKey astral = SeriesKey.of("\uD83D\uDE80");
        assertThat(bmp.compareTo(astral)).isNegative();
        assertThat(SeriesKey.of("cpu").compareTo(SeriesKey.of("cpu", Tags.of("a", "b")))).isNegative();
        assertThat(SeriesKey.of("cpu", Tags.of("a", "b")).compareTo(SeriesKey.of("cpu2"))).isNegative();
    }
}
