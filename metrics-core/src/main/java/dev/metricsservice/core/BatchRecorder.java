package dev.metricsservice.core;

/**
 * {@link Aggregator#recordAll} for one aggregator: judges a whole batch before recording any of
 * it. Stateless apart from the aggregator it serves; thread-safe.
 */
final class BatchRecorder {

    private final Aggregator aggregator;

    BatchRecorder(Aggregator aggregator) {
        this.aggregator = aggregator;
    }

    BatchResult recordAll(SampleBatch batch, boolean bounded) {
        int n = batch.size();
        long now = aggregator.clock.millis();
        for (int i = 0; i < n; i++) {
            RecordResult r = judge(batch, i, now);
            if (r != RecordResult.ACCEPTED) {
                return refuseBatch(r, i, n);
            }
        }
        if (bounded && aggregator.overloaded) {
            return refuseBatch(RecordResult.OVERLOADED, 0, n);
        }
        SeriesState[] resolved = new SeriesState[n];
        for (int i = 0; i < n; i++) {
            String name = batch.nameAt(i);
            Tags tags = batch.tagsAt(i);
            if (i > 0 && name.equals(batch.nameAt(i - 1)) && tags.equals(batch.tagsAt(i - 1))
                    && batch.typeAt(i) == batch.typeAt(i - 1)) {
                resolved[i] = resolved[i - 1];
                continue;
            }
            MetricType type = batch.typeAt(i);
            SeriesState existing = aggregator.registry.get(name, tags);
            if (existing != null && (type == null || existing.type == type)) {
                resolved[i] = existing; // the common case: one lookup, nothing to create
                continue;
            }
            RecordResult created = aggregator.registry.create(name, tags, type);
            if (created != RecordResult.ACCEPTED) {
                return refuseBatch(created, i, n);
            }
            resolved[i] = aggregator.registry.get(name, tags);
        }
        long nowWindow = Math.floorDiv(now, aggregator.windowMillis);
        for (int i = 0; i < n; i++) {
            boolean stamped = batch.stampedAt(i);
            long w = stamped ? aggregator.windowIndexOf(batch.epochMillisAt(i)) : nowWindow;
            long stampMillis = stamped ? batch.epochMillisAt(i) : now;
            SeriesState s = resolved[i];
            RecordResult r = s != null ? s.recordAdmitted(w, batch.valueAt(i), s.tracksLast ? stampMillis : Stats.NO_LAST)
                    : aggregator.registry.recordInSuccessor(aggregator, null, SeriesKey.of(batch.nameAt(i), batch.tagsAt(i)),
                            batch.typeAt(i), w, batch.valueAt(i), stampMillis); // retired at once
            if (r != RecordResult.ACCEPTED) {
                // Sample i was counted where it was refused; the ones after it were never tried.
                aggregator.rejections[r.ordinal()].add(n - i - 1);
                return new BatchResult(r, i, i);
            }
        }
        return BatchResult.accepted(n);
    }

    private RecordResult judge(SampleBatch batch, int i, long now) {
        // A run of one series (the same name, tags and type objects as the sample before, as parsers
        // hand them over) was judged at its first sample: the identity rules read nothing else.
        boolean sameSeries = i > 0 && batch.nameAt(i) == batch.nameAt(i - 1) && batch.tagsAt(i) == batch.tagsAt(i - 1)
                && batch.typeAt(i) == batch.typeAt(i - 1);
        RecordResult identity = sameSeries ? RecordResult.ACCEPTED
                : aggregator.registry.judgeIdentity(batch.nameAt(i), batch.tagsAt(i), batch.typeAt(i));
        if (identity != RecordResult.ACCEPTED) {
            return identity;
        }
        if (!Double.isFinite(batch.valueAt(i))) {
            return RecordResult.NON_FINITE_VALUE;
        }
        return batch.stampedAt(i) ? aggregator.rules.checkTimestamp(batch.epochMillisAt(i), now) : RecordResult.ACCEPTED;
    }

    private BatchResult refuseBatch(RecordResult reason, int index, int size) {
        aggregator.rejections[reason.ordinal()].add(size);
        return BatchResult.refused(reason, index);
    }
}
