package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LogRecordsTest {

    @Test
    void batch_roundTrip_keepsEverySampleAsSent() {
        SampleBatch b = new SampleBatch();
        b.add("cpu", 1.5);
        b.add("cpu", 2.5);                                           // same series: written once
        b.add("cpu", Tags.of("host", "a"), MetricType.GAUGE, -3, 1_700_000_000_123L);
        b.add("cpu", Tags.of("host", "a"), MetricType.GAUGE, 4, 1_700_000_000_124L);
        b.add("größe", Tags.of("zone", "süd", "k", ""), null, Double.MIN_VALUE);
        b.add(null, null, MetricType.DISTRIBUTION, Double.NaN);      // judged (and refused) later, kept as sent
        byte[] tag = {1, 2, 3};
        ByteBuffer record = LogRecords.batch(42L, tag, b, b.size());

        assertThat(LogRecords.kind(record)).isEqualTo(LogRecords.BATCH);
        LogRecords.Batch back = LogRecords.readBatch(record);
        assertThat(back.ingestMillis()).isEqualTo(42L);
        assertThat(back.tag()).containsExactly(1, 2, 3);
        SampleBatch r = back.samples();
        assertThat(r.size()).isEqualTo(b.size());
        for (int i = 0; i < b.size(); i++) {
            assertThat(r.name(i)).as("name %d", i).isEqualTo(b.name(i));
            assertThat(r.tags(i)).as("tags %d", i).isEqualTo(b.tags(i));
            assertThat(r.type(i)).as("type %d", i).isEqualTo(b.type(i));
            assertThat(Double.doubleToRawLongBits(r.value(i))).as("value %d", i)
                    .isEqualTo(Double.doubleToRawLongBits(b.value(i)));
            assertThat(r.hasTimestamp(i)).as("stamped %d", i).isEqualTo(b.hasTimestamp(i));
            if (b.hasTimestamp(i)) {
                assertThat(r.epochMillis(i)).isEqualTo(b.epochMillis(i));
            }
        }
    }

    @Test
    void batch_runsOfOneSeries_takeFewerBytesThanDistinctSeries() {
        SampleBatch same = new SampleBatch();
        SampleBatch distinct = new SampleBatch();
        for (int i = 0; i < 100; i++) {
            same.add("requests.latency", Tags.of("host", "a"), null, i);
            distinct.add("requests.latency" + i, Tags.of("host", "a"), null, i);
        }
        int sameBytes = LogRecords.batch(0, null, same, 100).remaining();
        int distinctBytes = LogRecords.batch(0, null, distinct, 100).remaining();
        assertThat(sameBytes).isLessThan(distinctBytes / 3);
    }

    @Test
    void markerAndVoid_roundTrip() {
        assertThat(LogRecords.readMarker(LogRecords.marker(1_700_000_000_000L))).isEqualTo(1_700_000_000_000L);
        assertThat(LogRecords.readVoid(LogRecords.voided(123_456_789L, 7))).containsExactly(123_456_789L, 7L);
    }
}
