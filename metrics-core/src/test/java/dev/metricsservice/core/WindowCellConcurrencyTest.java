package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/**
 * One invariant under many threads, in the jcstress style: when a cell is sealed while writers are
 * recording into it, its final aggregate holds exactly the samples whose {@code record} returned
 * true. Forbidden outcomes: a sample reported as recorded but missing from the final value, a
 * refused sample counted, a sealed cell that still changes.
 *
 * <p>Each round seals thousands of cells while writers hammer them, so that seals land inside
 * writers' critical sections many times (a seal that does not wait for them fails this test).
 */
class WindowCellConcurrencyTest {

    private static final int WRITERS = 4;
    private static final int CELLS = 20_000;

    @RepeatedTest(3)
    void seal_whileWritersRecord_finalValuesHoldExactlyTheAcceptedSamples() throws Exception {
        WindowCell[] cells = new WindowCell[CELLS];
        for (int i = 0; i < CELLS; i++) {
            cells[i] = new WindowCell(i);
        }
        AtomicInteger current = new AtomicInteger();
        long[][] acceptedCount = new long[WRITERS][CELLS];
        long[][] acceptedSum = new long[WRITERS][CELLS];
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[WRITERS];
        for (int t = 0; t < WRITERS; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                awaitQuietly(start);
                int i = 0;
                while (true) {
                    int idx = current.get();
                    if (idx >= CELLS) {
                        return;
                    }
                    long v = (i++ % 97) + id;
                    if (cells[idx].record(v, Stats.NO_LAST)) {
                        acceptedCount[id][idx]++;
                        acceptedSum[id][idx] += v;
                    }
                }
            });
            threads[t].start();
        }
        start.countDown();
        Stats[] sealed = new Stats[CELLS];
        for (int idx = 0; idx < CELLS; idx++) {
            // Let a few samples in, then seal while writers are still inside.
            for (int spin = 0; spin < 10_000 && cells[idx].count() < 8; spin++) {
                Thread.onSpinWait();
            }
            cells[idx].seal();
            sealed[idx] = cells[idx].read();
            current.set(idx + 1);
        }
        for (Thread t : threads) {
            t.join(60_000);
        }

        int mismatches = 0;
        String first = null;
        for (int idx = 0; idx < CELLS; idx++) {
            long count = 0;
            long sum = 0;
            for (int t = 0; t < WRITERS; t++) {
                count += acceptedCount[t][idx];
                sum += acceptedSum[t][idx];
            }
            Stats now = cells[idx].read();
            if (sealed[idx].count() != count || sealed[idx].sum() != (double) sum || !now.equals(sealed[idx])) {
                mismatches++;
                if (first == null) {
                    first = "cell " + idx + ": sealed " + sealed[idx] + ", later " + now + ", accepted count " + count
                            + " sum " + sum;
                }
            }
        }
        assertThat(mismatches).as("cells whose final value differs from the accepted samples; first: %s", first)
                .isZero();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
