package dev.metricsservice.store.dynamodb;

import dev.metricsservice.testsupport.NettyLeakCheck;
import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the server does to numbers, and that doubles survive it: 17-significant-digit values, the
 * ends of DynamoDB's exponent range, values outside it, negative zero, overflowed sums, and many
 * random bit patterns, all through a real server.
 */
class NumberRoundTripTest {

    @RegisterExtension
    static final DynaliteExtension DYNAMO = new DynaliteExtension();
    private static final long T0 = 1_764_000_000L;

    private static DynamoDbMetricStore store;
    private static DynamoDbAsyncClient raw;

    @BeforeAll
    static void open() {
        DynamoDbStoreConfig config = DYNAMO.configFor(DYNAMO.uniqueTableName("numbers")).build();
        store = DynamoDbMetricStore.open(config).join();
        raw = DynamoDbMetricStore.newClient(config, null);
    }

    @AfterAll
    static void close() throws InterruptedException {
        store.close();
        raw.close();
        NettyLeakCheck.assertNoLeaks();
    }

    private static void assertRoundTrip(String name, double... values) throws Exception {
        List<WindowAggregate> batch = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            batch.add(new WindowAggregate(SeriesKey.of(name), T0 + 10L * i, "w1", Stats.of(1, v, v, v)));
        }
        store.write(batch).get(60, TimeUnit.SECONDS);
        List<WindowStats> rows = Rows.of(store, new MetricQuery(SeriesKey.of(name), T0, T0 + 10L * values.length, values.length,
                MetricQuery.Order.OLDEST_FIRST), 60);
        assertThat(rows).hasSize(values.length);
        for (int i = 0; i < values.length; i++) {
            Stats s = rows.get(i).stats();
            long expected = Double.doubleToLongBits(values[i]);
            assertThat(Double.doubleToLongBits(s.sum())).as("sum %s came back as %s", values[i], s.sum()).isEqualTo(expected);
            assertThat(Double.doubleToLongBits(s.min())).as("min %s", values[i]).isEqualTo(expected);
            assertThat(Double.doubleToLongBits(s.max())).as("max %s", values[i]).isEqualTo(expected);
        }
    }

    @Test
    void write_seventeenSignificantDigits_roundTrip() throws Exception {
        assertRoundTrip("seventeen", 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, Math.PI, Math.E, 123456789.12345679,
                9007199254740993.0, 4.35, 1.0000000000000002, 0.9999999999999999, -1.2345678901234567e-100,
                7.2057594037927933e16);
    }

    @Test
    void write_edgesOfTheNumberRange_roundTrip() throws Exception {
        assertRoundTrip("edges", 1e-130, -1e-130, Math.nextUp(1e-130), 9.999999999999998e125, -9.999999999999998e125,
                Math.nextDown(1e-130), 1e126, -1e126);
    }

    @Test
    void write_valuesDynamoNumbersCannotHold_roundTrip() throws Exception {
        assertRoundTrip("outside", -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                -Double.MAX_VALUE, 1e300, 1e-300, 4.9e-324, 2.2250738585072014E-308);
    }

    @Test
    void write_overflowedSum_roundTrips() throws Exception {
        Stats overflowed = Stats.of(2, Double.POSITIVE_INFINITY, Double.MAX_VALUE, Double.MAX_VALUE);
        store.write(List.of(new WindowAggregate(SeriesKey.of("overflow"), T0, "w1", overflowed))).get(60, TimeUnit.SECONDS);

        assertThat(Rows.of(store, MetricQuery.latest("overflow", 1), 60))
                .containsExactly(new WindowStats(T0, overflowed));
    }

    @Test
    void write_randomBitPatterns_roundTrip() throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        double[] values = new double[500];
        for (int i = 0; i < values.length; i++) {
            double d;
            do {
                d = Double.longBitsToDouble(random.nextLong());
            } while (Double.isNaN(d));
            values[i] = d;
        }
        assertRoundTrip("random", values);
    }

    /** Documents the server's behaviour that the S fallback exists for: these are real server answers. */
    @Test
    void server_rejectsOutOfRangeNumbersAndDropsTheSignOfZero() throws Exception {
        String table = store.config().tableName();
        Map<String, AttributeValue> base = Map.of("metric_name", AttributeValue.fromS("probe"),
                "window_writer", AttributeValue.fromS("x"));

        assertThatThrownBy(() -> raw.putItem(b -> b.tableName(table).item(with(base, "n", "1.0E126"))).join())
                .hasMessageContaining("overflow");
        assertThatThrownBy(() -> raw.putItem(b -> b.tableName(table).item(with(base, "n", "4.9E-324"))).join())
                .hasMessageContaining("underflow");

        raw.putItem(b -> b.tableName(table).item(with(base, "n", "-0.0"))).join();
        String stored = raw.getItem(b -> b.tableName(table).key(base).consistentRead(true)).join().item().get("n").n();
        assertThat(Double.doubleToRawLongBits(Double.parseDouble(stored)))
                .as("server answered '%s' for -0.0", stored)
                .isNotEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    private static Map<String, AttributeValue> with(Map<String, AttributeValue> base, String attribute, String number) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(base);
        item.put(attribute, AttributeValue.fromN(number));
        return item;
    }
}
