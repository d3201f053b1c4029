package dev.metricsservice.store.dynamodb;

import dev.metricsservice.testsupport.NettyLeakCheck;
import dev.metricsservice.core.SeriesKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.Stats;
import dev.metricsservice.core.WindowAggregate;
import dev.metricsservice.core.WindowStats;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** Start-up against a real server: creating, finding, refusing tables; TTL; unreachable endpoints. */
class TableManagementTest {

    @RegisterExtension
    static final DynaliteExtension DYNAMO = new DynaliteExtension();

    @org.junit.jupiter.api.AfterAll
    static void noNettyLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    private static StoreException failure(CompletableFuture<?> f) {
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> f.get(60, TimeUnit.SECONDS));
        return StoreException.of(t);
    }

    @Test
    void open_missingTable_createsItOnDemandWithTheDocumentedSchema() {
        DynamoDbStoreConfig config = DYNAMO.configFor(DYNAMO.uniqueTableName("create")).build();
        try (DynamoDbMetricStore store = DynamoDbMetricStore.open(config).join();
             DynamoDbAsyncClient raw = DynamoDbMetricStore.newClient(config, null)) {
            TableDescription table = raw.describeTable(b -> b.tableName(config.tableName())).join().table();

            assertThat(TableManager.describeSchema(table)).isEqualTo("metric_name HASH (S), window_writer RANGE (S)");
            assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
            assertThat(store.checkReady().join()).isNull();
            assertThat(store.describe()).contains(config.tableName(), config.endpointOverride().toString());
        }
    }

    @Test
    void open_existingTable_isReusedWithItsData() throws Exception {
        DynamoDbStoreConfig config = DYNAMO.configFor(DYNAMO.uniqueTableName("reuse")).build();
        WindowAggregate a = new WindowAggregate(SeriesKey.of("cpu"), 1_764_000_000L, "w1", Stats.of(4, 10.0, 1.0, 4.0));
        try (DynamoDbMetricStore first = DynamoDbMetricStore.open(config).join()) {
            first.write(List.of(a)).get(30, TimeUnit.SECONDS);
        }
        try (DynamoDbMetricStore second = DynamoDbMetricStore.open(
                DYNAMO.configFor(config.tableName()).autoCreateTable(false).build()).join()) {
            assertThat(Rows.of(second, MetricQuery.latest("cpu", 5), 30))
                    .containsExactly(new WindowStats(a.windowStartEpochSecond(), a.stats()));
        }
    }

    @Test
    void open_missingTableWithAutoCreateOff_failsSayingSo() {
        DynamoDbStoreConfig config = DYNAMO.configFor(DYNAMO.uniqueTableName("nocreate")).autoCreateTable(false).build();

        StoreException e = failure(DynamoDbMetricStore.open(config));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(config.tableName(), "does not exist", "autoCreateTable");
    }

    @Test
    void open_seedServiceTable_isRefusedWithAnExplanation() {
        DynamoDbStoreConfig config = DYNAMO.configFor(DYNAMO.uniqueTableName("seed")).build();
        try (DynamoDbAsyncClient raw = DynamoDbMetricStore.newClient(config, null)) {
            // The table the seed service created: sort key `timestamp` (N).
            raw.createTable(b -> b.tableName(config.tableName()).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(k -> k.attributeName("metric_name").keyType(KeyType.HASH),
                            k -> k.attributeName("timestamp").keyType(KeyType.RANGE))
                    .attributeDefinitions(d -> d.attributeName("metric_name").attributeType(ScalarAttributeType.S),
                            d -> d.attributeName("timestamp").attributeType(ScalarAttributeType.N))).join();
        }

        StoreException e = failure(DynamoDbMetricStore.open(config));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("metric_name HASH (S), timestamp RANGE (N)",
                "metric_name HASH (S), window_writer RANGE (S)", "seed service", "another table name");
    }

    @Test
    void open_unreachableEndpoint_failsAsUnavailableNamingIt() {
        // Port 1 on loopback: nothing listens there. (A port just freed by a ServerSocket could be
        // taken by another process on this shared machine, which once turned "refused" into a
        // call timeout here.)
        DynamoDbStoreConfig config = DynamoDbStoreConfig.builder()
                .endpointOverride(URI.create("http://127.0.0.1:1"))
                // Generous, so that the refusal and not a slow first call on a busy machine decides.
                .callTimeout(Duration.ofSeconds(30))
                .maxAttempts(2).retryBaseDelay(Duration.ofMillis(5)).retryMaxDelay(Duration.ofMillis(10))
                .build();

        StoreException e = failure(DynamoDbMetricStore.open(config));

        // The refusal decides the first attempt. The SDK's Netty client has been seen to stall the
        // second connect to the same refused port until the call timeout (2 of about 20 runs on this
        // machine), which then reports TIMEOUT; both kinds are retryable and the message still names
        // the refused connection.
        assertThat(e.kind()).as(e.getMessage()).isIn(Kind.UNAVAILABLE, Kind.TIMEOUT);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains("127.0.0.1:1", "cannot connect", "gave up after 2 attempts");
    }

    @Test
    void open_withTtl_toleratesAServerWithoutTtlAndWritesExpiry() throws Exception {
        // dynalite has no UpdateTimeToLive: start-up must go on regardless.
        DynamoDbStoreConfig config = DYNAMO.configFor(DYNAMO.uniqueTableName("ttl"))
                .ttl("expires_at", Duration.ofDays(30)).build();
        long now = System.currentTimeMillis() / 1000;
        long recent = now - now % 10;
        long ancient = recent - Duration.ofDays(31).toSeconds();
        try (DynamoDbMetricStore store = DynamoDbMetricStore.open(config).join();
             DynamoDbAsyncClient raw = DynamoDbMetricStore.newClient(config, null)) {
            store.write(List.of(new WindowAggregate(SeriesKey.of("cpu"), recent, "w1", Stats.of(1.0)),
                    new WindowAggregate(SeriesKey.of("cpu"), ancient, "w1", Stats.of(2.0)))).get(30, TimeUnit.SECONDS);

            Map<String, AttributeValue> item = raw.getItem(b -> b.tableName(config.tableName()).consistentRead(true)
                    .key(Map.of("metric_name", AttributeValue.fromS("cpu"),
                            "window_writer", AttributeValue.fromS(ItemMapper.sortKey(recent, "w1", 0))))).join().item();
            assertThat(item.get("expires_at").n()).isEqualTo(Long.toString(recent + Duration.ofDays(30).toSeconds()));
            // The expired item is still on the server (TTL deletes lazily) but hidden from queries.
            assertThat(Rows.of(store, MetricQuery.latest("cpu", 10), 30))
                    .containsExactly(new WindowStats(recent, Stats.of(1.0)));
        }
    }
}
