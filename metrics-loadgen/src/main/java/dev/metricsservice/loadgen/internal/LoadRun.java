package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;
import dev.metricsservice.loadgen.LoadModel;
import dev.metricsservice.loadgen.LoadReport;
import dev.metricsservice.loadgen.LoadReport.PhaseReport;
import dev.metricsservice.loadgen.LoadReport.TimelinePoint;
import dev.metricsservice.loadgen.Phase;
import dev.metricsservice.loadgen.Profile;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One run of the generator: owns the event loops, the connection pool, the recorders and the ticker thread.
 * Used once; {@link #run()} blocks until the profile has played (or {@link #stop()}), then drains in-flight
 * requests and builds the report.
 */
public final class LoadRun {

    private static final long CONTROL_TICK_MILLIS = 10;
    private static final long CONNECT_RETRY_MILLIS = 20;

    final RunSettings settings;
    final Profile profile;
    final List<String> jsonNames;
    /** Each series' JSON up to its value (see {@link Payloads#prefixes}). */
    final List<String> prefixes;
    final long expectedIntervalMicros;
    final Ledger ledger;
    final OpStats[] postStats;
    final OpStats[] getStats;
    final Recorder interval = new Recorder(1, OpStats.MAX_TRACKABLE_MICROS, 3);
    final LongAdder postsDone = new LongAdder();
    final LongAdder getsDone = new LongAdder();
    final LongAdder errors = new LongAdder();
    private long errorsSoFar;
    final LongAdder inFlight = new LongAdder();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final long totalNanos;

    volatile boolean stopping;
    volatile int level;
    long startNanos;
    ConnectionPool pool;
    private ScheduledExecutorService ticker;

    /** Retries of a POST whose outcome is unknown, with its idempotency key, before it is booked as unknown. */
    public static final int UNKNOWN_OUTCOME_RETRIES = 2;
    /** Distinguishes this run's idempotency keys from every other run's. */
    private final String runKey = Long.toHexString(new java.security.SecureRandom().nextLong());
    private final java.util.concurrent.atomic.AtomicLong postKeys = new java.util.concurrent.atomic.AtomicLong();
    /** Retries sent for POSTs of unknown outcome. */
    final java.util.concurrent.atomic.LongAdder retries = new java.util.concurrent.atomic.LongAdder();

    public LoadRun(RunSettings settings) {
        this.settings = settings;
        this.profile = settings.profile();
        this.jsonNames = settings.metricNames().stream().map(Payloads::jsonString).toList();
        this.prefixes = Payloads.prefixes(settings.plan());
        this.expectedIntervalMicros = settings.model() instanceof LoadModel.Closed c
                ? c.expectedInterval().toNanos() / 1000 : 0;
        this.ledger = new Ledger(settings.plan());
        int phases = profile.phases().size();
        this.postStats = new OpStats[phases];
        this.getStats = new OpStats[phases];
        for (int i = 0; i < phases; i++) {
            postStats[i] = new OpStats();
            getStats[i] = new OpStats();
        }
        this.totalNanos = profile.totalDuration().toNanos();
    }

    /** Ends the run early; {@link #run()} then drains and returns the report. */
    public void stop() {
        stopSignal.countDown();
    }

    public LoadReport run() throws InterruptedException {
        Transport transport = Transport.create(settings.ioThreads());
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadgen-ticker");
            t.setDaemon(true);
            return t;
        });
        // Written by the ticker, read here after it stopped; synchronized in case stopping it timed out.
        List<TimelinePoint> timeline = Collections.synchronizedList(new ArrayList<>());
        long startEpochMillis;
        boolean stoppedEarly;
        double loadSeconds;
        try {
            int connections;
            int backlog;
            if (settings.model() instanceof LoadModel.Open open) {
                connections = open.maxConnections();
                backlog = open.maxBacklog();
            } else {
                connections = Math.max(1, profile.peakLevel());
                backlog = connections; // a closed worker never waits: one connection per worker
            }
            pool = new ConnectionPool(transport, settings.target(), connections, backlog,
                    settings.connectTimeout(), settings.requestTimeout(), settings.bearerToken());
            warmUp();
            startEpochMillis = System.currentTimeMillis();
            startNanos = System.nanoTime();
            level = profile.levelAtNanos(0);

            Runnable engine;
            Thread openThread = null;
            if (settings.model() instanceof LoadModel.Open open) {
                OpenEngine openEngine = new OpenEngine(this, open.requestsPerSecondPerLevel());
                openThread = new Thread(openEngine::run, "loadgen-timetable");
                openThread.setDaemon(true);
                engine = () -> level = profile.levelAtNanos(System.nanoTime() - startNanos);
                openThread.start();
            } else {
                ClosedEngine closed = new ClosedEngine(this);
                engine = closed::tick;
                closed.tick();
            }
            ticker.scheduleAtFixedRate(engine, CONTROL_TICK_MILLIS, CONTROL_TICK_MILLIS, TimeUnit.MILLISECONDS);
            long progressNanos = settings.progressInterval().toNanos();
            long[] lastTick = {startNanos};
            ticker.scheduleAtFixedRate(() -> timeline.add(progressPoint(lastTick)), progressNanos, progressNanos,
                    TimeUnit.NANOSECONDS);

            stoppedEarly = stopSignal.await(totalNanos, TimeUnit.NANOSECONDS);
            if (openThread != null && !stoppedEarly) {
                // A late timetable thread finishes the requests scheduled before the end (bounded wait).
                openThread.join(TimeUnit.NANOSECONDS.toMillis(settings.requestTimeout().toNanos()) + 1000);
            }
            stopping = true;
            loadSeconds = Math.min(System.nanoTime() - startNanos, totalNanos) / 1e9;
            if (openThread != null) {
                openThread.join(1000);
            }
            drain();
            ticker.shutdown();
            ticker.awaitTermination(2, TimeUnit.SECONDS);
            timeline.add(progressPoint(lastTick));
        } finally {
            ticker.shutdownNow();
            if (pool != null) {
                pool.close();
            }
            transport.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        long endEpochMillis = System.currentTimeMillis();
        return buildReport(transport.name(), startEpochMillis, endEpochMillis, loadSeconds, stoppedEarly,
                List.copyOf(timeline));
    }

    /**
     * One untimed GET before the clock starts, so that the first measured requests do not pay for class loading
     * and the first connection. Its outcome is ignored: an unreachable target shows up in the run itself.
     */
    private void warmUp() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        String path = Payloads.metricPath(settings.metricNames().get(0)) + "?limit=1";
        pool.execute(HttpRequestSpec.get(path, false), new ResponseListener() {
            @Override
            public void onResponse(int status, String body, long sentNanos) {
                done.countDown();
            }

            @Override
            public void onFailure(FailureCause cause, long sentNanos) {
                done.countDown();
            }
        });
        done.await(settings.connectTimeout().plus(settings.requestTimeout()).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for in-flight requests (and their retries), bounded by the request timeouts plus a margin. */
    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + (1 + UNKNOWN_OUTCOME_RETRIES) * (settings.requestTimeout().toNanos()
                + TimeUnit.MILLISECONDS.toNanos(100)) + TimeUnit.SECONDS.toNanos(2);
        while (inFlight.sum() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    boolean running(long nowNanos) {
        return !stopping && nowNanos - startNanos < totalNanos;
    }

    int phaseAt(long nanos) {
        return profile.phaseIndexAt(nanos - startNanos);
    }

    String phaseName(long elapsedNanos) {
        int i = profile.phaseIndexAt(elapsedNanos);
        return i < 0 ? "done" : profile.phases().get(i).name();
    }

    /** Sends one POST; {@code then} runs after it finished, whatever the outcome. */
    /** Worker {@code worker}'s next samples, stamped now for gauges. */
    Payloads.Post samples(int worker, long firstN, int count) {
        return Payloads.samples(settings.plan(), prefixes, worker, firstN, count, System.currentTimeMillis());
    }

    void post(int phase, long startNanos, Payloads.Post payload, Runnable then) {
        inFlight.increment();
        String key = settings.idempotencyKeys() ? runKey + "-" + postKeys.getAndIncrement() : null;
        send(phase, startNanos, payload, HttpRequestSpec.postJson("/metrics", payload.body(), key), 0, then);
    }

    /**
     * Sends (or, for {@code attempt > 0}, sends again) one POST. A failure whose outcome is unknown
     * (a timeout or reset after sending) is retried with the same idempotency key, up to
     * {@link #UNKNOWN_OUTCOME_RETRIES} times, so that the service answers it and counts it once;
     * only a request still unanswered after that is booked as of unknown outcome.
     */
    private void send(int phase, long startNanos, Payloads.Post payload, HttpRequestSpec spec, int attempt,
                      Runnable then) {
        pool.execute(spec, new ResponseListener() {
            @Override
            public void onResponse(int status, String body, long sentNanos) {
                if (attempt > 0 && status == 409) {
                    // A retry that finds its first attempt still being recorded: ask again shortly;
                    // past the retries, its outcome stays unknown (it may well have been applied).
                    postStats[phase].recordFailure(FailureCause.TIMEOUT, payload.values().length);
                    if (attempt < UNKNOWN_OUTCOME_RETRIES) {
                        retries.increment();
                        try {
                            ticker.schedule(() -> send(phase, startNanos, payload, spec, attempt + 1, then), 100,
                                    TimeUnit.MILLISECONDS);
                            return;
                        } catch (java.util.concurrent.RejectedExecutionException e) {
                            // the run is over: book it as unknown below
                        }
                    }
                    ledger.book(0, FailureCause.TIMEOUT, payload.seriesIndexes(), payload.values(), payload.stampMillis());
                    finish(-1, true, true, then);
                    return;
                }
                long end = System.nanoTime();
                long latencyMicros = (end - startNanos) / 1000;
                postStats[phase].recordResponse(status, latencyMicros, (end - sentNanos) / 1000,
                        expectedIntervalMicros, payload.values().length);
                ledger.book(status, null, payload.seriesIndexes(), payload.values(), payload.stampMillis());
                finish(latencyMicros, status < 200 || status >= 300, true, then);
            }

            @Override
            public void onFailure(FailureCause cause, long sentNanos) {
                postStats[phase].recordFailure(cause, payload.values().length);
                if (cause.outcomeUnknown() && spec.idempotencyKey() != null && attempt < UNKNOWN_OUTCOME_RETRIES) {
                    retries.increment();
                    send(phase, startNanos, payload, spec, attempt + 1, then);
                    return;
                }
                ledger.book(0, cause, payload.seriesIndexes(), payload.values(), payload.stampMillis());
                finish(-1, true, true, backOffAfterConnectFailure(cause, then));
            }
        });
    }

    /** Sends one GET of a metric's aggregates. */
    void get(int phase, long startNanos, int nameIndex, Runnable then) {
        inFlight.increment();
        String path = Payloads.metricPath(settings.metricNames().get(nameIndex));
        pool.execute(HttpRequestSpec.get(path, false), new ResponseListener() {
            @Override
            public void onResponse(int status, String body, long sentNanos) {
                long end = System.nanoTime();
                long latencyMicros = (end - startNanos) / 1000;
                getStats[phase].recordResponse(status, latencyMicros, (end - sentNanos) / 1000,
                        expectedIntervalMicros, 0);
                finish(latencyMicros, status < 200 || status >= 300, false, then);
            }

            @Override
            public void onFailure(FailureCause cause, long sentNanos) {
                getStats[phase].recordFailure(cause, 0);
                finish(-1, true, false, backOffAfterConnectFailure(cause, then));
            }
        });
    }

    /**
     * A closed worker whose connect failed would otherwise retry at once, spinning on a dead server; pausing it
     * briefly keeps the failure counts meaningful and the CPU free.
     */
    private Runnable backOffAfterConnectFailure(FailureCause cause, Runnable then) {
        if (then == null || (cause != FailureCause.CONNECT_REFUSED && cause != FailureCause.CONNECT_FAILED
                && cause != FailureCause.CONNECT_TIMEOUT)) {
            return then;
        }
        return () -> {
            try {
                ticker.schedule(then, CONNECT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                then.run(); // the run is over: the worker sees that and stops
            }
        };
    }

    private void finish(long latencyMicros, boolean error, boolean post, Runnable then) {
        if (latencyMicros >= 0) {
            interval.recordValue(Math.min(latencyMicros, OpStats.MAX_TRACKABLE_MICROS));
        }
        (post ? postsDone : getsDone).increment();
        if (error) {
            errors.increment();
        }
        inFlight.decrement();
        if (then != null) {
            then.run();
        }
    }

    private TimelinePoint progressPoint(long[] lastTick) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastTick[0]) / 1e9);
        lastTick[0] = now;
        Histogram h = interval.getIntervalHistogram();
        long posts = postsDone.sumThenReset();
        long gets = getsDone.sumThenReset();
        long errs = errors.sumThenReset();
        errorsSoFar += errs;
        long elapsed = now - startNanos;
        TimelinePoint point = new TimelinePoint(Math.min(elapsed, totalNanos + 60_000_000_000L) / 1e9,
                phaseName(Math.min(elapsed, totalNanos - 1)), level, inFlight.sum(), posts / seconds,
                gets / seconds, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, errs);
        if (settings.progress() != null) {
            settings.progress().accept(String.format(Locale.ROOT,
                    "[%6.1fs/%.1fs] %-10s level=%-4d in-flight=%-4d req/s=%-8.0f p99=%7.2fms errors=%d (+%d)",
                    elapsed / 1e9, totalNanos / 1e9, point.phase(), point.level(), point.inFlight(),
                    point.postsPerSecond() + point.getsPerSecond(), point.p99Millis(), errorsSoFar, errs));
        }
        return point;
    }

    private LoadReport buildReport(String transport, long startEpochMillis, long endEpochMillis,
                                   double loadSeconds, boolean stoppedEarly, List<TimelinePoint> timeline) {
        List<PhaseReport> phases = new ArrayList<>();
        OpStats totalPost = new OpStats();
        OpStats totalGet = new OpStats();
        double offset = 0;
        for (int i = 0; i < profile.phases().size(); i++) {
            Phase phase = profile.phases().get(i);
            double start = offset;
            double end = offset + phase.duration().toNanos() / 1e9;
            offset = end;
            // A phase cut short by stop() is reported over the time it actually ran.
            double ran = Math.max(0, Math.min(end, loadSeconds) - start);
            phases.add(new PhaseReport(phase.name(), phase.shape().name().toLowerCase(Locale.ROOT), start, end,
                    phase.fromLevel(), phase.toLevel(), postStats[i].toReport(ran), getStats[i].toReport(ran)));
            postStats[i].addTo(totalPost);
            getStats[i].addTo(totalGet);
        }
        PhaseReport total = new PhaseReport("total", "run", 0, loadSeconds, profile.peakLevel(), profile.peakLevel(),
                totalPost.toReport(loadSeconds), totalGet.toReport(loadSeconds));
        return new LoadReport(profile.name(), settings.model().describe(), settings.target().toString(), transport,
                settings.batchSize(), startEpochMillis, endEpochMillis, loadSeconds, stoppedEarly, phases, total,
                timeline, ledger.snapshot());
    }
}
