package dev.metricsservice.core;

import java.util.List;
import java.util.Objects;

/**
 * One condition of a query on a series' tags: the series has tag {@code key} with exactly
 * {@code value}. A query's filters must all match.
 *
 * <pre>{@code
 * var filters = List.of(new TagFilter("region", "eu"), new TagFilter("host", "a"));
 * boolean hit = TagFilter.allMatch(filters, Tags.of("host", "a", "region", "eu", "az", "1"));  // true
 * }</pre>
 *
 * @param key   the tag key
 * @param value the value the tag must have
 */
public record TagFilter(String key, String value) {

    public TagFilter {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** True when {@code tags} has this key with this value. */
    public boolean matches(Tags tags) {
        return tags.get(key).map(value::equals).orElse(false);
    }

    /** True when every filter matches {@code tags} (so always for no filters). */
    public static boolean allMatch(List<TagFilter> filters, Tags tags) {
        for (TagFilter f : filters) {
            if (!f.matches(tags)) {
                return false;
            }
        }
        return true;
    }

    /** {@code key:value}, as the HTTP parameter writes it. */
    @Override
    public String toString() {
        return key + ":" + value;
    }
}
