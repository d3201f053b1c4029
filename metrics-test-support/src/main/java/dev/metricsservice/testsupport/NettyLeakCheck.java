package dev.metricsservice.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Turns Netty leak reports into test failures, for every module whose tests use Netty (our
 * servers, the load generator, the AWS SDK's HTTP client).
 *
 * <p>Netty only logs a leak. This check installs detectors that also record it. Detectors are
 * created in static initialisers of the buffer classes, so the factory must be in place before
 * the first buffer class loads: the check is a JUnit launcher session listener, registered in
 * this jar's {@code META-INF/services}, which runs before any test class of a module that has the
 * jar on its test class path.
 *
 * <pre>{@code
 * // at the end of a test that exchanged buffers
 * NettyLeakCheck.assertNoLeaks();
 *
 * // or for every test of a class
 * @ExtendWith(NettyLeakCheck.EachTest.class)
 * class MyNettyTest { ... }
 * }</pre>
 *
 * <p>The assertion also fails when the check is not active (not installed, or the leak
 * detection level is not paranoid), since silence would then mean nothing. Thread-safe.
 */
public final class NettyLeakCheck implements LauncherSessionListener {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    /** Installs the recording detectors; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            // The three-argument form is deprecated but is the one the buffer classes call in 4.2.
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
        installed = true;
    }

    /** True when the recording detectors are in place and detection is paranoid. */
    public static boolean isActive() {
        return installed && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
    }

    /**
     * Collects garbage, lets the detectors look at what was collected, and throws if anything
     * leaked since the last call.
     */
    public static void assertNoLeaks() throws InterruptedException {
        if (!isActive()) {
            throw new AssertionError("Netty leak check inactive (installed " + installed + ", level "
                    + ResourceLeakDetector.getLevel() + "); run with -Dio.netty.leakDetection.level=paranoid");
        }
        for (int round = 0; round < 4; round++) {
            System.gc();
            Thread.sleep(40);
            // A detector reports what the GC queued only when it tracks a new object; allocate a few
            // through every allocator path the code under test uses.
            for (int i = 0; i < 32; i++) {
                free(PooledByteBufAllocator.DEFAULT.directBuffer(8));
                free(PooledByteBufAllocator.DEFAULT.heapBuffer(8));
                free(UnpooledByteBufAllocator.DEFAULT.directBuffer(8));
                free(PooledByteBufAllocator.DEFAULT.compositeBuffer());
            }
        }
        List<String> found = takeReports();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty leak report(s):\n" + String.join("\n\n", found));
        }
    }

    /** Removes and returns the reports recorded so far. */
    public static List<String> takeReports() {
        List<String> taken = new ArrayList<>(REPORTS);
        REPORTS.removeAll(taken);
        return taken;
    }

    private static void free(ByteBuf buffer) {
        buffer.release();
    }

    /** A JUnit extension that runs {@link #assertNoLeaks()} after each test (reports from before are dropped). */
    public static final class EachTest implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            takeReports();
        }

        @Override
        public void afterEach(ExtensionContext context) throws InterruptedException {
            assertNoLeaks();
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        // Recorded instead of logged: the failing assertion carries the full report, and the
        // self-test does not leave a frightening LEAK line in the build output.
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
