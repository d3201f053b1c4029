package dev.metricsservice.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.durability.DurableLogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {

    @TempDir
    Path dir;

    private static ByteBuffer record(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> replayAll(WriteAheadLog log) throws IOException {
        List<String> out = new ArrayList<>();
        log.replay((position, payload) -> out.add(StandardCharsets.UTF_8.decode(payload).toString()));
        return out;
    }

    private static long await(CompletableFuture<Long> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void append_thenReopen_replaysEveryRecordInOrder() throws Exception {
        List<Long> positions = new ArrayList<>();
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            for (int i = 0; i < 100; i++) {
                positions.add(await(log.append(record("r" + i))));
            }
        }
        assertThat(positions).isSorted().doesNotHaveDuplicates();
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            List<String> back = replayAll(log);
            assertThat(back).hasSize(100).startsWith("r0", "r1").endsWith("r99");
            assertThat(log.recovery().records()).isEqualTo(100);
            assertThat(log.recovery().cutBytes()).isZero();
            // Appends continue after the replayed records.
            assertThat(await(log.append(record("r100")))).isGreaterThan(positions.get(99));
        }
    }

    @Test
    void append_concurrentWriters_shareForces() throws Exception {
        int threads = 8;
        int each = 500;
        List<CompletableFuture<Long>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts.add(new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        all.add(log.append(record(id + ":" + i)));
                    }
                }));
            }
            ts.forEach(Thread::start);
            for (Thread t : ts) {
                t.join();
            }
            for (CompletableFuture<Long> f : all) {
                await(f);
            }
            WriteAheadLog.Stats stats = log.stats();
            assertThat(stats.records()).isEqualTo(threads * each);
            // Group commit: one force covers everything queued meanwhile.
            assertThat(stats.fsyncs()).isLessThan(stats.records());
        }
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            List<String> back = replayAll(log);
            assertThat(back).hasSize(threads * each).doesNotHaveDuplicates();
        }
    }

    /** Where a segment's valid records end (its padding and any damage after that not counted). */
    private static long endOfRecords(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            return Segment.scan(ch, Integer.MAX_VALUE, null).validBytes();
        }
    }

    /** The offset just past the last non-zero byte of {@code bytes} before {@code end}, at least {@code from}. */
    private static long lastNonZero(byte[] bytes, long from, long end) {
        for (long i = end - 1; i >= from; i--) {
            if (bytes[(int) i] != 0) {
                return i + 1;
            }
        }
        return from;
    }

    /** Five records in one segment, and the offsets where each valid prefix of them ends. */
    private static List<Long> writeFive(WalConfig config) throws Exception {
        List<Long> ends = new ArrayList<>();
        try (WriteAheadLog log = WriteAheadLog.open(config)) {
            for (int i = 0; i < 5; i++) {
                ByteBuffer r = record("record-" + i + "-" + "x".repeat(i * 7));
                int length = r.remaining();
                ends.add(await(log.append(r)) + Segment.RECORD_HEADER_BYTES + length);
            }
        }
        return ends;
    }

    @Test
    void open_tornTail_isCutAtTheLastValidRecordWhateverTheOffset() throws Exception {
        // A segment that grows with each commit (no preallocation): a crash leaves it cut short.
        Path original = dir.resolve("original");
        List<Long> ends = writeFive(WalConfig.of(original).withPreallocate(false));
        Path segment = segments(original).get(0);
        long size = Files.size(segment);
        assertThat(size).isEqualTo(ends.get(ends.size() - 1));
        byte[] bytes = Files.readAllBytes(segment);
        for (long cut = ends.get(1); cut < size; cut++) {
            WalConfig copy = WalConfig.of(dir.resolve("cut-" + cut)).withPreallocate(false);
            Files.createDirectories(copy.directory());
            Path seg = copy.directory().resolve(segment.getFileName());
            Files.copy(segment, seg);
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            long whole = cut;
            long expected = ends.stream().filter(e -> e <= whole).count();
            long validEnd = ends.stream().filter(e -> e <= whole).mapToLong(Long::longValue).max().orElse(8);
            try (WriteAheadLog log = WriteAheadLog.open(copy)) {
                assertThat(replayAll(log)).as("cut at %d", cut).hasSize((int) expected);
                // Zero bytes at the very end read as padding: the count is of the bytes up to the last other one.
                assertThat(log.recovery().cutBytes()).as("cut at %d", cut)
                        .isEqualTo(lastNonZero(bytes, validEnd, cut) - validEnd);
                await(log.append(record("after"))); // the log goes on after the cut
            }
            try (WriteAheadLog log = WriteAheadLog.open(copy)) {
                assertThat(replayAll(log)).as("cut at %d", cut).hasSize((int) expected + 1).endsWith("after");
            }
        }
    }

    @Test
    void open_tornTailInAPreallocatedSegment_isCutAndPaddedAgainByTheNextCommit() throws Exception {
        // A padded segment keeps its size: a torn commit leaves its first bytes and zeros after them.
        WalConfig config = new WalConfig(dir.resolve("original"), 1 << 20, 4096, 1024);
        List<Long> ends = writeFive(config);
        Path segment = segments(config.directory()).get(0);
        assertThat(Files.size(segment)).isEqualTo(4096);
        byte[] bytes = Files.readAllBytes(segment);
        long last = ends.get(ends.size() - 1);
        for (long cut = ends.get(1); cut < last; cut++) {
            WalConfig copy = new WalConfig(dir.resolve("torn-" + cut), 1 << 20, 4096, 1024);
            Files.createDirectories(copy.directory());
            byte[] torn = bytes.clone();
            java.util.Arrays.fill(torn, (int) cut, (int) last, (byte) 0);
            Files.write(copy.directory().resolve(segment.getFileName()), torn);
            long whole = cut;
            long expected = ends.stream().filter(e -> e <= whole).count();
            long validEnd = ends.stream().filter(e -> e <= whole).mapToLong(Long::longValue).max().orElse(8);
            try (WriteAheadLog log = WriteAheadLog.open(copy)) {
                assertThat(replayAll(log)).as("torn at %d", cut).hasSize((int) expected);
                assertThat(log.recovery().cutBytes()).as("torn at %d", cut)
                        .isEqualTo(lastNonZero(torn, validEnd, cut) - validEnd);
                await(log.append(record("after")));
            }
            assertThat(Files.size(copy.directory().resolve(segment.getFileName()))).isEqualTo(4096);
            try (WriteAheadLog log = WriteAheadLog.open(copy)) {
                assertThat(replayAll(log)).as("torn at %d", cut).hasSize((int) expected + 1).endsWith("after");
                assertThat(log.recovery().cutBytes()).isZero(); // padding is not damage
            }
        }
    }

    @Test
    void append_preallocated_padsTheActiveSegmentAndCutsClosedOnesAtTheirLastRecord() throws Exception {
        WalConfig small = new WalConfig(dir, 1 << 20, 4096, 1024);
        List<String> written = new ArrayList<>();
        try (WriteAheadLog log = WriteAheadLog.open(small)) {
            for (int i = 0; i < 40; i++) {
                String r = "p".repeat(300) + i;
                await(log.append(record(r)));
                written.add(r);
            }
            List<Path> segs = segments(dir);
            assertThat(segs).hasSizeGreaterThan(3);
            for (Path closed : segs.subList(0, segs.size() - 1)) {
                assertThat(Files.size(closed)).as("%s", closed).isEqualTo(endOfRecords(closed)).isLessThan(4096);
            }
            assertThat(Files.size(segs.get(segs.size() - 1))).isEqualTo(4096);
            long records = segs.stream().mapToLong(p -> {
                try {
                    return endOfRecords(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
            assertThat(log.stats().logBytes()).isEqualTo(records);
        }
        try (WriteAheadLog log = WriteAheadLog.open(small)) {
            assertThat(replayAll(log)).isEqualTo(written);
            assertThat(log.recovery().cutBytes()).isZero();
        }
    }

    @Test
    void open_segmentWrittenWithoutPreallocation_keepsItsRecordsAndIsPaddedByTheNextCommit() throws Exception {
        // Segments as the log wrote them before preallocation: grown by each commit.
        WalConfig grown = new WalConfig(dir, 1 << 20, 4096, 1024, false);
        try (WriteAheadLog log = WriteAheadLog.open(grown)) {
            await(log.append(record("old-1")));
            await(log.append(record("old-2")));
        }
        Path segment = segments(dir).get(0);
        assertThat(Files.size(segment)).isLessThan(4096);
        try (WriteAheadLog log = WriteAheadLog.open(grown.withPreallocate(true))) {
            await(log.append(record("new")));
            assertThat(Files.size(segment)).isEqualTo(4096); // the commit that grew it padded it
        }
        try (WriteAheadLog log = WriteAheadLog.open(grown.withPreallocate(true))) {
            assertThat(replayAll(log)).containsExactly("old-1", "old-2", "new");
            assertThat(log.recovery().cutBytes()).isZero();
        }
    }

    @Test
    void open_corruptRecord_cutInTheLastSegmentRefusedInAnEarlierOne() throws Exception {
        WalConfig small = new WalConfig(dir, 1 << 20, 4096, 1024);
        try (WriteAheadLog log = WriteAheadLog.open(small)) {
            for (int i = 0; i < 20; i++) {
                await(log.append(record("y".repeat(900) + i)));
            }
        }
        List<Path> segs = segments(dir);
        assertThat(segs).hasSizeGreaterThan(2);
        Path last = segs.get(segs.size() - 1);
        flipByte(last, endOfRecords(last) - 3);
        try (WriteAheadLog log = WriteAheadLog.open(small)) {
            assertThat(replayAll(log)).hasSize(19);
            assertThat(log.recovery().cutReason()).contains("CRC32C");
        }
        flipByte(segs.get(0), 20);
        assertThatThrownBy(() -> WriteAheadLog.open(small)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not the last segment");
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            b.position(0);
            ch.write(b, at);
        }
    }

    @Test
    void checkpoint_deletesSegmentsBelowItAndSurvivesReopen() throws Exception {
        WalConfig small = new WalConfig(dir, 1 << 20, 4096, 1024);
        List<Long> positions = new ArrayList<>();
        try (WriteAheadLog log = WriteAheadLog.open(small)) {
            for (int i = 0; i < 30; i++) {
                positions.add(await(log.append(record("z".repeat(900) + i))));
            }
            int before = segments(dir).size();
            log.checkpoint(positions.get(20));
            assertThat(segments(dir).size()).isLessThan(before);
            assertThat(log.stats().logBytes()).isEqualTo(segments(dir).stream().mapToLong(p -> {
                try {
                    return endOfRecords(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum());
        }
        try (WriteAheadLog log = WriteAheadLog.open(small)) {
            assertThat(log.checkpoint()).isEqualTo(positions.get(20));
            List<String> back = replayAll(log);
            assertThat(back).hasSize(10).first().asString().endsWith("20");
        }
    }

    @Test
    void append_pastMaxBytes_failsFullUntilACheckpointFreesSpace() throws Exception {
        WalConfig tiny = new WalConfig(dir, 3 * 4096, 4096, 1024);
        List<Long> ok = new ArrayList<>();
        try (WriteAheadLog log = WriteAheadLog.open(tiny)) {
            DurableLogException full = null;
            for (int i = 0; i < 40 && full == null; i++) {
                try {
                    ok.add(await(log.append(record("w".repeat(1000)))));
                } catch (ExecutionException e) {
                    full = (DurableLogException) e.getCause();
                }
            }
            assertThat(full).isNotNull();
            assertThat(full.reason()).isEqualTo(DurableLogException.Reason.FULL);
            assertThat(full.getMessage()).contains("retry later");
            log.checkpoint(ok.get(ok.size() - 1));
            assertThat(await(log.append(record("fits again")))).isPositive();
        }
    }

    @Test
    void open_directoryHeldByAnotherLog_isRefusedNamingIt() throws Exception {
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            assertThatThrownBy(() -> WriteAheadLog.open(WalConfig.of(dir))).isInstanceOf(IOException.class)
                    .hasMessageContaining("held by another live process").hasMessageContaining(dir.toString());
        }
        WriteAheadLog.open(WalConfig.of(dir)).close(); // released on close
    }

    @Test
    void append_badRecordsAndAfterClose_failWithTheReason() throws Exception {
        WriteAheadLog log = WriteAheadLog.open(new WalConfig(dir, 1 << 20, 4096, 1024));
        assertThatThrownBy(() -> await(log.append(ByteBuffer.allocate(2000)))).hasCauseInstanceOf(DurableLogException.class)
                .hasMessageContaining("outside 1..1024");
        assertThatThrownBy(() -> await(log.append(ByteBuffer.allocate(0)))).hasMessageContaining("outside");
        log.close();
        assertThatThrownBy(() -> await(log.append(record("late")))).hasMessageContaining("closed");
    }

    @Test
    void append_ioError_failsThatCommitAndEveryLaterAppendAndTakesBackTheUnacknowledgedBytes() throws Exception {
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            await(log.append(record("durable")));
            log.failNextForce(new IOException("injected: the disk went away"));
            assertThatThrownBy(() -> await(log.append(record("lost")))).hasCauseInstanceOf(DurableLogException.class)
                    .hasMessageContaining("injected");
            DurableLogException later = (DurableLogException) org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> await(log.append(record("after"))), ExecutionException.class).getCause();
            assertThat(later.reason()).isEqualTo(DurableLogException.Reason.IO_ERROR);
            assertThat(later.getMessage()).contains("failed earlier");
            // Control records too: nothing is acknowledged once the disk failed.
            assertThatThrownBy(() -> await(log.appendControl(record("marker")))).hasMessageContaining("failed");
        }
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            assertThat(replayAll(log)).containsExactly("durable");
        }
    }

    @Test
    void checkpoint_withState_survivesReopenAndAFirstVersionFileReadsWithout() throws Exception {
        long position;
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            await(log.append(record("a")));
            position = await(log.append(record("b")));
            log.checkpoint(position, new byte[] {7, 8, 9});
        }
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            assertThat(log.checkpoint()).isEqualTo(position);
            assertThat(log.checkpointState()).containsExactly(7, 8, 9);
            assertThat(replayAll(log)).containsExactly("b");
        }
        // The 12-byte form the log wrote before states existed: position and CRC32C.
        ByteBuffer old = ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, position);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(old.array(), 0, 8);
        old.putInt(8, (int) crc.getValue());
        Files.write(dir.resolve("checkpoint"), old.array());
        try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(dir))) {
            assertThat(log.checkpoint()).isEqualTo(position);
            assertThat(log.checkpointState()).isEmpty();
        }
    }
}
