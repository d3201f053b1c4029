package dev.metricsservice.telemetry.internal;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Records each garbage collection reported by the platform's GC notifications (collector, cause, action and
 * duration). Notifications arrive on a JMX service thread after the collection, with millisecond resolution; the
 * start is mapped from JVM uptime to {@code System.nanoTime()} once at start-up.
 */
public final class GcListener implements NotificationListener {
    private final Recorder recorder;
    private final long jvmStartNanos;
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    public GcListener(Recorder recorder) {
        this.recorder = recorder;
        long uptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        this.jvmStartNanos = System.nanoTime() - uptimeMillis * 1_000_000L;
    }

    public void install() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter) {
                NotificationEmitter emitter = (NotificationEmitter) gc;
                emitter.addNotificationListener(this, null, null);
                emitters.add(emitter);
            }
        }
    }

    public void uninstall() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(this);
            } catch (ListenerNotFoundException e) {
                // Already gone: nothing left to undo.
            }
        }
        emitters.clear();
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        if (!recorder.enabled
                || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long durationNanos = info.getGcInfo().getDuration() * 1_000_000L;
        long startNanos = jvmStartNanos + info.getGcInfo().getStartTime() * 1_000_000L;
        recorder.gc(startNanos, durationNanos, info.getGcName(), info.getGcCause(), info.getGcAction());
    }
}
