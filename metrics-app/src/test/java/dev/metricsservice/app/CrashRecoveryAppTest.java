package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.SeriesWindow;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.MetricStore;
import dev.metricsservice.store.dynamodb.DynaliteServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the real app process in the middle of a load, then a restart on the same
 * write-ahead log: the store must hold exactly the acknowledged samples. Requests whose answer
 * the kill cut off are sent again after the restart with their idempotency key, so every sample
 * ends up acknowledged once and the check is exact (a retried request that was durable is
 * answered as a duplicate and not counted again).
 */
class CrashRecoveryAppTest {

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final String[] HOSTS = {"a", "b", "c", "d"};

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private DynaliteServer dynalite;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (dynalite != null) {
            dynalite.close();
        }
    }

    @Test
    void kill9_sqlite_storedEqualsAcknowledgedAfterRestart() throws Exception {
        crashAndRecover(List.of("--store", "sqlite"));
    }

    @Test
    void kill9_dynamodbOnDisk_storedEqualsAcknowledgedAfterRestart() throws Exception {
        dynalite = DynaliteServer.start(dir.resolve("dynalite"));
        crashAndRecover(List.of("--store", "dynamodb", "--dynamodb-endpoint", dynalite.endpoint().toString(),
                "--table", "crash-test"));
    }

    private void crashAndRecover(List<String> storeArgs) throws Exception {
        List<String> args = new ArrayList<>(storeArgs);
        args.addAll(List.of("--window", "1s", "--allowed-lateness", "1s"));
        Map<String, AtomicLong> acked = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String[]> unknown = new ConcurrentLinkedQueue<>(); // {key, body, host}
        ConcurrentLinkedQueue<String[]> answered = new ConcurrentLinkedQueue<>(); // some acknowledged {key, body}

        Running first = start(args);
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread sender = new Thread(() -> {
                for (long i = 0; loading.get() && i < 200_000; i++) {
                    String host = HOSTS[(int) ((i + thread) % HOSTS.length)];
                    String key = "t" + thread + "-" + i;
                    String body = "[{\"name\":\"hits\",\"type\":\"counter\",\"value\":1,\"tags\":{\"host\":\"" + host
                            + "\"}},{\"name\":\"hits\",\"type\":\"counter\",\"value\":2,\"tags\":{\"host\":\"" + host + "\"}}]";
                    sent.incrementAndGet();
                    try {
                        HttpResponse<String> r = post(first.base, key, body);
                        if (r.statusCode() == 202) {
                            acked.computeIfAbsent(host, h -> new AtomicLong()).addAndGet(3);
                            if (i % 50 == 0) {
                                answered.add(new String[] {key, body});
                            }
                        } else {
                            unknown.add(new String[] {key, body, host});
                        }
                    } catch (Exception e) {
                        unknown.add(new String[] {key, body, host});
                    }
                }
            });
            sender.start();
            senders.add(sender);
        }
        Thread.sleep(4_000); // several flushes and checkpoints, then the kill mid-load
        first.process.destroyForcibly(); // SIGKILL
        loading.set(false);
        assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (Thread s : senders) {
            s.join(30_000);
        }
        long ackedBeforeKill = acked.values().stream().mapToLong(AtomicLong::get).sum();
        assertThat(ackedBeforeKill).as("samples acknowledged before the kill").isGreaterThan(1_000);

        Running second = start(args);
        assertThat(second.output()).contains("replayed");
        int duplicates = 0;
        for (String[] u : unknown) {
            HttpResponse<String> r = post(second.base, u[0], u[1]);
            assertThat(r.statusCode()).as("retry of %s: %s", u[0], r.body()).isEqualTo(202);
            if (r.body().contains("\"duplicate\":true")) {
                duplicates++;
            }
            acked.computeIfAbsent(u[2], h -> new AtomicLong()).addAndGet(3);
        }
        // Requests acknowledged before the kill, sent again: known from the log, counted once.
        assertThat(answered).isNotEmpty();
        for (String[] a : answered) {
            HttpResponse<String> r = post(second.base, a[0], a[1]);
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.body()).as("retry of %s after the crash", a[0]).contains("\"duplicate\":true");
        }
        second.process.toHandle().destroy(); // SIGTERM: drain, final flush
        assertThat(second.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.process.exitValue()).as(second.output()).isZero();
        System.out.printf("kill -9 test %s: %d requests sent, %d samples acknowledged before the kill, %d of unknown"
                + " outcome retried (%d were durable: duplicates)%n", storeArgs.get(1), sent.get(), ackedBeforeKill,
                unknown.size(), duplicates);

        for (String host : HOSTS) {
            long expected = acked.getOrDefault(host, new AtomicLong()).get();
            assertThat(storedSum(args, SeriesKey.of("hits", Tags.of("host", host))))
                    .as("host %s: stored sum against acknowledged", host).isEqualTo(expected);
        }
    }

    /**
     * SIGTERM while the store is down: the app exits 0 within its shutdown timeout, and the next
     * start (store back) writes everything that was acknowledged.
     */
    @Test
    void sigterm_storeDown_exitsWithinTheTimeoutAndTheNextStartWritesEverything() throws Exception {
        dynalite = DynaliteServer.start(dir.resolve("dynalite"));
        List<String> args = List.of("--store", "dynamodb", "--dynamodb-endpoint", dynalite.endpoint().toString(),
                "--table", "sigterm-test", "--window", "1s", "--allowed-lateness", "1s", "--shutdown-timeout", "3s");
        Running first = start(args);
        long acked = 0;
        for (int i = 0; i < 300; i++) {
            String body = "{\"name\":\"jobs\",\"type\":\"counter\",\"value\":" + (i % 7 + 1) + "}";
            assertThat(post(first.base, "k" + i, body).statusCode()).isEqualTo(202);
            acked += i % 7 + 1;
        }
        dynalite.stop();
        long t0 = System.nanoTime();
        first.process.toHandle().destroy(); // SIGTERM
        assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(first.process.exitValue()).as(first.output()).isZero();
        // Drain (no requests in flight) plus the 3 s final flush, with room for a slow machine.
        assertThat(stopMillis).as("time to exit after SIGTERM").isLessThan(10_000);
        assertThat(first.output()).contains("everything acknowledged is in the write-ahead log");

        dynalite.restart();
        Running second = start(args);
        second.process.toHandle().destroy();
        assertThat(second.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.process.exitValue()).as(second.output()).isZero();
        assertThat(storedSum(args, SeriesKey.of("jobs"))).isEqualTo(acked);
    }

    private long storedSum(List<String> args, SeriesKey series) throws Exception {
        List<String> readArgs = AppHarness.baseArgs(dir, args.toArray(String[]::new));
        try (MetricStore store = Stores.open(AppConfig.parse(readArgs.toArray(String[]::new), Map.of()))) {
            long sum = 0;
            for (SeriesWindow w : store.query(new MetricQuery(series, 0, 4_000_000_000L, 100_000,
                    MetricQuery.Order.OLDEST_FIRST)).get(30, TimeUnit.SECONDS)) {
                sum += (long) w.stats().sum();
            }
            return sum;
        }
    }

    /**
     * The store down long enough for the log to fill: POST answers 503 {@code log_full} with
     * Retry-After and acknowledges nothing; once the store is back the log empties, POST is
     * accepted again, and the store holds exactly what was acknowledged.
     */
    @Test
    void logFull_storeDown_refusesWith503ThenRecoversWithNothingLost() throws Exception {
        dynalite = DynaliteServer.start(dir.resolve("dynalite"));
        List<String> args = List.of("--store", "dynamodb", "--dynamodb-endpoint", dynalite.endpoint().toString(),
                "--table", "full-test", "--window", "1s", "--allowed-lateness", "1s", "--wal-max-bytes", "1MiB");
        Running app = start(args);
        dynalite.stop();
        long acked = 0;
        HttpResponse<String> refusal = null;
        String filler = "x".repeat(120);
        String body = "{\"name\":\"fill\",\"type\":\"counter\",\"value\":1,\"tags\":{\"pad\":\"" + filler + "\"}}";
        for (int i = 0; i < 100_000 && refusal == null; i++) {
            HttpResponse<String> r = post(app.base, "f" + i, body);
            if (r.statusCode() == 202) {
                acked++;
            } else {
                refusal = r;
            }
        }
        assertThat(refusal).as("the log filled up").isNotNull();
        assertThat(refusal.statusCode()).isEqualTo(503);
        assertThat(refusal.body()).contains("log_full");
        assertThat(refusal.headers().firstValue("Retry-After")).isPresent();

        dynalite.restart();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean acceptedAgain = false;
        for (int i = 0; System.nanoTime() < deadline && !acceptedAgain; i++) {
            HttpResponse<String> r = post(app.base, "again" + i, body);
            if (r.statusCode() == 202) {
                acked++;
                acceptedAgain = true;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                Thread.sleep(200);
            }
        }
        assertThat(acceptedAgain).as("POST accepted once the store is back").isTrue();
        app.process.toHandle().destroy();
        assertThat(app.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(app.process.exitValue()).isZero();
        assertThat(storedSum(args, SeriesKey.of("fill", Tags.of("pad", filler)))).isEqualTo(acked);
    }

    private HttpResponse<String> post(URI base, String key, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/metrics"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A running app process and what it printed. */
    private record Running(Process process, URI base, StringBuilder out) {
        String output() {
            synchronized (out) {
                return out.toString();
            }
        }
    }

    private Running start(List<String> extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve"));
        command.addAll(AppHarness.baseArgs(dir, "--telemetry", "off"));
        command.addAll(extra);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        StringBuilder out = new StringBuilder();
        CompletableFuture<URI> base = new CompletableFuture<>();
        URI[] listening = new URI[1];
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening[0] = URI.create("http://127.0.0.1:" + m.group(1));
                    }
                    if (line.startsWith("serving until") && listening[0] != null) {
                        base.complete(listening[0]); // the signal handler is in place from here on
                    }
                }
                base.completeExceptionally(new IllegalStateException("the app exited: " + out));
            } catch (Exception e) {
                base.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        return new Running(process, base.get(60, TimeUnit.SECONDS), out);
    }
}
