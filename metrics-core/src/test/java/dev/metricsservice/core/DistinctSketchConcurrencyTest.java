package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A set window's distinct sketch under concurrency: once sealed, a cell's sketch is exactly the
 * sketch of the members its accepted samples carried (forbidden: a register update lost to a
 * racing writer, or a member in the sketch that the cell refused); and a live read never holds
 * a register the final sketch lacks.
 */
class DistinctSketchConcurrencyTest {

    private static final int WRITERS = 3;

    @RepeatedTest(3)
    void seal_afterConcurrentWriters_sketchIsExactlyTheAcceptedMembers() throws Exception {
        int cells = 400;
        WindowCell[] cell = new WindowCell[cells];
        for (int i = 0; i < cells; i++) {
            cell[i] = new WindowCell(i, null, true);
        }
        AtomicInteger current = new AtomicInteger();
        @SuppressWarnings("unchecked")
        List<double[]>[] accepted = new List[WRITERS]; // per writer: {cell, member}
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < WRITERS; t++) {
            int id = t;
            accepted[t] = new ArrayList<>();
            threads.add(new Thread(() -> {
                awaitQuietly(start);
                long member = id * 1_000_000_000L;
                while (true) {
                    int idx = current.get();
                    if (idx >= cells) {
                        return;
                    }
                    // Every writer's members are its own, so two writers keep updating the same
                    // registers of one cell with different ranks.
                    double m = member++;
                    if (cell[idx].record(m, Stats.NO_LAST)) {
                        accepted[id].add(new double[] {idx, m});
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        DistinctSketch[] live = new DistinctSketch[cells];
        for (int idx = 0; idx < cells; idx++) {
            while (cell[idx].count() < 300) {
                Thread.onSpinWait(); // let the writers meet in this cell
            }
            Stats read = cell[idx].read();
            live[idx] = read.isEmpty() ? new DistinctSketch() : read.distinct();
            cell[idx].seal();
            current.incrementAndGet();
        }
        for (Thread t : threads) {
            t.join();
        }
        DistinctSketch[] expected = new DistinctSketch[cells];
        for (int i = 0; i < cells; i++) {
            expected[i] = new DistinctSketch();
        }
        long samples = 0;
        for (List<double[]> list : accepted) {
            for (double[] a : list) {
                expected[(int) a[0]].add(a[1]);
                samples++;
            }
        }
        List<String> wrong = new ArrayList<>();
        long counted = 0;
        for (int idx = 0; idx < cells; idx++) {
            Stats sealed = cell[idx].read();
            counted += sealed.count();
            DistinctSketch got = sealed.isEmpty() ? new DistinctSketch() : sealed.distinct();
            if (!got.equals(expected[idx]) && wrong.size() < 5) {
                wrong.add("cell " + idx + ": estimate " + got.estimate() + ", expected " + expected[idx].estimate());
            }
            DistinctSketch union = got.copy();
            union.merge(live[idx]);
            if (!union.equals(got) && wrong.size() < 5) {
                wrong.add("cell " + idx + ": a live read held a register the sealed sketch lacks");
            }
        }
        assertThat(counted).isEqualTo(samples);
        assertThat(samples).isGreaterThanOrEqualTo(300L * cells);
        assertThat(wrong).isEmpty();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
