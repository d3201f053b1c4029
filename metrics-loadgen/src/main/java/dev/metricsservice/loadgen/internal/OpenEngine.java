package dev.metricsservice.loadgen.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Open model: one thread walks a timetable whose spacing follows {@code level(t) * ratePerLevel} and fires each
 * request at its scheduled time, whether or not earlier ones finished. Latency is measured from the scheduled
 * time, so when the sender or the server falls behind, the delay counts (no coordinated omission). The stream
 * is worker 0 of the sample formula; every {@code getEvery}-th POST also fires a GET at the same scheduled time.
 * The whole timetable up to the profile's end is played even when this thread runs late (late requests go out
 * at once, their lateness counted as latency); only {@link LoadRun#stop()} cuts it short.
 */
final class OpenEngine {

    private static final long IDLE_STEP_NANOS = 1_000_000;

    private final LoadRun run;
    private final double ratePerLevel;

    OpenEngine(LoadRun run, double ratePerLevel) {
        this.run = run;
        this.ratePerLevel = ratePerLevel;
    }

    void run() {
        long next = run.startNanos;
        long n = 0;
        long posts = 0;
        int batch = run.settings.batchSize();
        int getEvery = run.settings.getEvery();
        while (true) {
            if (run.stopping) {
                return;
            }
            long now = System.nanoTime();
            if (next > now) {
                LockSupport.parkNanos(Math.min(next - now, 200_000));
                continue;
            }
            int phase = run.phaseAt(next);
            if (phase < 0) {
                return;
            }
            double rate = run.profile.levelAtNanos(next - run.startNanos) * ratePerLevel;
            if (rate <= 0) {
                next += IDLE_STEP_NANOS;
                continue;
            }
            Payloads.Post payload = run.samples(0, n, batch);
            n += batch;
            run.post(phase, next, payload, null);
            if (posts % getEvery == 0) {
                run.get(phase, next, (int) ((posts / getEvery) % run.jsonNames.size()), null);
            }
            posts++;
            next += Math.max(1, (long) (1e9 / rate));
        }
    }
}
