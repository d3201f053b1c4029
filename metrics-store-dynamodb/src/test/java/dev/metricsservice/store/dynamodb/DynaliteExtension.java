package dev.metricsservice.store.dynamodb;

import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving tests a DynamoDB endpoint: one in-memory dynalite per test run (shared
 * by every test class, stopped when the run ends), or the endpoint named by the system property
 * {@value #ENDPOINT_PROPERTY}, in which case nothing is started.
 *
 * <pre>{@code
 * class MyTest {
 *     @RegisterExtension
 *     static final DynaliteExtension DYNAMO = new DynaliteExtension();
 *
 *     @Test
 *     void something() {
 *         DynamoDbStoreConfig config = DYNAMO.configFor(DYNAMO.uniqueTableName("my-test")).build();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>With {@code -Ddynamodb.endpoint=https://dynamodb.eu-west-1.amazonaws.com} the same tests run
 * against real DynamoDB, with the SDK's default credentials and {@code -Ddynamodb.region}
 * (default us-east-1); every table they create starts with {@code mstest-}.
 *
 * <p>Thread-safe.
 */
public final class DynaliteExtension implements BeforeAllCallback {

    /** System property naming an external endpoint to test against instead of a dynalite we start. */
    public static final String ENDPOINT_PROPERTY = "dynamodb.endpoint";
    /** System property naming the region used with an external endpoint. */
    public static final String REGION_PROPERTY = "dynamodb.region";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DynaliteExtension.class);
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final String RUN_ID = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    private volatile URI endpoint;

    @Override
    public void beforeAll(ExtensionContext context) {
        String external = System.getProperty(ENDPOINT_PROPERTY);
        if (external != null && !external.isBlank()) {
            endpoint = URI.create(external.trim());
            return;
        }
        // Stored in the root context: started once per run, closed by JUnit when the run ends.
        SharedServer shared = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedServer.class, k -> new SharedServer(), SharedServer.class);
        endpoint = shared.server.endpoint();
    }

    /** True when tests run against an endpoint given by {@value #ENDPOINT_PROPERTY} rather than our dynalite. */
    public static boolean isExternal() {
        String external = System.getProperty(ENDPOINT_PROPERTY);
        return external != null && !external.isBlank();
    }

    /** The endpoint to test against; valid after {@code beforeAll}. */
    public URI endpoint() {
        if (endpoint == null) {
            throw new IllegalStateException("register DynaliteExtension with @RegisterExtension on a static field");
        }
        return endpoint;
    }

    /** A table name no other test of this run uses. */
    public String uniqueTableName(String purpose) {
        return "mstest-" + purpose + "-" + RUN_ID + "-" + TABLES.incrementAndGet();
    }

    /** A store configuration for this endpoint and table, with test-friendly timeouts; adjust and build. */
    public DynamoDbStoreConfig.Builder configFor(String tableName) {
        return DynamoDbStoreConfig.builder()
                .endpointOverride(endpoint())
                .region(System.getProperty(REGION_PROPERTY, DynamoDbStoreConfig.LOCAL_DEFAULT_REGION))
                .tableName(tableName);
    }

    private static final class SharedServer implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final DynaliteServer server = DynaliteServer.start(null);

        @Override
        public void close() {
            server.close();
        }
    }
}
