package dev.metricsservice.app;

import dev.metricsservice.core.DurableIngest;
import dev.metricsservice.http.Exposition;
import dev.metricsservice.wal.WriteAheadLog;
import dev.metricsservice.core.flush.FlushCounters;
import dev.metricsservice.core.flush.FlushWorker;
import dev.metricsservice.http.ServerInstrumentation;
import dev.metricsservice.telemetry.Telemetry;
import dev.metricsservice.telemetry.TelemetryStats;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * Lets the HTTP server report to telemetry (a disabled instance when it is off) and adds the flush worker's and
 * telemetry's state to {@code GET /stats}, without the HTTP module knowing either.
 */
final class AppInstrumentation implements ServerInstrumentation {

    private final Telemetry telemetry;
    /** Set once the flush worker exists (it starts after the server). */
    volatile FlushWorker flusher;
    /** The write-ahead log and its ingest, when durability is on. */
    volatile WriteAheadLog wal;
    volatile DurableIngest durable;
    /** The StatsD listener, when it is on. */
    volatile dev.metricsservice.statsd.StatsdServer statsd;
    /** Upper bounds of the flush duration histogram, in seconds. */
    private static final double[] FLUSH_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private final java.util.concurrent.atomic.AtomicLongArray flushBuckets = new java.util.concurrent.atomic.AtomicLongArray(FLUSH_BOUNDS.length);
    private final java.util.concurrent.atomic.AtomicLong flushCount = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.DoubleAdder flushSeconds = new java.util.concurrent.atomic.DoubleAdder();

    /** One flush attempt took {@code nanos}. */
    void flushTook(long nanos) {
        double seconds = nanos / 1e9;
        for (int i = 0; i < FLUSH_BOUNDS.length; i++) {
            if (seconds <= FLUSH_BOUNDS[i]) {
                flushBuckets.incrementAndGet(i);
            }
        }
        flushSeconds.add(seconds);
        flushCount.incrementAndGet();
    }

    /** The previous /stats sample of the log, for rates: {nanoTime, fsyncs, samples}. */
    private long[] lastWalSample;

    AppInstrumentation(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public void writeMetrics(dev.metricsservice.http.Exposition e) {
        FlushWorker f = flusher;
        if (f != null) {
            FlushCounters c = f.counters();
            e.counter("metricsservice_flushes", "Flush attempts by outcome.")
                    .sample(c.flushes() - c.failures(), "outcome", "ok")
                    .sample(c.failures(), "outcome", "failed");
            e.counter("metricsservice_flush_aggregates_written", "Window aggregates written to the store.")
                    .sample(c.aggregatesWritten());
            e.gauge("metricsservice_store_healthy", "1 while the latest store write succeeded.").sample(c.healthy() ? 1 : 0);
            e.gauge("metricsservice_flush_consecutive_failures", "Failed flushes in a row.").sample(c.consecutiveFailures());
            e.gauge("metricsservice_flush_last_success_timestamp_seconds", "When the last flush succeeded.")
                    .sample(c.lastSuccessEpochMillis() / 1000.0);
            long count = flushCount.get();
            long[] buckets = new long[FLUSH_BOUNDS.length];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = Math.min(count, flushBuckets.get(i));
            }
            e.histogram("metricsservice_flush_duration_seconds", "Time of each flush attempt (collect and store write).",
                    FLUSH_BOUNDS, buckets, flushSeconds.sum(), count);
        }
        WriteAheadLog w = wal;
        DurableIngest d = durable;
        if (w != null && d != null) {
            WriteAheadLog.Stats s = w.stats();
            DurableIngest.Counters c = d.counters();
            e.gauge("metricsservice_wal_bytes", "Bytes in the write-ahead log's segments.").sample(s.logBytes());
            e.gauge("metricsservice_wal_fill_ratio", "The log's bytes against --wal-max-bytes.").sample(w.fill());
            e.gauge("metricsservice_wal_segments", "Segments of the write-ahead log.").sample(s.segments());
            e.counter("metricsservice_wal_fsyncs", "Forces (fdatasync) of the write-ahead log.").sample(s.fsyncs());
            e.counter("metricsservice_wal_records", "Records made durable.").sample(s.records());
            e.counter("metricsservice_wal_samples", "Samples recorded through the write-ahead log.").sample(c.samples());
            e.counter("metricsservice_wal_batches_refused", "Logged batches the aggregator refused (voided).")
                    .sample(c.voided());
            e.counter("metricsservice_wal_checkpoints", "Checkpoints written.").sample(c.checkpoints());
            e.gauge("metricsservice_wal_replayed_samples", "Samples replayed at start-up.")
                    .sample(d.replayResult().samplesReplayed());
        }
        dev.metricsservice.statsd.StatsdServer st = statsd;
        if (st != null) {
            Map<String, Long> c = st.counters();
            e.counter("metricsservice_statsd_datagrams", "StatsD datagrams (and TCP reads) processed.")
                    .sample(c.getOrDefault("datagrams", 0L));
            Exposition.Family lines = e.counter("metricsservice_statsd_lines", "StatsD lines by outcome.");
            lines.sample(c.getOrDefault("lines_accepted", 0L), "outcome", "accepted");
            c.forEach((k, v) -> {
                if (k.startsWith("dropped_") || k.startsWith("refused_")) {
                    lines.sample(v, "outcome", k);
                }
            });
        }
        Runtime rt = Runtime.getRuntime();
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        e.gauge("jvm_memory_used_bytes", "JVM memory in use, by area.")
                .sample(memory.getHeapMemoryUsage().getUsed(), "area", "heap")
                .sample(memory.getNonHeapMemoryUsage().getUsed(), "area", "nonheap");
        e.gauge("jvm_memory_max_bytes", "The heap's maximum size.").sample(rt.maxMemory(), "area", "heap");
        Exposition.Family gcTime = e.counter("jvm_gc_collection_seconds", "Time spent in collections, by collector.");
        Exposition.Family gcCount = e.counter("jvm_gc_collections", "Collections, by collector.");
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gcTime.sample(Math.max(0, gc.getCollectionTime()) / 1000.0, "gc", gc.getName());
            gcCount.sample(Math.max(0, gc.getCollectionCount()), "gc", gc.getName());
        }
        e.gauge("jvm_threads_current", "Live JVM threads.")
                .sample(java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());
        e.gauge("process_uptime_seconds", "Time since the JVM started.")
                .sample(java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    }

