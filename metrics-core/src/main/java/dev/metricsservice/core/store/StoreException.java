package dev.metricsservice.core.store;

/**
 * A failure of a {@link MetricStore}, in the store's own terms. Implementations wrap their
 * driver's exceptions in this type (keeping them as the cause) so that callers never depend on a
 * backend's SDK.
 *
 * <pre>{@code
 * store.write(batch).whenComplete((ok, error) -> {
 *     if (error != null && StoreException.of(error).isRetryable()) {
 *         scheduleRetry();
 *     }
 * });
 * }</pre>
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure happened; decides whether retrying can help. */
    public enum Kind {
        /** The store could not be reached or did not answer in time. Retrying may help. */
        UNAVAILABLE(true),
        /** The store refused for lack of capacity (throttling). Retrying later helps. */
        THROTTLED(true),
        /** A call did not finish within its timeout. Retrying may help. */
        TIMEOUT(true),
        /** Credentials are missing or not allowed to do this. Fix the configuration. */
        ACCESS_DENIED(false),
        /** The store is not set up as expected (missing table, incompatible schema). */
        MISCONFIGURED(false),
        /** The request itself was invalid; retrying the same request cannot succeed. */
        INVALID_REQUEST(false),
        /** The store has been closed. */
        CLOSED(false),
        /** Anything else. */
        INTERNAL(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        /** True when the same call may succeed if repeated later. */
        public boolean isRetryable() {
            return retryable;
        }
    }

    private final Kind kind;

    public StoreException(Kind kind, String message) {
        this(kind, message, null);
    }

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
    }

    /** What kind of failure this is. */
    public Kind kind() {
        return kind;
    }

    /** True when repeating the call later may succeed. */
    public boolean isRetryable() {
        return kind.isRetryable();
    }

    /**
     * Finds the store exception in a throwable as delivered by a {@code CompletableFuture}
     * (unwrapping {@code CompletionException} and {@code ExecutionException}); anything else is
     * wrapped as {@link Kind#INTERNAL}.
     */
    public static StoreException of(Throwable error) {
        Throwable t = error;
        while (t != null) {
            if (t instanceof StoreException se) {
                return se;
            }
            if (t instanceof java.util.concurrent.CompletionException
                    || t instanceof java.util.concurrent.ExecutionException) {
                t = t.getCause();
            } else {
                break;
            }
        }
        return new StoreException(Kind.INTERNAL, String.valueOf(error), error);
    }
}
