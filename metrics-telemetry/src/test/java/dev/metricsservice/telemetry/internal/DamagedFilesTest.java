package dev.metricsservice.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.telemetry.reader.TraceEvent;
import dev.metricsservice.telemetry.reader.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DamagedFilesTest {
    @TempDir
    Path source;
    @TempDir
    Path work;

    private byte[] whole;
    private int wholeEvents;

    @BeforeEach
    void writeOneFile() throws Exception {
        TraceFixtures.Rig rig = new TraceFixtures.Rig(source, 1 << 16, 1 << 20, 1 << 22, false, Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            TraceFixtures.spans(rig.recorder, i * 40, 40);
            rig.awaitDrained();
        }
        rig.close();
        Path f;
        try (Stream<Path> s = Files.list(source)) {
            f = s.filter(p -> p.toString().endsWith(".bin")).findFirst().orElseThrow();
        }
        whole = Files.readAllBytes(f);
        wholeEvents = TraceFixtures.mine(TraceFixtures.read(f, null)).size();
        assertThat(wholeEvents).isEqualTo(200);
    }

    @Test
    void read_truncatedActiveFile_readsWholeEventsAtEveryCutPoint() throws Exception {
        Path f = work.resolve("trace.0.bin.active");
        int previous = 0;
        for (int cut = 0; cut <= whole.length; cut += (cut < 64 || cut > whole.length - 64) ? 1 : 3) {
            Files.write(f, Arrays.copyOf(whole, cut));
            List<String> notes = new ArrayList<>();
            List<TraceEvent> events = TraceFixtures.mine(TraceFixtures.read(f, notes));
            assertThat(events.size()).as("cut at %d", cut).isBetween(previous, wholeEvents);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).value("value", -1)).isEqualTo(i);
            }
            previous = events.size();
            if (cut < whole.length) {
                assertThat(notes).as("cut at %d", cut).isNotEmpty();
            }
        }
        assertThat(previous).isEqualTo(wholeEvents);
    }

    @Test
    void read_truncatedInsideABlock_keepsTheBlocksWholeEvents() throws Exception {
        Path f = work.resolve("trace.0.bin.active");
        // Drop the END record and the last few bytes: the last block is cut in its middle.
        Files.write(f, Arrays.copyOf(whole, whole.length - 40));
        List<String> notes = new ArrayList<>();
        List<TraceEvent> events = TraceFixtures.mine(TraceFixtures.read(f, notes));
        assertThat(events.size()).isBetween(wholeEvents - 10, wholeEvents - 1);
        assertThat(notes).singleElement().asString().contains("cut short").contains("last whole");
    }

    @Test
    void read_corruptByte_reportsOffsetAndSkipsTheRestOfThatFileOnly() throws Exception {
        byte[] damaged = whole.clone();
        // Flip a byte in the event bytes of the third block (the file has five), which its checksum covers.
        List<int[]> blocks = blocks(whole);
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(5);
        int at = blocks.get(2)[1] - 3;
        damaged[at] ^= 0x5A;
        Files.write(work.resolve("trace.0.bin"), damaged);
        Files.write(work.resolve("trace.1.bin"), whole);
        List<String> notes = new ArrayList<>();
        List<TraceEvent> events = new ArrayList<>();
        TraceReader.ReadResult r = TraceReader.read(work, events::add);
        notes.addAll(r.notes());
        assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("trace.0.bin").contains("offset"));
        long fromSecond = TraceFixtures.mine(events).stream().filter(e -> e.threadId() >= 0).count();
        assertThat(fromSecond).isGreaterThanOrEqualTo(wholeEvents).isLessThan(2L * wholeEvents);
    }

    /** [start, end) of each BLOCK record, found by walking the record framing of FORMAT.md. */
    private static List<int[]> blocks(byte[] file) {
        List<int[]> found = new ArrayList<>();
        int pos = 6;
        while (pos < file.length) {
            int tag = file[pos++];
            long len = 0;
            int shift = 0;
            byte b;
            do {
                b = file[pos++];
                len |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            if (tag == Schema.REC_BLOCK) {
                found.add(new int[] {pos, pos + (int) len});
            }
            pos += (int) len;
        }
        return found;
    }

    @Test
    void read_garbageAndNewerVersion_areSkippedWithANote() throws Exception {
        Files.write(work.resolve("trace.0.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        byte[] newer = whole.clone();
        newer[4] = (byte) (Schema.VERSION + 1);
        Files.write(work.resolve("trace.1.bin"), newer);
        List<String> notes = new ArrayList<>();
        assertThat(TraceFixtures.read(work, notes)).isEmpty();
        assertThat(notes).hasSize(2);
        assertThat(notes.get(0)).contains("bad magic");
        assertThat(notes.get(1)).contains("newer");
    }
}