    private synchronized Map<String, Object> walStats(WriteAheadLog w, DurableIngest d) {
        WriteAheadLog.Stats s = w.stats();
        DurableIngest.Counters c = d.counters();
        DurableIngest.ReplayResult r = d.replayResult();
        long now = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("logBytes", s.logBytes());
        out.put("fill", Math.round(w.fill() * 10_000) / 10_000.0);
        out.put("segments", s.segments());
        out.put("records", s.records());
        out.put("fsyncs", s.fsyncs());
        out.put("samples", c.samples());
        out.put("samplesPerFsync", s.fsyncs() == 0 ? 0 : Math.round(10.0 * c.samples() / s.fsyncs()) / 10.0);
        if (lastWalSample != null && now - lastWalSample[0] > 0) {
            double seconds = (now - lastWalSample[0]) / 1e9;
            out.put("fsyncsPerSecond", Math.round((s.fsyncs() - lastWalSample[1]) / seconds));
            out.put("samplesPerSecond", Math.round((c.samples() - lastWalSample[2]) / seconds));
        }
        lastWalSample = new long[] {now, s.fsyncs(), c.samples()};
        out.put("batchesRefused", c.voided());
        out.put("checkpoints", c.checkpoints());
        out.put("checkpointPosition", c.checkpointPosition());
        Map<String, Object> replay = new LinkedHashMap<>();
        replay.put("records", r.records());
        replay.put("samplesReplayed", r.samplesReplayed());
        replay.put("samplesAlreadyStored", r.samplesStored());
        replay.put("samplesRefused", r.samplesRefused());
        replay.put("millis", r.durationNanos() / 1_000_000);
        replay.put("cutBytes", w.recovery().cutBytes());
        out.put("replay", replay);
        return out;
    }

    @Override
    public EventLoopGroup newEventLoopGroup(int threads, IoHandlerFactory ioHandlerFactory, ThreadFactory threadFactory) {
        return telemetry.newEventLoopGroup(threads, ioHandlerFactory, threadFactory);
    }

    @Override
    public ChannelHandler channelHandler() {
        return telemetry.isActive() ? telemetry.channelHandler() : null;
    }

    @Override
    public void onRequest(String method, String route, int status, long requestBytes, long responseBytes,
                          long startNanos, long durationNanos) {
        telemetry.onRequest(method, route, status, requestBytes, responseBytes, startNanos, durationNanos);
    }

    @Override
    public Map<String, Object> extraStats() {
        Map<String, Object> extra = new LinkedHashMap<>();
        FlushWorker f = flusher;
        if (f != null) {
            FlushCounters s = f.counters();
            Map<String, Object> flush = new LinkedHashMap<>();
            flush.put("healthy", s.healthy());
            flush.put("flushes", s.flushes());
            flush.put("failures", s.failures());
            flush.put("consecutiveFailures", s.consecutiveFailures());
            flush.put("aggregatesWritten", s.aggregatesWritten());
            flush.put("lastSuccessEpochMillis", s.lastSuccessEpochMillis());
            flush.put("lastError", s.lastError().orElse(null));
            extra.put("flush", flush);
        }
        WriteAheadLog w = wal;
        DurableIngest d = durable;
        if (w != null && d != null) {
            extra.put("wal", walStats(w, d));
        }
        dev.metricsservice.statsd.StatsdServer st = statsd;
        if (st != null) {
            extra.put("statsd", new LinkedHashMap<>(st.counters()));
        }
        TelemetryStats t = telemetry.stats();
        Map<String, Object> tel = new LinkedHashMap<>();
        tel.put("enabled", t.enabled());
        tel.put("eventsWritten", t.eventsWritten());
        tel.put("eventsDropped", t.eventsDropped());
        tel.put("bytesWritten", t.bytesWritten());
        tel.put("bytesPerEvent", t.bytesPerEvent());
        tel.put("filesSealed", t.filesSealed());
        tel.put("filesEvicted", t.filesEvicted());
        tel.put("failure", t.failure());
        extra.put("telemetry", tel);
        return extra;
    }
}
