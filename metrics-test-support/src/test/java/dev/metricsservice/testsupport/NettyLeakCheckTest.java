package dev.metricsservice.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Shows that the check the other modules rely on really fails on a leak. */
class NettyLeakCheckTest {

    @Test
    void assertNoLeaks_leakedBuffer_fails() throws InterruptedException {
        assertThat(NettyLeakCheck.isActive()).as("installed by the launcher listener, paranoid").isTrue();
        NettyLeakCheck.assertNoLeaks(); // nothing leaked so far
        leak();
        assertThatThrownBy(NettyLeakCheck::assertNoLeaks).isInstanceOf(AssertionError.class)
                .hasMessageContaining("leak report");
        assertThat(NettyLeakCheck.takeReports()).as("the failed assertion took the reports").isEmpty();
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
        // dropped without release on purpose
    }
}
