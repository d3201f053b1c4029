package dev.metricsservice.loadgen.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closed model: worker {@code w} runs while {@code w < level(t)}; each sends its next request when the
 * previous one finished. Every {@code getEvery}-th POST of a worker is followed by a GET, cycling through the
 * metric names. The ticker calls {@link #tick()} every few milliseconds to follow the profile.
 */
final class ClosedEngine {

    private final LoadRun run;
    private final Worker[] workers;

    ClosedEngine(LoadRun run) {
        this.run = run;
        this.workers = new Worker[Math.max(1, run.profile.peakLevel())];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
        }
    }

    void tick() {
        long now = System.nanoTime();
        int level = run.running(now) ? run.profile.levelAtNanos(now - run.startNanos) : 0;
        run.level = level;
        for (int w = 0; w < Math.min(level, workers.length); w++) {
            workers[w].wake();
        }
    }

    private final class Worker {
        private final int id;
        private final AtomicBoolean active = new AtomicBoolean();
        /** Samples sent so far; only the thread that holds {@code active} touches it. */
        private long n;
        private long posts;

        Worker(int id) {
            this.id = id;
        }

        void wake() {
            if (active.compareAndSet(false, true)) {
                next();
            }
        }

        /**
         * Reads the level from the profile rather than from the ticker's last value: a starved ticker thread must
         * not stretch a phase. The ticker only wakes idle workers.
         */
        private boolean allowed(long now) {
            return run.running(now) && id < run.profile.levelAtNanos(now - run.startNanos);
        }

        private void next() {
            long now = System.nanoTime();
            if (!allowed(now)) {
                active.set(false);
                // Re-check after publishing 'inactive': the ticker may have raised the level in between and seen
                // this worker as active.
                if (!allowed(System.nanoTime()) || !active.compareAndSet(false, true)) {
                    return;
                }
                now = System.nanoTime();
            }
            int phase = run.phaseAt(now);
            if (phase < 0) {
                active.set(false);
                return;
            }
            int batch = run.settings.batchSize();
            Payloads.Post payload = run.samples(id, n, batch);
            n += batch;
            long postNo = posts++;
            if (postNo % run.settings.getEvery() == 0) {
                int nameIndex = (int) ((postNo / run.settings.getEvery()) % run.jsonNames.size());
                run.post(phase, now, payload, () -> {
                    long t = System.nanoTime();
                    int p = run.phaseAt(t);
                    run.get(p < 0 ? phase : p, t, nameIndex, this::next);
                });
            } else {
                run.post(phase, now, payload, this::next);
            }
        }
    }
}
