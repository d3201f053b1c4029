package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.store.StoreException;
import dev.metricsservice.core.store.StoreException.Kind;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns whatever the SDK throws into a {@link StoreException} whose kind says whether retrying
 * helps and whose message says what to fix. The SDK exception stays attached as the cause.
 *
 * <p>Stateless and thread-safe.
 */
final class ErrorMapper {

    private static final Set<String> THROTTLING_CODES = Set.of(
            "ProvisionedThroughputExceededException", "RequestLimitExceeded", "ThrottlingException",
            "Throttling", "TooManyRequestsException", "LimitExceededException");
    private static final Set<String> CREDENTIAL_CODES = Set.of(
            "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationToken",
            "MissingAuthenticationTokenException", "ExpiredTokenException", "InvalidClientTokenId",
            "IncompleteSignature", "IncompleteSignatureException");

    private final String tableName;
    private final String where;

    /**
     * @param tableName the store's table, named in messages
     * @param where     the endpoint or region, named in messages ("endpoint http://127.0.0.1:4567")
     */
    ErrorMapper(String tableName, String where) {
        this.tableName = tableName;
        this.where = where;
    }

    /** Maps a failure of the operation described by {@code action} ("BatchWriteItem", "Query for 'cpu'"). */
    StoreException map(String action, Throwable error) {
        Throwable t = unwrap(error);
        if (t instanceof StoreException se) {
            return se;
        }
        String prefix = "DynamoDB " + action + " on table '" + tableName + "' at " + where + " failed: ";
        if (t instanceof AwsServiceException ase) {
            return mapService(prefix, ase);
        }
        if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                || t instanceof TimeoutException) {
            return new StoreException(Kind.TIMEOUT, prefix + "no answer within the call timeout ("
                    + t.getMessage() + "); the endpoint is slow or unreachable", t);
        }
        if (t instanceof SdkClientException sce) {
            return mapClient(prefix, sce);
        }
        return new StoreException(Kind.INTERNAL, prefix + t, t);
    }

    private StoreException mapService(String prefix, AwsServiceException e) {
        String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
        String message = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : e.getMessage();
        int status = e.statusCode();
        String detail = (code == null ? "" : code + ": ") + message;
        if (e.isThrottlingException() || (code != null && THROTTLING_CODES.contains(code))) {
            return new StoreException(Kind.THROTTLED, prefix + "throttled by DynamoDB (" + detail
                    + "); the table is over its capacity, so the write is retried later", e);
        }
        if ("ResourceNotFoundException".equals(code)) {
            return new StoreException(Kind.MISCONFIGURED, prefix + "the table does not exist (" + detail
                    + "); enable autoCreateTable or create it as the module README describes", e);
        }
        if ("ResourceInUseException".equals(code)) {
            return new StoreException(Kind.UNAVAILABLE, prefix + "the table is busy (" + detail + ")", e);
        }
        if ("AccessDeniedException".equals(code) || (code != null && CREDENTIAL_CODES.contains(code))
                || status == 401 || status == 403) {
            return new StoreException(Kind.ACCESS_DENIED, prefix + "the credentials were refused (" + detail
                    + "); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile, and that the IAM policy allows "
                    + "DescribeTable, CreateTable, BatchWriteItem and Query on this table", e);
        }
        if (status >= 500) {
            return new StoreException(Kind.UNAVAILABLE, prefix + "server error " + status + " (" + detail + ")", e);
        }
        if ("ValidationException".equals(code) || "SerializationException".equals(code)) {
            return new StoreException(Kind.INVALID_REQUEST, prefix + "the request was rejected (" + detail + ")", e);
        }
        if ("UnknownOperationException".equals(code)) {
            return new StoreException(Kind.MISCONFIGURED, prefix + "the server does not support this operation ("
                    + detail + "); is the endpoint a DynamoDB-compatible server?", e);
        }
        return new StoreException(status >= 400 && status < 500 ? Kind.INVALID_REQUEST : Kind.INTERNAL,
                prefix + "HTTP " + status + " (" + detail + ")", e);
    }

    private StoreException mapClient(String prefix, SdkClientException e) {
        String text = String.valueOf(e.getMessage());
        if (text.contains("Unable to load credentials")
                || (text.contains("credentials") && text.contains("provider"))) {
            return new StoreException(Kind.ACCESS_DENIED, prefix + "no AWS credentials were found; set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role (for a local server, "
                    + "set an endpoint override on 127.0.0.1/localhost to use dummy credentials)", e);
        }
        if (text.contains("Unable to load region")) {
            return new StoreException(Kind.MISCONFIGURED, prefix + "no AWS region configured; set AWS_REGION or the "
                    + "store's region", e);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException
                    || c instanceof ClosedChannelException) {
                return new StoreException(Kind.UNAVAILABLE, prefix + "cannot connect (" + c.getMessage()
                        + "); is the endpoint right and the server running?", e);
            }
            if (c instanceof UnknownHostException) {
                return new StoreException(Kind.UNAVAILABLE, prefix + "unknown host (" + c.getMessage()
                        + "); check the endpoint or region", e);
            }
            if (c instanceof TimeoutException || c instanceof ApiCallTimeoutException
                    || c instanceof ApiCallAttemptTimeoutException) {
                return new StoreException(Kind.TIMEOUT, prefix + "timed out (" + c.getMessage() + ")", e);
            }
        }
        // Remaining client-side failures are I/O trouble on the way (reset connections, broken
        // responses): the request may well succeed when repeated.
        return new StoreException(Kind.UNAVAILABLE, prefix + text, e);
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
