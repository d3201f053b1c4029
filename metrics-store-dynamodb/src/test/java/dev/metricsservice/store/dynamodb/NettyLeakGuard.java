package dev.metricsservice.store.dynamodb;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Turns Netty leak reports (the SDK's HTTP client runs on Netty) into test failures. Netty only
 * logs a leak; this guard swaps in detectors that also record it. Detectors are created in static
 * initialisers of the buffer classes, so the factory must be in place before the first buffer
 * class loads: the guard is therefore a JUnit launcher session listener (registered in this
 * module's test resources, excluded from the test-jar), which runs before any test class.
 *
 * <p>Tests that talk to a server call {@link #assertNoLeaks()} when done. Thread-safe.
 */
public final class NettyLeakGuard implements LauncherSessionListener {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
        installed = true;
    }

    /**
     * Collects garbage, lets the detectors look at what was collected, and throws if anything
     * leaked since the last call (or if the guard is not active, which would make silence meaningless).
     */
    public static void assertNoLeaks() throws InterruptedException {
        if (!installed || ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("Netty leak guard inactive (installed " + installed + ", level "
                    + ResourceLeakDetector.getLevel() + "); run with -Dio.netty.leakDetection.level=paranoid");
        }
        for (int round = 0; round < 4; round++) {
            System.gc();
            Thread.sleep(40);
            // A detector reports what the GC queued only when it tracks a new object; allocate a few.
            for (int i = 0; i < 32; i++) {
                free(PooledByteBufAllocator.DEFAULT.directBuffer(8));
                free(PooledByteBufAllocator.DEFAULT.heapBuffer(8));
                free(UnpooledByteBufAllocator.DEFAULT.directBuffer(8));
            }
        }
        List<String> found = takeReports();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty leak report(s):\n" + String.join("\n\n", found));
        }
    }

    /** Removes and returns the reports recorded so far. */
    static List<String> takeReports() {
        List<String> taken = new ArrayList<>(REPORTS);
        REPORTS.removeAll(taken);
        return taken;
    }

    private static void free(ByteBuf buffer) {
        buffer.release();
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        // Recorded instead of logged: the failing assertion carries the full report, and the
        // guard's self-test does not leave a frightening LEAK line in the build output.
        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            REPORTS.add(resourceType + " leaked:" + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            REPORTS.add(resourceType + " leaked (untraced)");
        }
    }
}
