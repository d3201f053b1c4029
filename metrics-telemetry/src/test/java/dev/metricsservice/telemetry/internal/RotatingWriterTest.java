package dev.metricsservice.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.telemetry.reader.TraceEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingWriterTest {
    private static final long MAX_FILE = 2048;
    private static final long MAX_TOTAL = 8192;

    @TempDir
    Path dir;

    /** Writes {@code batches} batches of 50 spans, waiting for each to be drained so blocks stay small. */
    private static void produce(TraceFixtures.Rig rig, int batches) throws InterruptedException {
        for (int i = 0; i < batches; i++) {
            TraceFixtures.spans(rig.recorder, i * 50, 50);
            rig.awaitDrained();
        }
    }

    private TreeMap<Long, Path> files() throws IOException {
        TreeMap<Long, Path> byNumber = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                Matcher m = TraceFiles.NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    byNumber.put(Long.parseLong(m.group(1)), p);
                }
            });
        }
        return byNumber;
    }

    private long totalBytes() throws IOException {
        long sum = 0;
        for (Path p : files().values()) {
            sum += Files.size(p);
        }
        return sum;
    }

    @Test
    void rotate_tinyLimits_sealsFilesAndEvictsOldestFirst() throws Exception {
        TraceFixtures.Rig rig = new TraceFixtures.Rig(dir, 4096, MAX_FILE, MAX_TOTAL, false, Duration.ZERO);
        produce(rig, 60);
        TreeMap<Long, Path> during = files();
        assertThat(during.lastEntry().getValue().getFileName().toString()).endsWith(".bin.active");
        rig.close();

        TreeMap<Long, Path> after = files();
        assertThat(rig.writer.filesSealed()).isGreaterThan(5);
        assertThat(after.values()).allMatch(p -> p.getFileName().toString().endsWith(".bin"));
        // Sealed files respect the size limit up to one block (a file always takes at least one block).
        for (Path p : after.values()) {
            assertThat(Files.size(p)).isLessThanOrEqualTo(MAX_FILE + 600);
        }
        assertThat(totalBytes()).isLessThanOrEqualTo(MAX_TOTAL);
        // Eviction removed the oldest: what is left is the newest run of numbers, without gaps.
        assertThat(after.firstKey()).isGreaterThan(0);
        assertThat(after.lastKey() - after.firstKey() + 1).isEqualTo(after.size());
        assertThat(rig.writer.filesEvicted()).isEqualTo(after.firstKey());
        // And what is readable is the end of the stream: the last span is there, the first is gone.
        List<TraceEvent> events = TraceFixtures.mine(TraceFixtures.read(dir, null));
        assertThat(events.get(events.size() - 1).value("value", -1)).isEqualTo(60 * 50 - 1);
        assertThat(events).noneMatch(e -> e.value("value", -1) == 0);
    }

    @Test
    void start_existingFiles_countTowardsTheCapAndNumberingContinues() throws Exception {
        for (int n = 0; n < 4; n++) {
            Files.write(dir.resolve("trace." + n + ".bin"), new byte[3000]);
        }
        Files.write(dir.resolve("trace.4.bin.active"), new byte[1000]);
        Files.write(dir.resolve("unrelated.txt"), new byte[5000]);

        TraceFixtures.Rig rig = new TraceFixtures.Rig(dir, 4096, MAX_FILE, MAX_TOTAL, false, Duration.ZERO);
        TraceFixtures.spans(rig.recorder, 0, 10);
        rig.awaitDrained();
        rig.close();

        TreeMap<Long, Path> after = files();
        // 4*3000 + 1000 = 13000 > 8192: the oldest went first until the rest fits beside the new file.
        assertThat(after).doesNotContainKeys(0L, 1L);
        assertThat(after).containsKeys(3L, 4L, 5L);
        assertThat(after.get(5L).getFileName().toString()).isEqualTo("trace.5.bin");
        assertThat(totalBytes()).isLessThanOrEqualTo(MAX_TOTAL);
        assertThat(dir.resolve("unrelated.txt")).exists();
    }

    @Test
    void rotate_timeInterval_startsNewFiles() throws Exception {
        TraceFixtures.Rig rig = new TraceFixtures.Rig(dir, 4096, 1 << 20, 1 << 22, false, Duration.ofMillis(30));
        long end = System.nanoTime() + Duration.ofMillis(300).toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            TraceFixtures.spans(rig.recorder, i++, 1);
            Thread.sleep(5);
        }
        rig.close();
        assertThat(files()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(TraceFixtures.mine(TraceFixtures.read(dir, null))).hasSize(i);
    }

    @Test
    void seal_gzip_compressesAndStaysReadable() throws Exception {
        TraceFixtures.Rig rig = new TraceFixtures.Rig(dir, 4096, MAX_FILE, 1 << 20, true, Duration.ZERO);
        produce(rig, 20);
        rig.close();
        TreeMap<Long, Path> after = files();
        assertThat(after.values()).allMatch(p -> p.getFileName().toString().endsWith(".bin.gz"));
        List<String> notes = new ArrayList<>();
        assertThat(TraceFixtures.mine(TraceFixtures.read(dir, notes))).hasSize(20 * 50);
        assertThat(notes).isEmpty();
    }

    @Test
    void start_directoryIsAFile_disablesTracingWithAFailure() throws Exception {
        Path notADir = dir.resolve("plain-file");
        Files.write(notADir, new byte[1]);
        TraceFixtures.Rig rig = new TraceFixtures.Rig(notADir.resolve("traces"), 4096, MAX_FILE, MAX_TOTAL, false,
                Duration.ZERO);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (rig.writer.failure() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(rig.writer.failure()).isNotNull();
        assertThat(rig.recorder.enabled).isFalse();
        rig.recorder.setEnabled(true);
        assertThat(rig.recorder.enabled).as("stays off after a failure").isFalse();
        rig.close();
    }
}
