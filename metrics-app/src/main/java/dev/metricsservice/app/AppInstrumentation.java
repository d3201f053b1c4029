package dev.metricsservice.app;

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

    AppInstrumentation(Telemetry telemetry) {
        this.telemetry = telemetry;
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
