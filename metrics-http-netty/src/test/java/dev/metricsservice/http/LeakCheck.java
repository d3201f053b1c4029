package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes tests fail on a Netty leak report. Installed as a launcher session listener (see
 * META-INF/services) so that its detector factory is in place before any ByteBuf class loads;
 * {@link #assertNoLeaks()} forces collection and lets the detectors report.
 */
public final class LeakCheck implements LauncherSessionListener {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
    }

    /** True when the recording factory is in place (it must be, for the leak assertions to mean anything). */
    static boolean isInstalled() {
        return installed && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
    }

    /** Forces GC, makes the detectors poll their queues, and fails if any leak was reported. */
    static void assertNoLeaks() throws InterruptedException {
        assertThat(isInstalled()).as("leak detector installed at paranoid level").isTrue();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            // Detectors report while tracking new allocations; allocate through every path we use.
            for (int j = 0; j < 50; j++) {
                release(PooledByteBufAllocator.DEFAULT.directBuffer(16));
                release(PooledByteBufAllocator.DEFAULT.heapBuffer(16));
                release(UnpooledByteBufAllocator.DEFAULT.directBuffer(16));
                release(PooledByteBufAllocator.DEFAULT.compositeBuffer());
            }
        }
        assertThat(LEAKS).as("Netty leak reports").isEmpty();
    }

    /** Removes and returns the reports so far (for the self-test of this class only). */
    static List<String> drainReports() {
        List<String> copy = List.copyOf(LEAKS);
        LEAKS.removeAll(copy);
        return copy;
    }

    private static void release(ByteBuf b) {
        b.release();
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK " + resourceType);
            super.reportUntracedLeak(resourceType);
        }
    }
}
