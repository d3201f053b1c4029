package dev.metricsservice.benchmarks.wal;

import dev.metricsservice.wal.WalConfig;
import dev.metricsservice.wal.WriteAheadLog;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit on this machine's disk: {@code clients} concurrent appenders, each with up to
 * {@code inFlight} records outstanding (as an event loop with that many connections waiting for
 * their 202 would have), append {@code recordBytes}-byte records to a real {@link WriteAheadLog}
 * for {@code seconds}; prints durable appends per second, forces per second, records per force
 * and the append-to-durable latency percentiles. Bounded in time; deletes its directory.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.wal.GroupCommitBenchmark \
 *      [dir] [seconds] [clients] [inFlight] [recordBytes]
 * </pre>
 */
public final class GroupCommitBenchmark {

    private GroupCommitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/wal-bench");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int recordBytes = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        deleteRecursively(dir);
        try (WriteAheadLog log = WriteAheadLog.open(new WalConfig(dir, 64L << 30, 64L << 20, 1 << 20))) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            long[][] latencies = new long[clients][];
            int[] counts = new int[clients];
            for (int c = 0; c < clients; c++) {
                int id = c;
                latencies[c] = new long[1 << 22];
                threads.add(new Thread(() -> {
                    Semaphore slots = new Semaphore(inFlight);
                    ByteBuffer record = ByteBuffer.wrap(new byte[recordBytes]);
                    while (!stop.get()) {
                        slots.acquireUninterruptibly();
                        long start = System.nanoTime();
                        CompletableFuture<Long> f = log.append(record.duplicate());
                        f.whenComplete((p, e) -> {
                            long micros = (System.nanoTime() - start) / 1000;
                            synchronized (latencies[id]) {
                                if (counts[id] < latencies[id].length) {
                                    latencies[id][counts[id]++] = micros;
                                }
                            }
                            slots.release();
                        });
                    }
                    slots.acquireUninterruptibly(inFlight);
                }, "appender-" + c));
            }
            long t0 = System.nanoTime();
            threads.forEach(Thread::start);
            TimeUnit.SECONDS.sleep(seconds);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            WriteAheadLog.Stats s = log.stats();
            long[] all = new long[0];
            for (int c = 0; c < clients; c++) {
                long[] mine = Arrays.copyOf(latencies[c], counts[c]);
                long[] merged = Arrays.copyOf(all, all.length + mine.length);
                System.arraycopy(mine, 0, merged, all.length, mine.length);
                all = merged;
            }
            Arrays.sort(all);
            System.out.printf("clients %d x in-flight %d, %d-byte records, %.1f s: %.0f durable appends/s, %.0f fsyncs/s,"
                            + " %.1f records per fsync; append-to-durable p50 %d us, p99 %d us, max %d us%n",
                    clients, inFlight, recordBytes, elapsed, s.records() / elapsed, s.fsyncs() / elapsed,
                    s.recordsPerFsync(), pct(all, 0.50), pct(all, 0.99), all.length == 0 ? 0 : all[all.length - 1]);
        } finally {
            deleteRecursively(dir);
        }
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
