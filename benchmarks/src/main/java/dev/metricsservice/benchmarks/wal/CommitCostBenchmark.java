package dev.metricsservice.benchmarks.wal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one durable commit costs on this machine's disk, four ways, in turn and then in reverse
 * order (A B C D D C B A) so that drift of the disk affects each alike: {@code append} grows the
 * file with every write and forces it ({@code force(false)}, fdatasync: what the log did before),
 * {@code append-dsync} the same with one {@code DSYNC} write instead of write and force,
 * {@code step-dsync} a {@code DSYNC} write that, when it grows the file, zero-fills it to the next
 * 256 KiB boundary in the same write (what the log does now), and {@code whole-dsync} a
 * {@code DSYNC} write into a file zero-filled whole beforehand. Prints, per way and run, the wall
 * time and this thread's CPU time per commit and the slowest commit; the CPU time counts the
 * kernel's work on the calling thread, which on a VM includes the exits its I/O doorbells cause.
 *
 * <p>With {@code writers} (a list such as {@code 1,2,4,1,2,4}) it measures instead whether commits
 * can overlap: that many threads at once make {@code DSYNC} commits into one file zero-filled
 * beforehand, each at offsets of its own; prints commits per second in all and the time of one
 * commit. If the disk took flushes side by side, two writers would double the first and keep the
 * second.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.wal.CommitCostBenchmark \
 *      [dir] [commits] [bytesPerCommit] [writers]
 * </pre>
 */
public final class CommitCostBenchmark {

    private static final long FILE_BYTES = 64L << 20;
    /** The log's growth step (WriteAheadLog.GROWTH_STEP_BYTES). */
    private static final int STEP_BYTES = 256 << 10;

    private CommitCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/commit-cost");
        int commits = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        int bytes = args.length > 2 ? Integer.parseInt(args[2]) : 2200;
        if ((long) commits * bytes > FILE_BYTES) {
            throw new IllegalArgumentException("commits x bytesPerCommit must fit in " + FILE_BYTES + " bytes");
        }
        Files.createDirectories(dir);
        if (args.length > 3) {
            for (String w : args[3].split(",")) {
                overlap(dir.resolve("overlap.seg"), Integer.parseInt(w.trim()), commits, bytes);
            }
            return;
        }
        String[] order = {"append", "append-dsync", "step-dsync", "whole-dsync",
            "whole-dsync", "step-dsync", "append-dsync", "append"};
        for (String way : order) {
            Path file = dir.resolve(way + ".seg");
            Files.deleteIfExists(file);
            double[] r = run(way, file, commits, bytes);
            System.out.printf("%-12s %d commits of %d bytes: %.1f us per commit in all, %.1f us of CPU, slowest %.2f ms%n",
                    way, commits, bytes, r[0], r[1], r[2]);
            Files.deleteIfExists(file);
        }
    }

    private static void overlap(Path file, int writers, int commits, int bytes) throws Exception {
        Files.deleteIfExists(file);
        zeroFill(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.DSYNC)) {
            int each = commits / writers;
            Thread[] threads = new Thread[writers];
            Throwable[] failure = new Throwable[1];
            long t0 = System.nanoTime();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads[w] = new Thread(() -> {
                    ByteBuffer data = ByteBuffer.allocateDirect(bytes);
                    try {
                        for (int i = 0; i < each; i++) {
                            data.clear();
                            long at = (long) (i * writers + id) * bytes;
                            while (data.hasRemaining()) {
                                at += ch.write(data, at);
                            }
                        }
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                });
                threads[w].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure[0] != null) {
                throw new IOException("a writer failed", failure[0]);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%d writer(s), %d commits of %d bytes: %.0f commits/s in all, %.1f us per commit%n",
                    writers, each * writers, bytes, each * writers / seconds, seconds * 1e6 / each);
        }
        Files.deleteIfExists(file);
    }

    private static void zeroFill(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) {
                zeros.clear();
                ch.write(zeros, at);
            }
            ch.force(true);
        }
    }

    /** Returns wall and thread-CPU microseconds per commit, and the slowest commit in milliseconds. */
    private static double[] run(String way, Path file, int commits, int bytes) throws IOException {
        boolean zeroFilled = way.equals("whole-dsync");
        if (zeroFilled) {
            zeroFill(file);
        }
        boolean dsync = way.endsWith("dsync");
        boolean steps = way.equals("step-dsync");
        FileChannel ch = dsync
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DSYNC)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try (ch) {
            ByteBuffer data = ByteBuffer.allocateDirect(bytes);
            for (int i = 0; i < bytes; i++) {
                data.put(i, (byte) (i | 1));
            }
            ByteBuffer zeros = ByteBuffer.allocateDirect(STEP_BYTES);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long slowest = 0;
            long at = 0;
            long fileEnd = zeroFilled ? FILE_BYTES : 0;
            for (int i = 0; i < commits; i++) {
                long t0 = System.nanoTime();
                data.clear();
                long end = at + bytes;
                if (steps && end > fileEnd) {
                    long padEnd = (end + STEP_BYTES - 1) / STEP_BYTES * STEP_BYTES;
                    zeros.clear().limit((int) (padEnd - end));
                    ByteBuffer[] both = {data, zeros};
                    ch.position(at);
                    while (both[0].hasRemaining() || both[1].hasRemaining()) {
                        ch.write(both);
                    }
                    fileEnd = padEnd;
                } else {
                    long p = at;
                    while (data.hasRemaining()) {
                        p += ch.write(data, p);
                    }
                }
                at = end;
                if (!dsync) {
                    ch.force(false);
                }
                slowest = Math.max(slowest, System.nanoTime() - t0);
            }
            long wall = System.nanoTime() - wall0;
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            return new double[] {wall / 1e3 / commits, cpu / 1e3 / commits, slowest / 1e6};
        }
    }
}
