package dev.metricsservice.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeakCheckTest {

    @Test
    void afterEach_leakedBuffer_failsTheTest() throws Exception {
        LeakCheck check = new LeakCheck();
        check.beforeEach(null);
        leak();
        assertThatThrownBy(() -> check.afterEach(null)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Netty leak reports");
        check.beforeEach(null); // clear for later tests
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(64);
        buf.writeLong(42);
        // Deliberately never released.
    }
}
