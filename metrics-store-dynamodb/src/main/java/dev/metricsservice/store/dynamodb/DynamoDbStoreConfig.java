package dev.metricsservice.store.dynamodb;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Everything {@link DynamoDbMetricStore} can be told, with defaults, validated when built.
 *
 * <pre>{@code
 * // real DynamoDB, region and credentials from the SDK's default chains
 * DynamoDbStoreConfig aws = DynamoDbStoreConfig.builder().region("eu-west-1").build();
 * // a local DynamoDB-compatible server (dynalite, DynamoDB Local): dummy credentials are used
 * DynamoDbStoreConfig local = DynamoDbStoreConfig.builder()
 *         .endpointOverride(URI.create("http://127.0.0.1:4567"))
 *         .tableName("metrics-dev")
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Every duration must be positive.
 *
 * @param endpointOverride    where to send requests instead of the region's public endpoint, or
 *                            null for real DynamoDB
 * @param region              AWS region name, or null: the SDK's region chain (environment,
 *                            profile) for real DynamoDB, {@code us-east-1} with an endpoint override
 * @param credentialsProvider explicit credentials, or null: static dummy credentials when the
 *                            endpoint override names a loopback host, otherwise the SDK's default
 *                            credentials chain
 * @param tableName           table holding the aggregates (default {@value #DEFAULT_TABLE_NAME})
 * @param autoCreateTable     create the table at start-up when it is missing (default true)
 * @param maxInFlightBatches  largest number of BatchWriteItem requests outstanding at once, across
 *                            all concurrent writes of the store (default 8)
 * @param callTimeout         bound on one SDK call, including connecting (default 5 s)
 * @param operationTimeout    bound on one whole write or query, including every retry and page
 *                            (default 60 s)
 * @param maxAttempts         attempts of one request before giving up; for BatchWriteItem only
 *                            attempts that stored nothing count (default 8)
 * @param retryBaseDelay      first backoff delay; doubles per retry (default 25 ms)
 * @param retryMaxDelay       cap on one backoff delay (default 2 s)
 * @param tableReadyTimeout   how long start-up waits for a new table to become ACTIVE (default 60 s)
 * @param tablePollInterval   how often start-up asks for the table's status meanwhile (default 250 ms)
 * @param consistentReads     strongly consistent queries, so a query sees every write that
 *                            completed before it (default true; false halves read cost)
 * @param ttlAttribute        name of the expiry attribute (epoch seconds) for DynamoDB TTL, or
 *                            null to write none
 * @param retention           how long after its window start an item expires; required with
 *                            {@code ttlAttribute}, ignored without it
 */
public record DynamoDbStoreConfig(
        URI endpointOverride,
        String region,
        AwsCredentialsProvider credentialsProvider,
        String tableName,
        boolean autoCreateTable,
        int maxInFlightBatches,
        Duration callTimeout,
        Duration operationTimeout,
        int maxAttempts,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        Duration tableReadyTimeout,
        Duration tablePollInterval,
        boolean consistentReads,
        String ttlAttribute,
        Duration retention) {

    /** The seed service's table name, kept as the default. */
    public static final String DEFAULT_TABLE_NAME = "metrics-service";
    /** Region used with an endpoint override when none is configured (local servers ignore it). */
    public static final String LOCAL_DEFAULT_REGION = "us-east-1";

    public DynamoDbStoreConfig {
        Objects.requireNonNull(tableName, "tableName");
        if (!tableName.matches("[a-zA-Z0-9_.-]{3,255}")) {
            throw new IllegalArgumentException("DynamoDB table name must be 3 to 255 characters of a-z, A-Z, 0-9, "
                    + "'_', '-' and '.', was '" + tableName + "'");
        }
        if (maxInFlightBatches < 1) {
            throw new IllegalArgumentException("maxInFlightBatches must be at least 1, was " + maxInFlightBatches);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        requirePositive("callTimeout", callTimeout);
        requirePositive("operationTimeout", operationTimeout);
        requirePositive("retryBaseDelay", retryBaseDelay);
        requirePositive("retryMaxDelay", retryMaxDelay);
        requirePositive("tableReadyTimeout", tableReadyTimeout);
        requirePositive("tablePollInterval", tablePollInterval);
        if (retryMaxDelay.compareTo(retryBaseDelay) < 0) {
            throw new IllegalArgumentException("retryMaxDelay (" + retryMaxDelay + ") must not be below retryBaseDelay ("
                    + retryBaseDelay + ")");
        }
        if (endpointOverride != null && (endpointOverride.getScheme() == null || endpointOverride.getHost() == null)) {
            throw new IllegalArgumentException("endpointOverride must be an absolute URI such as http://127.0.0.1:4567, was '"
                    + endpointOverride + "'");
        }
        if (ttlAttribute != null) {
            if (ttlAttribute.isEmpty() || ItemMapper.RESERVED_ATTRIBUTES.contains(ttlAttribute)) {
                throw new IllegalArgumentException("ttlAttribute must be a new attribute name, not empty or one of "
                        + ItemMapper.RESERVED_ATTRIBUTES + ", was '" + ttlAttribute + "'");
            }
            requirePositive("retention (required with ttlAttribute)", retention);
        }
    }

    /** A builder holding every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: real DynamoDB, table {@value #DEFAULT_TABLE_NAME}. */
    public static DynamoDbStoreConfig defaults() {
        return builder().build();
    }

    /** True when the endpoint override names this machine, where dummy credentials are enough. */
    public boolean isLocalEndpoint() {
        if (endpointOverride == null) {
            return false;
        }
        String host = endpointOverride.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        // Only literal addresses are checked: resolving a host name here could block on DNS.
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
            return false;
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The expiry of an item of the given window, or null when no TTL attribute is configured. */
    Long expiryEpochSecond(long windowStartEpochSecond) {
        if (ttlAttribute == null) {
            return null;
        }
        long retentionSeconds = retention.getSeconds();
        return windowStartEpochSecond > Long.MAX_VALUE - retentionSeconds
                ? Long.MAX_VALUE : windowStartEpochSecond + retentionSeconds;
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private URI endpointOverride;
        private String region;
        private AwsCredentialsProvider credentialsProvider;
        private String tableName = DEFAULT_TABLE_NAME;
        private boolean autoCreateTable = true;
        private int maxInFlightBatches = 8;
        private Duration callTimeout = Duration.ofSeconds(5);
        private Duration operationTimeout = Duration.ofSeconds(60);
        private int maxAttempts = 8;
        private Duration retryBaseDelay = Duration.ofMillis(25);
        private Duration retryMaxDelay = Duration.ofSeconds(2);
        private Duration tableReadyTimeout = Duration.ofSeconds(60);
        private Duration tablePollInterval = Duration.ofMillis(250);
        private boolean consistentReads = true;
        private String ttlAttribute;
        private Duration retention;

        private Builder() {
        }

        public Builder endpointOverride(URI endpointOverride) {
            this.endpointOverride = endpointOverride;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder credentialsProvider(AwsCredentialsProvider credentialsProvider) {
            this.credentialsProvider = credentialsProvider;
            return this;
        }

        public Builder tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        public Builder autoCreateTable(boolean autoCreateTable) {
            this.autoCreateTable = autoCreateTable;
            return this;
        }

        public Builder maxInFlightBatches(int maxInFlightBatches) {
            this.maxInFlightBatches = maxInFlightBatches;
            return this;
        }

        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
            return this;
        }

        public Builder operationTimeout(Duration operationTimeout) {
            this.operationTimeout = operationTimeout;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder retryBaseDelay(Duration retryBaseDelay) {
            this.retryBaseDelay = retryBaseDelay;
            return this;
        }

        public Builder retryMaxDelay(Duration retryMaxDelay) {
            this.retryMaxDelay = retryMaxDelay;
            return this;
        }

        public Builder tableReadyTimeout(Duration tableReadyTimeout) {
            this.tableReadyTimeout = tableReadyTimeout;
            return this;
        }

        public Builder tablePollInterval(Duration tablePollInterval) {
            this.tablePollInterval = tablePollInterval;
            return this;
        }

        public Builder consistentReads(boolean consistentReads) {
            this.consistentReads = consistentReads;
            return this;
        }

        /** Writes an expiry attribute of this name, window start plus {@code retention}. */
        public Builder ttl(String ttlAttribute, Duration retention) {
            this.ttlAttribute = ttlAttribute;
            this.retention = retention;
            return this;
        }

        public DynamoDbStoreConfig build() {
            return new DynamoDbStoreConfig(endpointOverride, region, credentialsProvider, tableName, autoCreateTable,
                    maxInFlightBatches, callTimeout, operationTimeout, maxAttempts, retryBaseDelay, retryMaxDelay,
                    tableReadyTimeout, tablePollInterval, consistentReads, ttlAttribute, retention);
        }
    }
}
