package dev.metricsservice.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The guard must catch a real leak, or its silence in the other tests would prove nothing. */
class NettyLeakGuardTest {

    @Test
    void assertNoLeaks_leakedBuffer_fails() throws Exception {
        NettyLeakGuard.assertNoLeaks();
        leakOne();

        assertThatThrownBy(NettyLeakGuard::assertNoLeaks).isInstanceOf(AssertionError.class)
                .hasMessageContaining("leak");
    }

    private static void leakOne() {
        ByteBuf leaked = UnpooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42L);
        // Dropped without release(): exactly the bug the guard exists to catch.
    }
}
