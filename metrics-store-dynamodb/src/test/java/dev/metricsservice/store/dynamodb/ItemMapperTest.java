package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemMapperTest {

    private final ItemMapper mapper = new ItemMapper(null);

    @Test
    void encodeWindow_stringOrderIsNumericOrder() {
        SplittableRandom random = new SplittableRandom(42);
        List<Long> values = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, 9L, 10L,
                1_764_000_000L, Long.MAX_VALUE - 1, Long.MAX_VALUE));
        for (int i = 0; i < 5_000; i++) {
            values.add(random.nextLong());
            values.add(random.nextLong(-10_000_000_000L, 10_000_000_000L));
        }
        List<Long> byString = new ArrayList<>(values);
        byString.sort(Comparator.comparing(ItemMapper::encodeWindow));
        List<Long> byNumber = new ArrayList<>(values);
        byNumber.sort(Comparator.naturalOrder());

        assertThat(byString).isEqualTo(byNumber);
    }

    @Test
    void sortKey_isReadableForRealWindows() {
        assertThat(ItemMapper.sortKey(1_764_000_000L, "w-3f9a", 0)).isEqualTo("0000000001764000000#w-3f9a");
    }

    @Test
    void bounds_enclosEveryWriterOfTheRangeAndNothingElse() {
        long from = 1_764_000_000L;
        long toInclusive = from + 20;
        String lo = ItemMapper.lowerBound(from);
        String hi = ItemMapper.upperBound(toInclusive);
        for (String writer : List.of("", "#", "$", "a", "zzz", "\uFFFF\uFFFF", "w#1")) {
            for (long w = from - 10; w <= toInclusive + 10; w += 10) {
                String key = ItemMapper.sortKey(w, writer, 0);
                boolean inside = key.compareTo(lo) >= 0 && key.compareTo(hi) <= 0;
                assertThat(inside).as("window %d writer '%s'", w, writer).isEqualTo(w >= from && w <= toInclusive);
            }
        }
    }

    @Test
    void toItem_thenFromItem_roundTrips() {
        WindowAggregate a = new WindowAggregate(SeriesKey.of("cpu"), 1_764_000_000L, "w1", Stats.of(3, 60.5, 10.25, 30.0));

        Map<String, AttributeValue> item = mapper.toItem(a, null);
        ItemMapper.StoredAggregate back = mapper.fromItem(item);

        assertThat(item.get("metric_name").s()).isEqualTo("cpu");
        assertThat(item.get("timestamp").n()).isEqualTo("1764000000");
        assertThat(item.get("count").n()).isEqualTo("3");
        assertThat(item.get("sum").n()).isEqualTo("60.5");
        assertThat(item).doesNotContainKey("expires_at");
        assertThat(back).isEqualTo(new ItemMapper.StoredAggregate(SeriesKey.of("cpu"), MetricType.SUMMARY, 1_764_000_000L, "w1", 0, a.stats(), null));
    }

    @Test
    void toItem_amendment_hasItsOwnSortKeyAndReadsBack() {
        WindowAggregate a = new WindowAggregate(SeriesKey.of("cpu"), 1_764_000_000L, "w1", 1_764_000_123_456L,
                Stats.of(2, 5.0, 2.0, 3.0));

        Map<String, AttributeValue> item = mapper.toItem(a, null);

        assertThat(item.get("window_writer").s()).isEqualTo("0000000001764000000#w1#0000001764000123456");
        assertThat(item.get("amendment").n()).isEqualTo("1764000123456");
        assertThat(mapper.fromItem(item))
                .isEqualTo(new ItemMapper.StoredAggregate(SeriesKey.of("cpu"), MetricType.SUMMARY, 1_764_000_000L, "w1", 1_764_000_123_456L, a.stats(), null));
        // Still inside the bounds of its window, so a range query finds it.
        assertThat(item.get("window_writer").s()).isBetween(ItemMapper.lowerBound(1_764_000_000L),
                ItemMapper.upperBound(1_764_000_000L));
    }

    @Test
    void fromItem_itemWrittenBeforeAmendments_isTheWindowItself() {
        // An item exactly as the previous version wrote it: no amendment attribute, the old sort key.
        Map<String, AttributeValue> old = Map.of(
                "metric_name", AttributeValue.fromS("cpu"),
                "window_writer", AttributeValue.fromS("0000000001764000000#w1"),
                "timestamp", AttributeValue.fromN("1764000000"),
                "writer", AttributeValue.fromS("w1"),
                "count", AttributeValue.fromN("3"),
                "sum", AttributeValue.fromN("6.0"),
                "min", AttributeValue.fromN("1.0"),
                "max", AttributeValue.fromN("3.0"));

        assertThat(mapper.fromItem(old))
                .isEqualTo(new ItemMapper.StoredAggregate(SeriesKey.of("cpu"), MetricType.SUMMARY, 1_764_000_000L, "w1", 0, Stats.of(3, 6.0, 1.0, 3.0), null));
        // The current code writes amendment 0 under the same key, so a rewrite replaces the old item.
        assertThat(mapper.toItem(new WindowAggregate(SeriesKey.of("cpu"), 1_764_000_000L, "w1", Stats.of(1.0)), null)
                .get("window_writer")).isEqualTo(old.get("window_writer"));
    }

    @Test
    void toItem_taggedGauge_keysByNameAndTagsAndReadsBackTypeAndLastValue() {
        SeriesKey key = SeriesKey.of("temp", dev.metricsservice.core.Tags.of("room", "1", "floor", "2"));
        WindowAggregate a = new WindowAggregate(key, 1_764_000_000L, "w1", 0,
                new Stats(2, 5.0, 2.0, 3.0, 2.0, 1_764_000_009_999L), MetricType.GAUGE);

        Map<String, AttributeValue> item = mapper.toItem(a, null);

        assertThat(item.get("metric_name").s()).isEqualTo("temp\u001Dfloor\u001F2\u001Eroom\u001F1");
        assertThat(item.get("type").s()).isEqualTo("gauge");
        assertThat(item.get("last_ms").n()).isEqualTo("1764000009999");
        assertThat(mapper.fromItem(item)).isEqualTo(new ItemMapper.StoredAggregate(key, MetricType.GAUGE,
                1_764_000_000L, "w1", 0, a.stats(), null));
    }

    @Test
    void toItem_distribution_storesTheSketchAsBinaryAndReadsItBack() {
        dev.metricsservice.core.QuantileSketch sketch = new dev.metricsservice.core.QuantileSketch(0.01, 2048);
        for (int i = 1; i <= 1000; i++) {
            sketch.add(i * 0.001);
        }
        WindowAggregate a = new WindowAggregate(SeriesKey.of("latency"), 1_764_000_000L, "w1", 0,
                Stats.of(1000, 500.5, 0.001, 1.0).withSketch(sketch), MetricType.DISTRIBUTION);

        Map<String, AttributeValue> item = mapper.toItem(a, null);

        assertThat(item.get("sketch").b().asByteArray()).isEqualTo(sketch.toBytes());
        ItemMapper.StoredAggregate back = mapper.fromItem(item);
        assertThat(back.stats()).isEqualTo(a.stats());
        assertThat(back.stats().sketch()).isEqualTo(sketch);
    }

    @Test
    void fromItem_distributionWrittenBeforeSketches_readsWithoutOne() {
        // A distribution item exactly as the previous version (e84c8db) wrote it: no sketch attribute.
        Map<String, AttributeValue> old = Map.of(
                "metric_name", AttributeValue.fromS("latency"),
                "window_writer", AttributeValue.fromS("0000000001764000000#w1"),
                "timestamp", AttributeValue.fromN("1764000000"),
                "writer", AttributeValue.fromS("w1"),
                "type", AttributeValue.fromS("distribution"),
                "count", AttributeValue.fromN("3"),
                "sum", AttributeValue.fromN("6.0"),
                "min", AttributeValue.fromN("1.0"),
                "max", AttributeValue.fromN("3.0"));

        Stats stats = mapper.fromItem(old).stats();
        assertThat(stats).isEqualTo(Stats.of(3, 6.0, 1.0, 3.0));
        assertThat(stats.hasSketch()).isFalse();
    }

    @Test
    void fromItem_damagedSketch_namesTheAttribute() {
        Map<String, AttributeValue> item = new java.util.HashMap<>(mapper.toItem(new WindowAggregate(SeriesKey.of("l"),
                1_764_000_000L, "w1", Stats.of(1.0)), null));
        item.put("sketch", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArray(new byte[] {1, 2})));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mapper.fromItem(item))
                .hasMessageContaining("'sketch'").hasMessageContaining("end early");
        item.put("sketch", AttributeValue.fromS("text"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mapper.fromItem(item)).hasMessageContaining("not binary");
    }

    @Test
    void seriesId_veryLongTags_useTheirHashAndStayUnderTheKeyLimit() {
        String[] kv = new String[32];
        for (int i = 0; i < 16; i++) {
            kv[2 * i] = "k" + i + "x".repeat(90);
            kv[2 * i + 1] = "v".repeat(200);
        }
        SeriesKey key = SeriesKey.of("m", dev.metricsservice.core.Tags.of(kv));
        WindowAggregate a = new WindowAggregate(key, 1_764_000_000L, "w1", 0, Stats.of(1.0), MetricType.SUMMARY);

        Map<String, AttributeValue> item = mapper.toItem(a, null);

        assertThat(ItemMapper.problem(a)).isEmpty();
        assertThat(item.get("metric_name").s()).startsWith("m\u001Dh").hasSize(2 + 1 + 64);
        assertThat(mapper.fromItem(item).series()).isEqualTo(key);
    }

    @Test
    void toItem_withTtl_writesExpiry() {
        ItemMapper withTtl = new ItemMapper("expires_at");
        WindowAggregate a = new WindowAggregate(SeriesKey.of("cpu"), 100L, "w1", Stats.of(1.0));

        Map<String, AttributeValue> item = withTtl.toItem(a, 190L);

        assertThat(item.get("expires_at").n()).isEqualTo("190");
        assertThat(withTtl.fromItem(item).expiryEpochSecond()).isEqualTo(190L);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 123456789.12345679, 0.30000000000000004, 1e-130,
            -1e-130, 9.999999999999998e125, -9.999999999999998e125, 6.02214076e23, 1e-7, 1.7976931348623157e125})
    void encodeDouble_inNumberRange_usesNumberType(double d) {
        AttributeValue v = ItemMapper.encodeDouble(d);

        assertThat(v.n()).isNotNull();
        assertThat(Double.doubleToRawLongBits(ItemMapper.decodeDouble(Map.of("x", v), "x")))
                .isEqualTo(Double.doubleToRawLongBits(d));
    }

    @ParameterizedTest
    // 9.999999999999999e125 is the same double as 1e126 and prints as "1.0E126", out of range.
    @ValueSource(doubles = {-0.0, 1e126, -1e126, 9.999999999999999e125, 9.99999999999999e-131, 1e-200, Double.MIN_VALUE, Double.MIN_NORMAL,
            Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN})
    void encodeDouble_outsideNumberRange_fallsBackToExactString(double d) {
        AttributeValue v = ItemMapper.encodeDouble(d);

        assertThat(v.n()).isNull();
        assertThat(v.s()).isEqualTo(Double.toString(d));
        assertThat(Double.doubleToRawLongBits(ItemMapper.decodeDouble(Map.of("x", v), "x")))
                .isEqualTo(Double.doubleToRawLongBits(d));
    }

    @Test
    void decodeDouble_acceptsServerRewrittenDecimals() {
        // dynalite stores numbers in plain notation; DynamoDB trims zeros. Both parse back exactly.
        assertThat(ItemMapper.decodeDouble(Map.of("x", AttributeValue.fromN("0.0000001")), "x")).isEqualTo(1e-7);
        assertThat(ItemMapper.decodeDouble(Map.of("x", AttributeValue.fromN("602214076000000000000000")), "x"))
                .isEqualTo(6.02214076e23);
        assertThat(ItemMapper.decodeDouble(Map.of("x", AttributeValue.fromN("1E+2")), "x")).isEqualTo(100.0);
    }

    @Test
    void randomDoubles_roundTripThroughTheirEncoding() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            AttributeValue v = ItemMapper.encodeDouble(d);
            double back = ItemMapper.decodeDouble(Map.of("x", v), "x");
            if (Double.isNaN(d)) {
                assertThat(back).isNaN();
            } else {
                assertThat(Double.doubleToRawLongBits(back)).as("%s", d).isEqualTo(Double.doubleToRawLongBits(d));
            }
        }
    }

    @Test
    void fromItem_missingAttribute_saysWhich() {
        Map<String, AttributeValue> item = new HashMap<>(mapper.toItem(
                new WindowAggregate(SeriesKey.of("cpu"), 10L, "w1", Stats.of(1.0)), null));
        item.remove("max");

        assertThatThrownBy(() -> mapper.fromItem(item)).hasMessageContaining("'max'");
    }

    @Test
    void fromItem_garbageNumber_saysWhich() {
        Map<String, AttributeValue> item = new HashMap<>(mapper.toItem(
                new WindowAggregate(SeriesKey.of("cpu"), 10L, "w1", Stats.of(1.0)), null));
        item.put("sum", AttributeValue.fromS("lots"));

        assertThatThrownBy(() -> mapper.fromItem(item)).hasMessageContaining("'sum'").hasMessageContaining("lots");
    }

    @Test
    void problem_validAggregate_isEmpty() {
        assertThat(ItemMapper.problem(new WindowAggregate(SeriesKey.of("é".repeat(1024)), 10L, "w1", Stats.of(1.0)))).isEmpty();
    }

    @Test
    void problem_emptyName_isExplained() {
        assertThat(ItemMapper.problem(new WindowAggregate(SeriesKey.of(""), 10L, "w1", Stats.of(1.0)))).hasValueSatisfying(m -> assertThat(m).contains("empty"));
    }

    @Test
    void problem_nameOverPartitionKeyLimit_isExplained() {
        assertThat(ItemMapper.problem(new WindowAggregate(SeriesKey.of("é".repeat(1025)), 10L, "w1", Stats.of(1.0))))
                .hasValueSatisfying(m -> assertThat(m).contains("2050 UTF-8 bytes").contains("2048"));
    }

    @Test
    void problem_writerOverSortKeyLimit_isExplained() {
        // 19 window digits and '#' leave 1004 bytes of the 1024-byte sort key for the writer id.
        assertThat(ItemMapper.problem(new WindowAggregate(SeriesKey.of("cpu"), 10L, "w".repeat(1005), Stats.of(1.0))))
                .hasValueSatisfying(m -> assertThat(m).contains("1025").contains("1024"));
        assertThat(ItemMapper.problem(new WindowAggregate(SeriesKey.of("cpu"), 10L, "w".repeat(1004), Stats.of(1.0)))).isEmpty();
    }
}
