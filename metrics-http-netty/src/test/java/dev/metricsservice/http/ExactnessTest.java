package dev.metricsservice.http;

import dev.metricsservice.testsupport.NettyLeakCheck;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.store.InMemoryMetricStore;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many clients post integer values at once, singly and in batches, over keep-alive connections;
 * the totals read back over GET are exact, and the store flush in the middle loses and doubles
 * nothing.
 */
class ExactnessTest {

    private static final int CLIENTS = 8;
    private static final int ROUNDS = 300;
    private static final String[] NAMES = {"exact.a", "exact.b", "exact c/d"};

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentClients_totalsExactViaGet() throws Exception {
        Aggregator aggregator = TestServers.aggregator();
        InMemoryMetricStore store = new InMemoryMetricStore();
        try (MetricsHttpServer server = TestServers.start(aggregator, store, TestServers.config().build())) {
            InetSocketAddress a = server.localAddress();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<long[]>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                results.add(pool.submit(() -> postAll(a, client)));
            }
            // A flush in the middle of the run: rows move from memory to the store.
            Thread.sleep(50);
            var batch = aggregator.collect();
            store.write(batch.aggregates()).join();
            batch.commit();
            long[] expectedCount = new long[NAMES.length];
            long[] expectedSum = new long[NAMES.length];
            for (Future<long[]> f : results) {
                long[] r = f.get(50, TimeUnit.SECONDS);
                for (int i = 0; i < NAMES.length; i++) {
                    expectedCount[i] += r[2 * i];
                    expectedSum[i] += r[2 * i + 1];
                }
            }
            pool.shutdown();
            try (RawClient c = new RawClient(a, 5000)) {
                for (int i = 0; i < NAMES.length; i++) {
                    String path = "/metrics/" + NAMES[i].replace(" ", "%20").replace("/", "%2F") + "?limit=1000";
                    String body = c.send(RawClient.get(path)).read().body();
                    long count = 0;
                    double sum = 0;
                    Matcher m = Pattern.compile("\"sum\":([0-9.E]+),\"count\":(\\d+)").matcher(body);
                    while (m.find()) {
                        sum += Double.parseDouble(m.group(1));
                        count += Long.parseLong(m.group(2));
                    }
                    assertThat(count).as(NAMES[i] + " count").isEqualTo(expectedCount[i]);
                    assertThat(sum).as(NAMES[i] + " sum").isEqualTo((double) expectedSum[i]);
                }
            }
            assertThat(aggregator.counters().rejectedTotal()).isZero();
        }
    }

    /** Posts ROUNDS requests (every fourth a batch of 10); returns count and sum per name. */
    private static long[] postAll(InetSocketAddress a, int client) throws Exception {
        long[] totals = new long[2 * NAMES.length];
        try (RawClient c = new RawClient(a, 10_000)) {
            for (int round = 0; round < ROUNDS; round++) {
                int nameIndex = (client + round) % NAMES.length;
                String name = NAMES[nameIndex];
                if (round % 4 == 0) {
                    StringBuilder sb = new StringBuilder("[");
                    for (int k = 0; k < 10; k++) {
                        long v = client * 1000L + round + k;
                        sb.append(k == 0 ? "" : ",").append("{\"name\":\"").append(name).append("\",\"value\":").append(v).append('}');
                        totals[2 * nameIndex]++;
                        totals[2 * nameIndex + 1] += v;
                    }
                    RawClient.Response r = c.send(RawClient.post("/metrics", sb.append(']').toString())).read();
                    assertThat(r.status()).isEqualTo(202);
                } else {
                    long v = client * 1000L + round;
                    RawClient.Response r = c.send(RawClient.post("/metrics", "{\"name\":\"" + name + "\",\"value\":" + v + "}")).read();
                    assertThat(r.status()).isEqualTo(202);
                    totals[2 * nameIndex]++;
                    totals[2 * nameIndex + 1] += v;
                }
            }
        }
        return totals;
    }
}
