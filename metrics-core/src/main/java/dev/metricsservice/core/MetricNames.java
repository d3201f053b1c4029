package dev.metricsservice.core;

import java.util.Optional;

/**
 * The rule every metric name obeys.
 *
 * <p>A valid name is a Java string that
 * <ul>
 *   <li>is between 1 and the maximum number of bytes when encoded as UTF-8 (default
 *       {@value #DEFAULT_MAX_NAME_BYTES});</li>
 *   <li>contains no ISO control character (U+0000..U+001F and U+007F..U+009F, so no tab, newline or
 *       NUL);</li>
 *   <li>is well-formed UTF-16: no unpaired surrogate, so that it round-trips through UTF-8.</li>
 * </ul>
 * Everything else is allowed: spaces, punctuation, slashes, emoji, any script.
 *
 * <pre>{@code
 * MetricNames.problem(name, 200).ifPresent(problem -> {
 *     throw new IllegalArgumentException(problem);
 * });
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class MetricNames {

    /** Default upper bound on a name's UTF-8 length, in bytes. */
    public static final int DEFAULT_MAX_NAME_BYTES = 200;

    private MetricNames() {
    }

    /**
     * Checks a name against the rule.
     *
     * @param name         the candidate, may be null
     * @param maxNameBytes the largest accepted UTF-8 length
     * @return empty when valid, otherwise a sentence saying what is wrong
     */
    public static Optional<String> problem(String name, int maxNameBytes) {
        if (name == null) {
            return Optional.of("metric name is missing");
        }
        return TextRule.problem(name, maxNameBytes, "", "").map(p -> "metric name " + p);
    }
}
