package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final IdempotencyKeys keys = new IdempotencyKeys(TimeUnit.MINUTES.toNanos(10), 2, now::get);

    private static ByteBuf body(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private IdempotencyKeys.Outcome acceptNew(String key, String body, int accepted) {
        ByteBuf b = body(body);
        try {
            IdempotencyKeys.Outcome o = keys.admit(key, b);
            if (o instanceof IdempotencyKeys.Outcome.Claimed c) {
                keys.settle(c, accepted);
            }
            return o;
        } finally {
            b.release();
        }
    }

    @Test
    void admit_afterTheWindow_theKeyIsNewAgain() {
        assertThat(acceptNew("k", "b", 1)).isInstanceOf(IdempotencyKeys.Outcome.Claimed.class);
        assertThat(acceptNew("k", "b", 1)).isEqualTo(new IdempotencyKeys.Outcome.Duplicate(1));
        now.addAndGet(TimeUnit.MINUTES.toNanos(10) + 1);
        assertThat(acceptNew("k", "b", 1)).isInstanceOf(IdempotencyKeys.Outcome.Claimed.class);
    }

    @Test
    void settle_pastMaxKeys_forgetsTheOldestFirst() {
        acceptNew("k1", "b", 1);
        acceptNew("k2", "b", 1);
        acceptNew("k3", "b", 1);
        assertThat(keys.held()).isEqualTo(2);
        assertThat(keys.evicted.sum()).isEqualTo(1);
        assertThat(acceptNew("k2", "b", 1)).isInstanceOf(IdempotencyKeys.Outcome.Duplicate.class);
        assertThat(acceptNew("k1", "b", 1)).as("k1 was forgotten").isInstanceOf(IdempotencyKeys.Outcome.Claimed.class);
    }

    @Test
    void admit_whileTheFirstIsBeingRecorded_isInProgress() {
        ByteBuf b = body("b");
        try {
            IdempotencyKeys.Outcome first = keys.admit("k", b);
            assertThat(keys.admit("k", b)).isInstanceOf(IdempotencyKeys.Outcome.InProgress.class);
            keys.settle((IdempotencyKeys.Outcome.Claimed) first, 3);
            assertThat(keys.admit("k", b)).isEqualTo(new IdempotencyKeys.Outcome.Duplicate(3));
        } finally {
            b.release();
        }
    }

    @Test
    void problem_acceptsVisibleAsciiUpTo128() {
        assertThat(IdempotencyKeys.problem("550e8400-e29b-41d4-a716-446655440000")).isNull();
        assertThat(IdempotencyKeys.problem("~".repeat(128))).isNull();
        assertThat(IdempotencyKeys.problem("")).contains("1 to 128");
        assertThat(IdempotencyKeys.problem("é")).contains("character 0");
    }

    @Test
    void admit_manyThreadsRacingOnOneKey_exactlyOneRecords() throws Exception {
        IdempotencyKeys shared = new IdempotencyKeys(TimeUnit.MINUTES.toNanos(10), 1_000_000, System::nanoTime);
        int threads = 4;
        int keys = 20_000;
        java.util.concurrent.atomic.AtomicLongArray recorded = new java.util.concurrent.atomic.AtomicLongArray(keys);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<Thread> ts = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(new Thread(() -> {
                ByteBuf b = body("same body");
                try {
                    start.await();
                    for (int k = 0; k < keys; k++) {
                        IdempotencyKeys.Outcome o = shared.admit("key-" + k, b);
                        if (o instanceof IdempotencyKeys.Outcome.Claimed c) {
                            recorded.incrementAndGet(k); // what the request handler records
                            shared.settle(c, 1);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    b.release();
                }
            }));
        }
        ts.forEach(Thread::start);
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        int twice = 0;
        for (int k = 0; k < keys; k++) {
            if (recorded.get(k) != 1) {
                twice++;
            }
        }
        assertThat(twice).as("keys recorded other than exactly once").isZero();
        assertThat(shared.held()).isEqualTo(keys);
    }
}
