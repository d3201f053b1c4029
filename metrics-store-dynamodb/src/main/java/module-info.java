/**
 * The DynamoDB store: {@code DynamoDbMetricStore} and its configuration. The AWS SDK's jars are
 * automatic modules with stable names ({@code Automatic-Module-Name} in their manifests); the
 * credentials provider and the async client appear in this module's API, so those two are
 * required transitively.
 */
module dev.metricsservice.store.dynamodb {
    requires transitive dev.metricsservice.core;
    requires org.slf4j;
    requires io.netty.transport;
    requires transitive software.amazon.awssdk.auth;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.http.nio.netty;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.profiles;
    requires transitive software.amazon.awssdk.services.dynamodb;

    exports dev.metricsservice.store.dynamodb;
}
