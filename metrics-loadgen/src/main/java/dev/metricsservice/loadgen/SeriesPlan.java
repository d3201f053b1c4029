package dev.metricsservice.loadgen;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which series a run writes: every metric name crossed with every combination of the tag values,
 * and the type of each name.
 *
 * <pre>{@code
 * // 5 names x 16 combinations (host-0..host-7 x region-0..region-1) = 80 series; latency a distribution
 * SeriesPlan plan = SeriesPlan.parse(Samples.SEED_NAMES, "host=8,region=2", "latency=distribution");
 * }</pre>
 *
 * <p>Worker {@code w}'s {@code n}-th sample goes to metric {@code names[n % names]} and tag
 * combination {@code (n / names + w) % combinations}: each worker cycles through all combinations,
 * and workers start at different ones. Without tags there is one combination, no tags: the seed's
 * samples. Immutable and thread-safe.
 *
 * @param names        metric names
 * @param combinations the tag combinations, {@code [Tags.empty()]} without tags
 * @param types        the type of each name, in the order of {@code names}
 */
public record SeriesPlan(List<String> names, List<Tags> combinations, List<MetricType> types) {

    /** Most series one plan may make (names times combinations). */
    public static final int MAX_SERIES = 1_000_000;

    public SeriesPlan {
        names = List.copyOf(names);
        combinations = List.copyOf(combinations);
        types = List.copyOf(types);
        if (names.isEmpty() || combinations.isEmpty() || types.size() != names.size()) {
            throw new IllegalArgumentException("a plan needs names, one type per name and at least one combination");
        }
        if ((long) names.size() * combinations.size() > MAX_SERIES) {
            throw new IllegalArgumentException("the plan would make " + (long) names.size() * combinations.size()
                    + " series; at most " + MAX_SERIES);
        }
    }

    /** The seed's plan: these names, no tags, every name a summary. */
    public static SeriesPlan untagged(List<String> names) {
        return parse(names, "", "");
    }

    /**
     * A plan from the command line's forms.
     *
     * @param tagSpec  {@code key=count,...}: tag {@code key} takes the values {@code key-0 ..
     *                 key-(count-1)}; empty for no tags
     * @param typeSpec {@code name=type,...} with the wire names of {@link MetricType}; names not
     *                 listed are summaries
     * @throws IllegalArgumentException saying which part is malformed
     */
    public static SeriesPlan parse(List<String> names, String tagSpec, String typeSpec) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String part : tagSpec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? "" : part.substring(0, eq).strip();
            int count;
            try {
                count = Integer.parseInt(part.substring(eq + 1).strip());
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                count = -1;
            }
            if (key.isEmpty() || count < 1 || count > 100_000) {
                throw new IllegalArgumentException("--tags takes key=count pairs (count 1 to 100000), got '" + part + "'");
            }
            if (counts.put(key, count) != null) {
                throw new IllegalArgumentException("--tags names key '" + key + "' twice");
            }
        }
        List<Tags> combinations = new ArrayList<>();
        combinations.add(Tags.empty());
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            List<Tags> next = new ArrayList<>();
            for (Tags t : combinations) {
                for (int i = 0; i < e.getValue(); i++) {
                    next.add(t.and(e.getKey(), e.getKey() + "-" + i));
                }
                if (next.size() > MAX_SERIES) {
                    throw new IllegalArgumentException("--tags makes more than " + MAX_SERIES + " combinations");
                }
            }
            combinations = next;
        }
        Map<String, MetricType> typeOf = new LinkedHashMap<>();
        for (String part : typeSpec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            MetricType type = eq < 0 ? null : MetricType.parse(part.substring(eq + 1).strip()).orElse(null);
            if (type == null) {
                throw new IllegalArgumentException("--types takes name=type pairs with type one of "
                        + MetricType.wireNames() + ", got '" + part + "'");
            }
            String name = part.substring(0, eq).strip();
            if (!names.contains(name)) {
                throw new IllegalArgumentException("--types names '" + name + "', which is not one of the metric names "
                        + names);
            }
            typeOf.put(name, type);
        }
        List<MetricType> types = new ArrayList<>();
        for (String n : names) {
            types.add(typeOf.getOrDefault(n, MetricType.SUMMARY));
        }
        return new SeriesPlan(names, combinations, types);
    }

    /** Number of series. */
    public int size() {
        return names.size() * combinations.size();
    }

    /** The series of worker {@code worker}'s {@code n}-th sample, as an index into {@link #series()}. */
    public int seriesIndex(long n, int worker) {
        int name = Samples.nameIndex(n, names.size());
        int combination = (int) Math.floorMod(n / names.size() + worker, (long) combinations.size());
        return name * combinations.size() + combination;
    }

    /** Every series, index {@code name * combinations + combination}. */
    public List<SeriesKey> series() {
        List<SeriesKey> out = new ArrayList<>(size());
        for (String n : names) {
            for (Tags t : combinations) {
                out.add(SeriesKey.of(n, t));
            }
        }
        return out;
    }

    /** The type of series {@code seriesIndex}. */
    public MetricType typeOf(int seriesIndex) {
        return types.get(seriesIndex / combinations.size());
    }

    /** True when the plan puts tags on samples. */
    public boolean tagged() {
        return !combinations.get(0).isEmpty();
    }

    @Override
    public String toString() {
        return size() + " series (" + names.size() + " names x " + combinations.size() + " tag combinations)";
    }
}
