package dev.metricsservice.store.dynamodb;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.SeriesInfo;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.TagFilter;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.WindowAggregate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * The series index: items in the same table, in partitions no metric name can have (their keys
 * start with U+0001), that say which series exist, so that a query by metric and tag reads only the
 * series it needs. Written beside the data by the store; see the module README for the design and
 * its capacity arithmetic.
 *
 * <pre>
 * partition key                                 sort key            meaning
 * U+0001 "names"                                 name                the name has an untagged series
 * U+0001 "names"                                 name U+001D "tagged" the name has tagged series
 * U+0001 "series" U+001D name U+001D shard       "=" series ref      a tagged series (16 shards)
 * U+0001 "tag" U+001D name U+001D key U+001F value  "=" series ref   a tagged series with that tag
 * </pre>
 * Index items carry {@code tags} (canonical), {@code type} and {@code last_window} (the newest
 * window start the writer had when it wrote the item) and the TTL attribute when one is configured.
 * A writer writes a series' index items with the first flush that holds it and again every
 * {@link #REFRESH_MILLIS} (with jitter), so the index is at most that much behind the data for
 * "is this series in the range" and never behind for "does this series exist".
 *
 * <p>Thread-safe: the refresh bookkeeping is a concurrent map; reads are independent requests.
 */
final class SeriesIndex {

    static final String NAMES_PARTITION = "\u0001names";
    static final String SERIES_PREFIX = "\u0001series\u001D";
    static final String TAG_PREFIX = "\u0001tag\u001D";
    static final String TAGGED_SUFFIX = "\u001Dtagged";
    /** Partitions the series of one name are spread over. */
    static final int SHARDS = 16;
    /** How often a writer rewrites the index items of a series it keeps writing. */
    static final long REFRESH_MILLIS = 3_600_000;
    /** Series refs longer than this (in UTF-8 bytes) are replaced by the tags' hash. */
    private static final int MAX_REF_BYTES = 1000;

    private final DynamoDbAsyncClient client;
    private final DynamoDbStoreConfig config;
    private final ErrorMapper errors;
    private final Retrier retrier;
    /** When each series' index items are next due, by this store's clock. */
    private final Map<SeriesKey, Long> nextRefreshMillis = new ConcurrentHashMap<>();

    SeriesIndex(DynamoDbAsyncClient client, DynamoDbStoreConfig config, ErrorMapper errors, Retrier retrier) {
        this.client = client;
        this.config = config;
        this.errors = errors;
        this.retrier = retrier;
    }

    /** The index entry a reader gets: the series and its type. */
    record Entry(SeriesKey series, MetricType type, long lastWindow) {
    }

    // ------------------------------------------------------------------ writing

    /** Index items to write with a batch, and the series they are for. */
    record Due(List<Map<String, AttributeValue>> items, List<SeriesKey> series) {
    }

    /** The index items due for the series of {@code batch}, to be written with it. */
    Due itemsFor(List<WindowAggregate> batch, long nowMillis) {
        Map<SeriesKey, WindowAggregate> newest = new LinkedHashMap<>();
        for (WindowAggregate a : batch) {
            Long due = nextRefreshMillis.get(a.series());
            if (due != null && due > nowMillis) {
                continue;
            }
            newest.merge(a.series(), a, (x, y) -> y.windowStartEpochSecond() > x.windowStartEpochSecond() ? y : x);
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (WindowAggregate a : newest.values()) {
            SeriesKey s = a.series();
            long last = a.windowStartEpochSecond();
            if (s.tags().isEmpty()) {
                items.add(item(NAMES_PARTITION, s.name(), s, a.type(), last));
                continue;
            }
            items.add(item(NAMES_PARTITION, s.name() + TAGGED_SUFFIX, s, a.type(), last));
            items.add(item(shardPartition(s), ref(s.tags()), s, a.type(), last));
            for (int i = 0; i < s.tags().size(); i++) {
                items.add(item(tagPartition(s.name(), s.tags().key(i), s.tags().value(i)), ref(s.tags()), s, a.type(),
                        last));
            }
        }
        return new Due(items, new ArrayList<>(newest.keySet()));
    }

    /** Records that the index items of {@code series} were stored at {@code nowMillis}. */
    void written(Iterable<SeriesKey> series, long nowMillis) {
        for (SeriesKey s : series) {
            // Jitter, so that instances that started together do not refresh together.
            long jitter = ThreadLocalRandom.current().nextLong(REFRESH_MILLIS / 10);
            nextRefreshMillis.put(s, nowMillis + REFRESH_MILLIS - jitter);
        }
        if (nextRefreshMillis.size() > 4_000_000) {
            nextRefreshMillis.clear(); // bounded memory: at worst the index is rewritten once more
        }
    }

    private Map<String, AttributeValue> item(String partition, String sortKey, SeriesKey s, MetricType type,
                                             long lastWindow) {
        Map<String, AttributeValue> item = new HashMap<>(8);
        item.put(ItemMapper.PARTITION_KEY, AttributeValue.fromS(partition));
        item.put(ItemMapper.SORT_KEY, AttributeValue.fromS(sortKey));
        item.put(ItemMapper.TAGS, AttributeValue.fromS(s.tags().canonical().isEmpty() ? "=" : "=" + s.tags().canonical()));
        item.put(ItemMapper.TYPE, AttributeValue.fromS(type.wireName()));
        item.put(ItemMapper.LAST_WINDOW, AttributeValue.fromN(Long.toString(lastWindow)));
        Long expiry = config.expiryEpochSecond(lastWindow);
        if (expiry != null) {
            // The index outlives the data it points to by two refreshes, never the other way round.
            item.put(config.ttlAttribute(), AttributeValue.fromN(Long.toString(expiry + 2 * REFRESH_MILLIS / 1000)));
        }
        return item;
    }

    static String shardPartition(SeriesKey s) {
        int shard = Math.floorMod(s.tags().canonical().hashCode(), SHARDS);
        return SERIES_PREFIX + s.name() + '\u001D' + (shard < 10 ? "0" : "") + shard;
    }

    static String tagPartition(String name, String key, String value) {
        return TAG_PREFIX + name + '\u001D' + key + '\u001F' + value;
    }

    /** The sort key naming a tagged series inside an index partition. */
    static String ref(Tags tags) {
        String canonical = tags.canonical();
        if (canonical.getBytes(StandardCharsets.UTF_8).length <= MAX_REF_BYTES) {
            return "=" + canonical;
        }
        return "#" + ItemMapper.sha256(canonical);
    }

    private static Entry entryOf(String name, Map<String, AttributeValue> item) {
        String tags = ItemMapper.requireS(item, ItemMapper.TAGS).substring(1);
        return new Entry(SeriesKey.of(name, Tags.fromCanonical(tags)), ItemMapper.typeOf(item),
                Long.parseLong(ItemMapper.requireN(item, ItemMapper.LAST_WINDOW)));
    }

    // ------------------------------------------------------------------ reading

    /**
     * The tagged series of {@code name} matching all {@code filters}, whose index says they held
     * data at or after {@code fromEpochSecond} (within the refresh interval).
     */
    CompletableFuture<List<Entry>> tagged(String name, List<TagFilter> filters, long fromEpochSecond,
                                          long deadlineNanos) {
        long since = fromEpochSecond - 2 * REFRESH_MILLIS / 1000;
        if (!filters.isEmpty()) {
            TagFilter first = filters.get(0);
            return readPartition(tagPartition(name, first.key(), first.value()), null, deadlineNanos)
                    .thenApply(items -> select(name, items, filters, since));
        }
        return hasTagged(name, deadlineNanos).thenCompose(has -> {
            if (!has) {
                return CompletableFuture.completedFuture(List.<Entry>of());
            }
            List<CompletableFuture<List<Map<String, AttributeValue>>>> shards = new ArrayList<>(SHARDS);
            for (int i = 0; i < SHARDS; i++) {
                shards.add(readPartition(SERIES_PREFIX + name + '\u001D' + (i < 10 ? "0" : "") + i, null, deadlineNanos));
            }
            return CompletableFuture.allOf(shards.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                List<Map<String, AttributeValue>> all = new ArrayList<>();
                for (var f : shards) {
                    all.addAll(f.join());
                }
                return select(name, all, filters, since);
            });
        });
    }

    private static List<Entry> select(String name, List<Map<String, AttributeValue>> items, List<TagFilter> filters,
                                      long since) {
        List<Entry> out = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            Entry e = entryOf(name, item);
            if (e.lastWindow >= since && TagFilter.allMatch(filters, e.series.tags())) {
                out.add(e);
            }
        }
        return out;
    }

    /** True when the names partition says {@code name} has tagged series. */
    CompletableFuture<Boolean> hasTagged(String name, long deadlineNanos) {
        GetItemRequest request = GetItemRequest.builder()
                .tableName(config.tableName())
                .key(Map.of(ItemMapper.PARTITION_KEY, AttributeValue.fromS(NAMES_PARTITION),
                        ItemMapper.SORT_KEY, AttributeValue.fromS(name + TAGGED_SUFFIX)))
                .consistentRead(config.consistentReads())
                .build();
        return retrier.call("GetItem of the series index of '" + ItemMapper.abbreviate(name) + "'",
                () -> client.getItem(request), errors, deadlineNanos)
                .thenApply(r -> r.hasItem() && !r.item().isEmpty());
    }

    /**
     * Metric names from the names partition after {@code afterName} (exclusive; null for the
     * first), in order, each with whether it has an untagged series (and its type and newest
     * indexed window) and whether it has tagged series.
     */
    CompletableFuture<List<NameEntry>> names(String afterName, long deadlineNanos) {
        // No name lies between "n" and "n" U+001D "tagged" (names hold no control characters), so
        // "after that" is exactly "after n and its marker".
        return readPartition(NAMES_PARTITION, afterName == null ? null : afterName + TAGGED_SUFFIX, deadlineNanos)
                .thenApply(items -> {
                    Map<String, NameEntry> byName = new LinkedHashMap<>();
                    for (Map<String, AttributeValue> item : items) {
                        String sk = ItemMapper.requireS(item, ItemMapper.SORT_KEY);
                        boolean tagged = sk.endsWith(TAGGED_SUFFIX);
                        String name = tagged ? sk.substring(0, sk.length() - TAGGED_SUFFIX.length()) : sk;
                        long last = Long.parseLong(ItemMapper.requireN(item, ItemMapper.LAST_WINDOW));
                        NameEntry prev = byName.getOrDefault(name, new NameEntry(name, false, false, null, Long.MIN_VALUE));
                        byName.put(name, new NameEntry(name, prev.untagged || !tagged, prev.tagged || tagged,
                                tagged ? prev.untaggedType : ItemMapper.typeOf(item),
                                tagged ? prev.untaggedLastWindow : last));
                    }
                    return new ArrayList<>(byName.values());
                });
    }

    /** One metric name of the names partition. */
    record NameEntry(String name, boolean untagged, boolean tagged, MetricType untaggedType, long untaggedLastWindow) {
    }

    /** Every item of one index partition (sort keys after {@code afterSortKey} when given), all pages. */
    private CompletableFuture<List<Map<String, AttributeValue>>> readPartition(String partition, String afterSortKey,
                                                                              long deadlineNanos) {
        QueryRequest.Builder b = QueryRequest.builder()
                .tableName(config.tableName())
                .consistentRead(config.consistentReads())
                .expressionAttributeNames(Map.of("#pk", ItemMapper.PARTITION_KEY, "#sk", ItemMapper.SORT_KEY));
        if (afterSortKey == null) {
            b.keyConditionExpression("#pk = :p").expressionAttributeValues(Map.of(":p", AttributeValue.fromS(partition)))
                    .expressionAttributeNames(Map.of("#pk", ItemMapper.PARTITION_KEY));
        } else {
            b.keyConditionExpression("#pk = :p AND #sk > :after").expressionAttributeValues(Map.of(
                    ":p", AttributeValue.fromS(partition), ":after", AttributeValue.fromS(afterSortKey)));
        }
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        return page(b.build(), out, deadlineNanos);
    }

    private CompletableFuture<List<Map<String, AttributeValue>>> page(QueryRequest request,
                                                                     List<Map<String, AttributeValue>> out,
                                                                     long deadlineNanos) {
        return retrier.call("Query of the series index", () -> client.query(request), errors, deadlineNanos)
                .thenCompose(r -> {
                    out.addAll(r.items());
                    if (!r.hasLastEvaluatedKey() || r.lastEvaluatedKey().isEmpty()) {
                        return CompletableFuture.completedFuture(out);
                    }
                    return page(request.toBuilder().exclusiveStartKey(r.lastEvaluatedKey()).build(), out, deadlineNanos);
                });
    }

    /** Series info of an entry. */
    static SeriesInfo info(Entry e) {
        return new SeriesInfo(e.series, e.type);
    }
}
