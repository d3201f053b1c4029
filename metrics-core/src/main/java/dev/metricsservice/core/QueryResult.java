package dev.metricsservice.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a {@link dev.metricsservice.core.store.MetricQuery}: one group of rows per
 * distinct combination of the grouped-by tags (a single group with no tags when the query does not
 * group), each group's rows merged per window (or step), ordered and limited as the query says.
 *
 * <pre>{@code
 * QueryResult r = queries.query(MetricQuery.latest("cpu", 20).groupBy("region")).join();
 * for (QueryResult.Group g : r.groups()) {
 *     System.out.println(g.tags() + " " + g.rows().size() + " windows");
 * }
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param type   the metric's type, as its newest row says; empty when nothing matched
 * @param groups the groups, ordered by their tags' canonical form; empty when nothing matched
 */
public record QueryResult(Optional<MetricType> type, List<Group> groups) {

    /**
     * The rows of one group.
     *
     * @param tags the grouped-by tags this group has (a series lacking a key falls into a group
     *             without it)
     * @param rows the group's windows or steps
     */
    public record Group(Tags tags, List<WindowStats> rows) {
        public Group {
            Objects.requireNonNull(tags, "tags");
            rows = List.copyOf(rows);
        }
    }

    public QueryResult {
        Objects.requireNonNull(type, "type");
        groups = List.copyOf(groups);
    }

    /** Every row of every group, group after group: for queries that do not group. */
    public List<WindowStats> rows() {
        if (groups.size() == 1) {
            return groups.get(0).rows();
        }
        List<WindowStats> all = new ArrayList<>();
        for (Group g : groups) {
            all.addAll(g.rows());
        }
        return all;
    }
}
