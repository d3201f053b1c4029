package dev.metricsservice.core;

import java.util.Optional;

/**
 * The checks names, tag keys and tag values share: not empty, at most so many UTF-8 bytes, no ISO
 * control character, well-formed UTF-16 (so the text round-trips through UTF-8), and optionally
 * none of a few separator characters. Answers with the end of a sentence ("must not be empty"),
 * which the caller begins with what the text is ("metric name", "tag key 'x'"). Stateless.
 */
final class TextRule {

    private TextRule() {
    }

    /**
     * @param forbidden characters the text must not contain besides control characters, or ""
     * @param forbiddenText how the message names them, e.g. {@code "':', ',', '=' or a space"}
     */
    static Optional<String> problem(String s, int maxBytes, String forbidden, String forbiddenText) {
        if (s.isEmpty()) {
            return Optional.of("must not be empty");
        }
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of("must not contain control characters (found U+" + String.format("%04X", (int) c)
                        + " at index " + i + ")");
            }
            if (forbidden.indexOf(c) >= 0) {
                return Optional.of("must not contain " + forbiddenText + " (found '" + c + "' at index " + i + ")");
            }
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return Optional.of("contains an unpaired surrogate at index " + i);
                }
                bytes += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return Optional.of("contains an unpaired surrogate at index " + i);
            } else {
                bytes += 3;
            }
            if (bytes > maxBytes) {
                return Optional.of("is longer than " + maxBytes + " UTF-8 bytes");
            }
        }
        return Optional.empty();
    }
}
