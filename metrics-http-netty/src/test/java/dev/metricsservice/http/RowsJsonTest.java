package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.metricsservice.core.QueryResult;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.WindowStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RowsJsonTest {

    private static String render(List<WindowStats> rows) {
        ByteBuf b = RowsJson.write(UnpooledByteBufAllocator.DEFAULT,
                new QueryResult(Optional.empty(), List.of(new QueryResult.Group(Tags.empty(), rows))));
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void write_wholeNumbers_asDoubleToStringWritesThem() {
        String json = render(List.of(new WindowStats(1_764_000_000L, new Stats(2, 42.0, -3.0, 9_999_999.0, 0.0, 5))));

        assertThat(json).isEqualTo("[{\"timestamp\":1764000000,\"sum\":42.0,\"count\":2,\"min\":-3.0,\"max\":9999999.0,"
                + "\"last\":0.0}]");
        assertThat(render(List.of())).isEqualTo("[]");
    }

    @Test
    void write_anyDouble_readsBackAsTheSameBits() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        List<WindowStats> rows = new ArrayList<>();
        List<double[]> expected = new ArrayList<>();
        double[] special = {-0.0, 0.1, 1e7, -1e7, 1.0E-300, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
                9007199254740993.0, 123456.789, 2147483648.0, -2147483649.0, Long.MAX_VALUE, Long.MIN_VALUE};
        for (int i = 0; i < 2000; i++) {
            double v = i < special.length ? special[i] : Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(v)) {
                continue;
            }
            double w = i % 3 == 0 ? Math.rint(v) : v;
            rows.add(new WindowStats(i * 10L, new Stats(i + 1, v, Math.min(v, w), Math.max(v, w))));
            expected.add(new double[] {v, Math.min(v, w), Math.max(v, w)});
        }

        List<Map<String, String>> back = parse(render(rows));

        assertThat(back).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> r = back.get(i);
            assertThat(Long.parseLong(r.get("timestamp"))).isEqualTo(rows.get(i).windowStartEpochSecond());
            assertThat(Long.parseLong(r.get("count"))).isEqualTo(rows.get(i).stats().count());
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(r.get("sum"))))
                    .as("sum %s", expected.get(i)[0]).isEqualTo(Double.doubleToRawLongBits(expected.get(i)[0]));
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(r.get("min"))))
                    .isEqualTo(Double.doubleToRawLongBits(expected.get(i)[1]));
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(r.get("max"))))
                    .isEqualTo(Double.doubleToRawLongBits(expected.get(i)[2]));
        }
    }

    /** The rows as field name to number text, read by Jackson's (strict) parser. */
    private static List<Map<String, String>> parse(String json) throws Exception {
        List<Map<String, String>> rows = new ArrayList<>();
        try (JsonParser p = JsonOut.FACTORY.createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Map<String, String> row = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    row.put(name, p.getText());
                }
                rows.add(row);
            }
            assertThat(p.nextToken()).isNull();
        }
        return rows;
    }

    @Test
    void write_nonFiniteSum_isNull() {
        assertThat(render(List.of(new WindowStats(10, new Stats(2, Double.POSITIVE_INFINITY, 1, 2)))))
                .contains("\"sum\":null");
    }
}
