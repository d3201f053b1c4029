package dev.metricsservice.http;

/**
 * What a request parser produced: the parsed value, or the error to answer with. Never null.
 *
 * <pre>{@code
 * Parsed<Api.QueryRequest> parsed = api.parseQuery(uri);
 * if (parsed instanceof Parsed.Invalid<Api.QueryRequest> bad) {
 *     return answer(bad.error());
 * }
 * run(((Parsed.Ok<Api.QueryRequest>) parsed).value());
 * }</pre>
 */
sealed interface Parsed<T> {

    /** The request parsed; {@code value} is what it says. */
    record Ok<T>(T value) implements Parsed<T> {
    }

    /** The request is refused with {@code error}. */
    record Invalid<T>(ApiError error) implements Parsed<T> {
    }

    static <T> Parsed<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Parsed<T> invalid(ApiError error) {
        return new Invalid<>(error);
    }
}
