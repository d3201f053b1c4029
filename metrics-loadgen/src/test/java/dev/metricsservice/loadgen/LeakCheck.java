package dev.metricsservice.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test when Netty's leak detector reports a leaked buffer during it. The detector only notices a leak
 * when a leaked buffer was garbage-collected and another buffer is then allocated, so the check collects
 * garbage and allocates a few buffers before looking.
 */
final class LeakCheck implements BeforeEachCallback, AfterEachCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ByteBufUtil.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        assertThat(ResourceLeakDetector.getLevel()).as("tests run with paranoid leak detection")
                .isEqualTo(ResourceLeakDetector.Level.PARANOID);
        LEAKS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 64; j++) {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(16);
                buf.release();
            }
        }
        assertThat(LEAKS).as("Netty leak reports").isEmpty();
    }
}
