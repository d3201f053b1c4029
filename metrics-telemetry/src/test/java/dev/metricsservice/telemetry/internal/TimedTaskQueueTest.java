package dev.metricsservice.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TimedTaskQueueTest {

    /** A task that knows who submitted it and its sequence number. */
    record Tagged(int producer, int seq) implements Runnable {
        @Override
        public void run() {
        }
    }

    private static LoopRecorder loop() {
        return new LoopRecorder(new Recorder(4096, 64, true));
    }

    @Test
    void offerPoll_manyProducers_everyTaskOnceInPerProducerOrder() throws Exception {
        // Invariant under contention: nothing lost, nothing duplicated, each producer's tasks in its own order
        // (forbidden outcomes: a gap, a repeat, a reordering within one producer).
        TimedTaskQueue q = new TimedTaskQueue(1024, loop());
        int producers = 4;
        int perProducer = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    while (!q.offer(new Tagged(id, i))) {
                        Thread.onSpinWait();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        int[] next = new int[producers];
        go.countDown();
        int received = 0;
        while (received < producers * perProducer) {
            Runnable r = q.poll();
            if (r == null) {
                Thread.onSpinWait();
                continue;
            }
            Tagged t = (Tagged) r;
            assertThat(t.seq()).isEqualTo(next[t.producer()]);
            next[t.producer()]++;
            received++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(next).containsOnly(perProducer);
    }

    @Test
    void offer_full_returnsFalseAndSizeIsCapacity() {
        TimedTaskQueue q = new TimedTaskQueue(16, loop());
        for (int i = 0; i < 16; i++) {
            assertThat(q.offer(new Tagged(0, i))).isTrue();
        }
        assertThat(q.offer(new Tagged(0, 16))).isFalse();
        assertThat(q.size()).isEqualTo(16);
        assertThat(q.peek()).isEqualTo(new Tagged(0, 0));
        assertThat(q.poll()).isEqualTo(new Tagged(0, 0));
        assertThat(q.offer(new Tagged(0, 16))).isTrue();
        assertThatThrownBy(() -> q.remove(new Tagged(0, 3))).isInstanceOf(UnsupportedOperationException.class);
    }
}
