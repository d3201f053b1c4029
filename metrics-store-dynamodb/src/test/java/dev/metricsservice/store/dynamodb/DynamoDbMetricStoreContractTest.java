package dev.metricsservice.store.dynamodb;

import dev.metricsservice.testsupport.NettyLeakCheck;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.core.storetest.MetricStoreContractTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole store contract, against dynalite (or {@code -Ddynamodb.endpoint}); one fresh table per test. */
class DynamoDbMetricStoreContractTest extends MetricStoreContractTest {

    @RegisterExtension
    static final DynaliteExtension DYNAMO = new DynaliteExtension();

    @Override
    protected MetricStore newStore() {
        return DynamoDbMetricStore.open(DYNAMO.configFor(DYNAMO.uniqueTableName("contract")).build()).join();
    }

    @Override
    protected MetricStore newStoreWithRetention(Duration retention) {
        return DynamoDbMetricStore.open(DYNAMO.configFor(DYNAMO.uniqueTableName("retention"))
                .ttl("expires_at", retention).build()).join();
    }

    @AfterAll
    static void noNettyLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }
}
