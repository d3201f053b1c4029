package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Shows that the leak check used by the other tests really fails on a leak. */
class LeakCheckTest {

    @Test
    void assertNoLeaks_failsOnLeakedBuffer() throws InterruptedException {
        LeakCheck.assertNoLeaks(); // nothing leaked so far
        leak();
        assertThatThrownBy(LeakCheck::assertNoLeaks).isInstanceOf(AssertionError.class).hasMessageContaining("LEAK");
        assertThat(LeakCheck.drainReports()).isNotEmpty();
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
        // dropped without release on purpose
    }
}
