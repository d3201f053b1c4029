package dev.metricsservice.core.durability;

/** A record was not made durable; {@link #reason()} says why, so a front end can answer fittingly. */
public final class DurableLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a record was refused. */
    public enum Reason {
        /** The log holds its maximum number of bytes (the store has been unreachable too long): retry later. */
        FULL,
        /** Writing or forcing the file failed (disk full, I/O error): the log stops taking records. */
        IO_ERROR,
        /** The record is larger than the log takes. */
        TOO_LARGE,
        /** The log is closed. */
        CLOSED
    }

    private final Reason reason;

    public DurableLogException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DurableLogException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** Why the record is not durable. */
    public Reason reason() {
        return reason;
    }
}
