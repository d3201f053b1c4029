package dev.metricsservice.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

class ErrorMapperTest {

    private final ErrorMapper mapper = new ErrorMapper("metrics-service", "endpoint http://127.0.0.1:4567");

    @ParameterizedTest
    @CsvSource({
            "ProvisionedThroughputExceededException, 400, THROTTLED",
            "ThrottlingException, 400, THROTTLED",
            "RequestLimitExceeded, 400, THROTTLED",
            "ResourceNotFoundException, 400, MISCONFIGURED",
            "ResourceInUseException, 400, UNAVAILABLE",
            "UnrecognizedClientException, 400, ACCESS_DENIED",
            "InvalidSignatureException, 400, ACCESS_DENIED",
            "AccessDeniedException, 400, ACCESS_DENIED",
            "ExpiredTokenException, 400, ACCESS_DENIED",
            "InternalServerError, 500, UNAVAILABLE",
            "ServiceUnavailable, 503, UNAVAILABLE",
            "ValidationException, 400, INVALID_REQUEST",
            "UnknownOperationException, 400, MISCONFIGURED",
            "SomethingNew, 400, INVALID_REQUEST"
    })
    void map_serviceErrors_byCodeAndStatus(String code, int status, Kind kind) {
        StoreException e = mapper.map("BatchWriteItem", new CompletionException(StubDynamoDbClient.serviceError(code, status)));

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.getMessage()).contains("BatchWriteItem", "'metrics-service'", "http://127.0.0.1:4567", code);
        assertThat(e.getCause()).isNotInstanceOf(CompletionException.class);
    }

    @Test
    void map_missingCredentials_saysHowToProvideThem() {
        StoreException e = mapper.map("DescribeTable", SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain"));

        assertThat(e.kind()).isEqualTo(Kind.ACCESS_DENIED);
        assertThat(e.getMessage()).contains("AWS_ACCESS_KEY_ID", "AWS_PROFILE");
    }

    @Test
    void map_missingRegion_saysHowToSetIt() {
        StoreException e = mapper.map("client set-up", SdkClientException.create("Unable to load region from any of "
                + "the providers in the chain"));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("AWS_REGION");
    }

    @Test
    void map_connectionRefused_isUnavailableAndNamesTheEndpoint() {
        StoreException e = mapper.map("Query", SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused")));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains("cannot connect", "http://127.0.0.1:4567", "server running");
    }

    @Test
    void map_unknownHost_isUnavailable() {
        StoreException e = mapper.map("Query", SdkClientException.create("Unable to execute HTTP request",
                new UnknownHostException("dynamodb.nowhere.invalid")));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("unknown host");
    }

    @Test
    void map_callTimeout_isTimeout() {
        StoreException e = mapper.map("Query", ApiCallTimeoutException.create(5000));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.isRetryable()).isTrue();
    }

    @Test
    void map_storeException_isPassedThrough() {
        StoreException original = new StoreException(Kind.CLOSED, "closed");

        assertThat(mapper.map("Query", new CompletionException(original))).isSameAs(original);
    }

    @Test
    void map_anythingElse_isInternal() {
        assertThat(mapper.map("Query", new IllegalStateException("boom")).kind()).isEqualTo(Kind.INTERNAL);
    }
}
