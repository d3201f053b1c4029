package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.CollectedBatch;
import dev.metricsservice.core.ManualClock;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.store.InMemoryMetricStore;
import dev.metricsservice.core.storetest.QuantileDataSets;
import dev.metricsservice.core.storetest.QuantileDataSets.DataSet;
import dev.metricsservice.core.storetest.QuantileDataSets.Reported;
import dev.metricsservice.testsupport.NettyLeakCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quantile accuracy through the real HTTP API: two servers (two writers) share one store; each
 * data set is posted as distribution samples spread over both servers, three tag values and eight
 * windows (five already final: amendments), with a flush in the middle; {@code GET
 * /metrics/{name}?quantiles=...&step=1000} on one server merges it all into one row, and with
 * {@code group_by=host} into one row per tag value. Every quantile must be within 1 % of the exact
 * value at the same rank; count, sum, min and max exact (see {@link QuantileDataSets}).
 */
class HttpQuantileAccuracyTest {

    private static final long T0 = 1_764_000_000_000L;
    private static final String[] HOSTS = {"a", "b", "c"};
    private static final int PER_POST = 500;

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void get_quantiles_everyDataSetPostedToTwoServers_isWithinTheAccuracy() throws Exception {
        ManualClock clock = MetricClock.manual(T0 + 60_000);
        Aggregator w1 = Aggregator.builder().clock(clock).writerId("w1").build();
        Aggregator w2 = Aggregator.builder().clock(clock).writerId("w2").build();
        InMemoryMetricStore store = new InMemoryMetricStore();
        HttpServerConfig config = TestServers.config().build();
        try (MetricsHttpServer s1 = TestServers.start(w1, store, config);
             MetricsHttpServer s2 = TestServers.start(w2, store, config);
             RawClient c1 = new RawClient(s1.localAddress(), 10_000);
             RawClient c2 = new RawClient(s2.localAddress(), 10_000)) {
            List<DataSet> sets = QuantileDataSets.all(10_000, 99);
            for (DataSet set : sets) {
                post(set, c1, c2, 0, set.values().length / 2);
            }
            flush(w1, store);
            flush(w2, store);
            for (DataSet set : sets) {
                post(set, c1, c2, set.values().length / 2, set.values().length);
            }
            clock.advance(Duration.ofMinutes(10));
            flush(w1, store);
            flush(w2, store);

            for (DataSet set : sets) {
                String name = "acc." + set.name();
                List<Reported> all = rows(c1.send(RawClient.get("/metrics/" + name + "?step=1000&quantiles="
                        + labels())).read());
                assertThat(all).as(set.name()).hasSize(1);
                QuantileDataSets.assertAccurate(set.name() + " via HTTP", set, set.values(), all.get(0), 0.01);

                List<Reported> perHost = rows(c2.send(RawClient.get("/metrics/" + name + "?step=1000&group_by=host&quantiles="
                        + labels())).read());
                assertThat(perHost).hasSize(HOSTS.length);
                for (int h = 0; h < HOSTS.length; h++) {
                    List<Double> mine = new ArrayList<>();
                    for (int i = 0; i < set.values().length; i++) {
                        if ((i / 2) % HOSTS.length == h) {
                            mine.add(set.values()[i]);
                        }
                    }
                    Reported row = perHost.get(h); // groups come ordered by their tags
                    QuantileDataSets.assertAccurate(set.name() + " host " + HOSTS[h] + " via HTTP", set,
                            mine.stream().mapToDouble(Double::doubleValue).toArray(), row, 0.01);
                }
            }
        }
    }

    private static String labels() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < QuantileDataSets.QUANTILES.size(); i++) {
            b.append(i > 0 ? "," : "").append(QuantileDataSets.QUANTILES.label(i));
        }
        return b.toString();
    }

    /** Posts values [from, to) of the set: even ones to the first server, odd ones to the second. */
    private static void post(DataSet set, RawClient c1, RawClient c2, int from, int to) throws Exception {
        StringBuilder[] bodies = {new StringBuilder(), new StringBuilder()};
        int[] counts = new int[2];
        for (int i = from; i < to; i++) {
            int w = i % 2;
            long ts = T0 + (i % 8) * 10_000L + (i % 997);
            bodies[w].append(counts[w] == 0 ? "[" : ",").append("{\"name\":\"acc.").append(set.name())
                    .append("\",\"type\":\"distribution\",\"value\":").append(set.values()[i])
                    .append(",\"timestamp\":").append(ts).append(",\"tags\":{\"host\":\"")
                    .append(HOSTS[(i / 2) % HOSTS.length]).append("\"}}");
            if (++counts[w] == PER_POST || i >= to - 2) {
                RawClient c = w == 0 ? c1 : c2;
                RawClient.Response r = c.send(RawClient.post("/metrics", bodies[w].append("]").toString())).read();
                assertThat(r.status()).as(r.body()).isEqualTo(202);
                bodies[w].setLength(0);
                counts[w] = 0;
            }
        }
    }

    private static void flush(Aggregator aggregator, InMemoryMetricStore store) {
        for (int i = 0; i < 10; i++) {
            CollectedBatch batch = aggregator.collect();
            if (batch.isEmpty()) {
                return;
            }
            store.write(batch.aggregates()).join();
            batch.commit();
        }
    }

    /** The rows of a query response, read with a streaming parser. */
    private static List<Reported> rows(RawClient.Response response) throws Exception {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<Reported> rows = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(response.body())) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_OBJECT) {
                long count = 0;
                long sketchCount = -1;
                double sum = 0;
                double min = 0;
                double max = 0;
                double[] q = new double[QuantileDataSets.QUANTILES.size()];
                Arrays.fill(q, Double.NaN);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "count" -> count = p.getLongValue();
                        case "sketch_count" -> sketchCount = p.getLongValue();
                        case "sum" -> sum = p.getDoubleValue();
                        case "min" -> min = p.getDoubleValue();
                        case "max" -> max = p.getDoubleValue();
                        case "quantiles" -> {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String label = p.currentName();
                                p.nextToken();
                                for (int i = 0; i < q.length; i++) {
                                    if (QuantileDataSets.QUANTILES.label(i).equals(label)) {
                                        q[i] = p.getDoubleValue();
                                    }
                                }
                            }
                        }
                        default -> p.skipChildren();
                    }
                }
                rows.add(new Reported(count, sketchCount, sum, min, max, q));
            }
        }
        return rows;
    }
}
