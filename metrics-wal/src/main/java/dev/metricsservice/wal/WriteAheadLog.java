package dev.metricsservice.wal;

import dev.metricsservice.core.durability.DurableLog;
import dev.metricsservice.core.durability.DurableLogException;
import dev.metricsservice.core.durability.DurableLogException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write-ahead log of opaque records in segment files, made durable by group commit: one writer
 * thread takes every record queued since its last commit, writes them with one synchronous write
 * (the segment is open with {@code DSYNC}: the call returns once the bytes are on the device, as
 * after an fdatasync) and only then completes their futures.
 *
 * <pre>{@code
 * try (WriteAheadLog log = WriteAheadLog.open(WalConfig.of(Path.of("data/wal")))) {
 *     log.replay((position, payload) -> reapply(payload));      // before serving
 *     log.append(encoded).thenRun(() -> answer202());          // never blocks
 *     log.checkpoint(positionEveryStoredRecordIsBelow);         // lets old segments go
 * }
 * }</pre>
 *
 * <p><b>Opening</b> locks the directory ({@code LOCK}, an OS file lock: a second live process is
 * refused with a message naming the directory), reads the checkpoint, and scans every segment. A
 * damaged tail of the last segment (a record cut short by a crash, or whose CRC32C fails: it was
 * never acknowledged, since acknowledgements follow the force) is cut off, logged once with the
 * number of bytes. Damage anywhere else means lost acknowledged data and refuses to open.
 *
 * <p><b>Preallocation</b> ({@link WalConfig#preallocate}): a commit that would grow the segment
 * writes zero bytes after its records up to the next {@value #GROWTH_STEP_BYTES}-byte boundary in
 * the same write, so the commits after it overwrite blocks the file system has already allocated
 * and written, with no new file size to journal. Zero bytes after the last record are padding, not
 * damage; a segment is cut at its last record when the next one starts.
 *
 * <p><b>Failure</b>: a record that would take the log past {@code maxBytes} fails as
 * {@link Reason#FULL} (the caller answers 503 and retries later; {@link #checkpoint} frees space);
 * an I/O error fails the records of that commit and every later one as {@link Reason#IO_ERROR}.
 * Nothing is acknowledged that is not forced.
 *
 * <p>Thread-safe: {@link #append} from any thread; {@link #replay} before the first append.
 */
public final class WriteAheadLog implements DurableLog {

    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);
    private static final String CHECKPOINT = "checkpoint";
    /**
     * How far a growing segment is zero-filled ahead of its records. Measured on this VM (2,200-byte
     * DSYNC commits): 64 KiB steps cost 400 us per commit, 256 KiB 304-335 us (as much as a segment
     * zero-filled whole beforehand), growing with each commit 443-515 us; the commit that takes a
     * step writes at most this much more, so it bounds the slowest commit too (4 ms at 256 KiB).
     */
    static final int GROWTH_STEP_BYTES = 256 << 10;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(GROWTH_STEP_BYTES).asReadOnlyBuffer();
    private static final int MAX_BATCH = 4096;

    private record Pending(ByteBuffer payload, CompletableFuture<Long> done, boolean control) {
    }

    /** A record gathered for a commit's write, and where it starts. */
    private record Written(long position, CompletableFuture<Long> done) {
    }

    /** What opening found, for logs and {@code /stats}. */
    public record Recovery(int segments, long records, long checkpoint, long cutBytes, String cutReason) {
    }

    /** Counters since open. */
    public record Stats(long records, long bytes, long fsyncs, long logBytes, int segments) {
        /** Records made durable per commit (one synchronous write, an fdatasync's worth), on average. */
        public double recordsPerFsync() {
            return fsyncs == 0 ? 0 : (double) records / fsyncs;
        }
    }

    private final WalConfig config;
    /** What ordinary records may fill; control records may use the rest. */
    private final long dataLimit;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final Recovery recovery;
    private final List<Long> segmentBases = new ArrayList<>(); // guarded by this
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private volatile long checkpoint;
    private volatile byte[] checkpointState = new byte[0];
    /** Bytes in the segments: grown by the writer thread, shrunk by checkpoints on other threads. */
    private final AtomicLong logBytes = new AtomicLong();
    private volatile boolean closed;
    private volatile IOException failure;

    // Writer-thread state.
    /** Records of one commit gathered for one write; grows for a record larger than it. */
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private FileChannel active;
    private long activeBase;
    private long activeSize;
    /** The active file's length: writes below it overwrite zero bytes already on disk. */
    private long activeFileBytes;
    /** The active segment's size at its last commit: what is known to be durable. */
    private long forcedSize;
    /** For tests: the next commit fails with this after its write. */
    private volatile IOException injectedFailure;

    private WriteAheadLog(WalConfig config, FileChannel lockChannel, FileLock lock) throws IOException {
        this.config = config;
        this.dataLimit = config.maxBytes() - Math.min(1L << 20, config.maxBytes() / 8);
        this.lockChannel = lockChannel;
        this.lock = lock;
        readCheckpoint();
        this.recovery = recover();
        this.writer = new Thread(this::run, "wal-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Opens (or creates) the log in {@code config.directory()}.
     *
     * @throws IOException when the directory cannot be used, another process holds it, or a
     *     segment other than the last is damaged
     */
    public static WriteAheadLog open(WalConfig config) throws IOException {
        Files.createDirectories(config.directory());
        Path lockFile = config.directory().resolve("LOCK");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("the write-ahead log directory " + config.directory().toAbsolutePath()
                    + " is held by another live process (lock file " + lockFile.toAbsolutePath()
                    + "); give each instance its own directory");
        }
        try {
            return new WriteAheadLog(config, ch, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
    }

    /** What opening found. */
    public Recovery recovery() {
        return recovery;
    }

    public Stats stats() {
        synchronized (this) {
            return new Stats(records.get(), bytes.get(), fsyncs.get(), logBytes.get(), segmentBases.size());
        }
    }

    /** The position below which every record has been checkpointed. */
    public long checkpoint() {
        return checkpoint;
    }

    // ------------------------------------------------------------------ recovery

    private Recovery recover() throws IOException {
        List<Long> bases = new ArrayList<>();
        try (var files = Files.list(config.directory())) {
            files.forEach(p -> {
                long b = Segment.baseOf(p.getFileName().toString());
                if (b >= 0) {
                    bases.add(b);
                }
            });
        }
        bases.sort(null);
        long total = 0;
        long recordsFound = 0;
        long cut = 0;
        String cutReason = null;
        long previousEnd = -1;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            Path path = Segment.path(config.directory(), base);
            boolean last = i == bases.size() - 1;
            if (i > 0 && previousEnd != base) {
                throw new IOException("write-ahead log segment " + path + " starts at " + base
                        + " but the one before it ends at " + previousEnd + ": segments are missing");
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Segment.Scan scan = Segment.scan(ch, config.maxRecordBytes(), null);
                if (scan.damaged()) {
                    if (!last) {
                        throw new IOException("write-ahead log segment " + path + " is damaged at offset "
                                + scan.validBytes() + " (" + scan.stopReason() + ") and is not the last segment:"
                                + " acknowledged records would be lost, so the log does not open");
                    }
                    cut = scan.contentBytes() - scan.validBytes();
                    cutReason = scan.stopReason();
                    LOG.warn("write-ahead log: cut {} bytes off the end of {} ({}); they were never acknowledged",
                            cut, path, cutReason);
                }
                boolean changed = false;
                if (scan.fileBytes() > scan.validBytes()) {
                    // Damage or padding: the segment ends at its last record (the next commit pads again).
                    ch.truncate(scan.validBytes());
                    changed = true;
                }
                long size = scan.validBytes();
                if (last && size < Segment.HEADER_BYTES) {
                    // A crash while the segment was being started: write its header again.
                    ch.write(Segment.header(), 0);
                    size = Segment.HEADER_BYTES;
                    changed = true;
                }
                if (changed) {
                    ch.force(true);
                }
                total += size;
                previousEnd = base + size;
                recordsFound += scan.records();
                if (last) {
                    activeSize = size;
                }
            }
        }
        synchronized (this) {
            segmentBases.addAll(bases);
        }
        logBytes.set(total);
        if (bases.isEmpty()) {
            startSegment(Math.max(0, checkpoint));
        } else {
            long base = bases.get(bases.size() - 1);
            active = openActive(Segment.path(config.directory(), base), false);
            activeBase = base;
            activeFileBytes = active.size();
            forcedSize = activeSize;
        }
        return new Recovery(bases.size(), recordsFound, checkpoint, cut, cutReason);
    }

    /** Opens (or creates, refusing an existing file) the active segment: writes to it are durable when they return. */
    private static FileChannel openActive(Path path, boolean create) throws IOException {
        return create
                ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, StandardOpenOption.DSYNC)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
    }

    /**
     * Feeds every record at or past the checkpoint to {@code visitor}, in order. Call before the
     * first {@link #append}.
     *
     * @return the number of records replayed
     */
    @Override
    public long replay(RecordVisitor visitor) throws IOException {
        List<Long> bases;
        synchronized (this) {
            bases = List.copyOf(segmentBases);
        }
        long n = 0;
        for (long base : bases) {
            Path path = Segment.path(config.directory(), base);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                long[] count = {0};
                Segment.scan(ch, config.maxRecordBytes(), (offset, payload) -> {
                    long position = base + offset;
                    if (position >= checkpoint) {
                        visitor.record(position, payload);
                        count[0]++;
                    }
                });
                n += count[0];
            }
        }
        return n;
    }


    // ------------------------------------------------------------------ appending

    @Override
    public CompletableFuture<Long> append(ByteBuffer record) {
        return append(record, false);
    }

    /** {@inheritDoc} The reserve is the last eighth of {@code maxBytes}, at most 1 MiB. */
    @Override
    public CompletableFuture<Long> appendControl(ByteBuffer record) {
        return append(record, true);
    }

    private CompletableFuture<Long> append(ByteBuffer record, boolean control) {
        int length = record.remaining();
        if (length < 1 || length > config.maxRecordBytes()) {
            return CompletableFuture.failedFuture(new DurableLogException(Reason.TOO_LARGE, "a record of " + length
                    + " bytes is outside 1.." + config.maxRecordBytes()));
        }
        IOException f = failure;
        if (f != null) {
            return CompletableFuture.failedFuture(failedEarlier(f));
        }
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        Pending pending = new Pending(record.duplicate(), done, control);
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            // Raced with close: the writer may already have stopped, so nobody else would answer.
            done.completeExceptionally(closedError());
        }
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.take();
                if (first.payload == null) {
                    failAll(batch, closedError());
                    drainClosed();
                    return;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                failAll(batch, new DurableLogException(Reason.CLOSED, "the write-ahead log writer was interrupted"));
                return;
            }
            batch.clear();
        }
    }

    private void drainClosed() {
        List<Pending> rest = new ArrayList<>();
        queue.drainTo(rest);
        failAll(rest, closedError());
    }

    /**
     * Writes the batch (stopping at a close marker) with as few {@code write} calls as its size
     * allows (records are gathered into one buffer; each write returns once durable), completes the
     * futures.
     */
    private void commit(List<Pending> batch) {
        List<Written> written = new ArrayList<>(batch.size());
        boolean closeSeen = false;
        buffer.clear();
        long bufferAt = activeSize; // the file offset the buffer's first byte goes to
        try {
            for (Pending p : batch) {
                if (p.payload == null) {
                    closeSeen = true;
                    continue;
                }
                if (failure != null) {
                    p.done.completeExceptionally(new DurableLogException(Reason.IO_ERROR,
                            "the write-ahead log failed: " + failure.getMessage(), failure));
                    continue;
                }
                int length = p.payload.remaining();
                long recordBytes = Segment.RECORD_HEADER_BYTES + (long) length;
                if (activeSize + recordBytes > config.segmentBytes() && activeSize > Segment.HEADER_BYTES) {
                    flushBuffer(bufferAt);
                    completeDurable(written);
                    finishSegment();
                    startSegment(activeBase + activeSize);
                    bufferAt = activeSize;
                }
                if (logBytes.get() + recordBytes > (p.control ? config.maxBytes() : dataLimit)) {
                    p.done.completeExceptionally(fullError());
                    continue;
                }
                if (buffer.remaining() < recordBytes) {
                    flushBuffer(bufferAt);
                    bufferAt = activeSize;
                    if (buffer.capacity() < recordBytes) {
                        buffer = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE, recordBytes))
                                .order(ByteOrder.LITTLE_ENDIAN);
                    }
                }
                long position = activeBase + activeSize;
                buffer.putInt(length).putInt(Segment.crc(length, p.payload)).put(p.payload.duplicate());
                activeSize += recordBytes;
                logBytes.addAndGet(recordBytes);
                written.add(new Written(position, p.done));
                bytes.addAndGet(length);
            }
            flushBuffer(bufferAt);
            completeDurable(written);
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
                LOG.error("write-ahead log: I/O error in {}; every later append fails until restart",
                        config.directory(), e);
                // Best effort: take back what was written but not acknowledged (zero bytes read as
                // padding), so that a replay after a restart does not count batches whose clients
                // were told they failed.
                try {
                    if (activeSize > forcedSize) {
                        active.write(ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE, activeSize - forcedSize)),
                                forcedSize);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // the disk is failing; a client retrying with its idempotency key is still counted once
                }
            }
            DurableLogException error = new DurableLogException(Reason.IO_ERROR, "the write-ahead log could not write: "
                    + e.getMessage(), e);
            for (Written w : written) {
                w.done.completeExceptionally(error);
            }
            written.clear();
        }
        if (closeSeen) {
            queue.add(new Pending(null, null, false));
        }
    }

    /**
     * Writes what the buffer holds at file offset {@code at}, durably (DSYNC), and empties it; when
     * that grows the file and preallocating, zero bytes up to the next growth step go in the same
     * write.
     */
    private void flushBuffer(long at) throws IOException {
        buffer.flip();
        long end = at + buffer.remaining();
        if (config.preallocate() && end > activeFileBytes && buffer.hasRemaining()) {
            long step = (end + GROWTH_STEP_BYTES - 1) / GROWTH_STEP_BYTES * GROWTH_STEP_BYTES;
            long padEnd = Math.min(step, Math.max(end, config.segmentBytes()));
            ByteBuffer[] both = {buffer, ZEROS.duplicate().limit((int) (padEnd - end))};
            active.position(at);
            while (both[0].hasRemaining() || both[1].hasRemaining()) {
                active.write(both);
            }
            activeFileBytes = padEnd;
        } else {
            long p = at;
            while (buffer.hasRemaining()) {
                p += active.write(buffer, p);
            }
            activeFileBytes = Math.max(activeFileBytes, p);
        }
        buffer.clear();
    }

    /** Completes the futures of records whose writes have returned, which made them durable. */
    private void completeDurable(List<Written> written) throws IOException {
        if (written.isEmpty()) {
            return;
        }
        IOException injected = injectedFailure;
        if (injected != null) {
            injectedFailure = null;
            throw injected;
        }
        forcedSize = activeSize;
        fsyncs.incrementAndGet();
        records.addAndGet(written.size());
        for (Written w : written) {
            w.done.complete(w.position);
        }
        written.clear();
    }

    /** Ends the active segment at its last record (cutting off its padding) for good. */
    private void finishSegment() throws IOException {
        if (activeFileBytes > activeSize) {
            active.truncate(activeSize);
        }
        active.force(true);
        active.close();
    }

    private void startSegment(long base) throws IOException {
        Path path = Segment.path(config.directory(), base);
        FileChannel ch = openActive(path, true);
        ch.write(Segment.header(), 0);
        forceDirectory();
        active = ch;
        activeBase = base;
        activeSize = Segment.HEADER_BYTES;
        activeFileBytes = ch.size();
        forcedSize = activeSize;
        synchronized (this) {
            segmentBases.add(base);
            logBytes.addAndGet(Segment.HEADER_BYTES);
        }
    }

    private static void failAll(List<Pending> ps, DurableLogException e) {
        for (Pending p : ps) {
            if (p.done != null) {
                p.done.completeExceptionally(e);
            }
        }
        ps.clear();
    }

    /** Test seam: makes the next commit fail with {@code e} after its write, as a failing disk would. */
    void failNextForce(IOException e) {
        injectedFailure = e;
    }

    // ------------------------------------------------------------------ checkpoint

    /** {@link #checkpoint(long, byte[])} with no state. */
    public void checkpoint(long position) throws IOException {
        checkpoint(position, new byte[0]);
    }

    /**
     * Records that nothing below {@code position} needs replaying, with {@code state}, durably (a
     * checkpoint file replaced atomically), then deletes the segments that lie wholly below it.
     * Positions never move back: a lower one is ignored.
     *
     * <p>File: position (u64 LE), state length (u32 LE), state, CRC32C (u32 LE) of all before it.
     * A 12-byte file (position and CRC, as the first version wrote) reads as having no state.
     */
    @Override
    public synchronized void checkpoint(long position, byte[] state) throws IOException {
        if (position <= checkpoint) {
            return;
        }
        Path tmp = config.directory().resolve(CHECKPOINT + ".tmp");
        ByteBuffer b = ByteBuffer.allocate(16 + state.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(position).putInt(state.length).put(state);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, config.directory().resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + config.directory() + " cannot replace files atomically", e);
        }
        forceDirectory();
        checkpoint = position;
        checkpointState = state.clone();
        // Every segment but the last one whose end is at or below the checkpoint can go.
        while (segmentBases.size() > 1) {
            long base = segmentBases.get(0);
            long end = segmentBases.get(1);
            if (end > position) {
                break;
            }
            Path path = Segment.path(config.directory(), base);
            long size = Files.size(path);
            Files.delete(path);
            segmentBases.remove(0);
            logBytes.addAndGet(-size);
        }
    }

    @Override
    public byte[] checkpointState() {
        return checkpointState.clone();
    }

    @Override
    public double fill() {
        return (double) logBytes.get() / config.maxBytes();
    }

    @Override
    public java.util.Optional<DurableLogException> refusal() {
        IOException f = failure;
        if (f != null) {
            return java.util.Optional.of(failedEarlier(f));
        }
        if (closed) {
            return java.util.Optional.of(closedError());
        }
        if (logBytes.get() >= dataLimit) {
            return java.util.Optional.of(fullError());
        }
        return java.util.Optional.empty();
    }

    // One wording per refusal, for appends, the writer and readiness alike.

    private static DurableLogException failedEarlier(IOException f) {
        return new DurableLogException(Reason.IO_ERROR,
                "the write-ahead log failed earlier and takes no more records: " + f.getMessage(), f);
    }

    private static DurableLogException closedError() {
        return new DurableLogException(Reason.CLOSED, "the write-ahead log is closed");
    }

    private DurableLogException fullError() {
        return new DurableLogException(Reason.FULL, "the write-ahead log holds " + logBytes.get() + " of its "
                + config.maxBytes() + " bytes; it frees space as the store takes the windows (retry later)");
    }

    private void readCheckpoint() throws IOException {
        Path p = config.directory().resolve(CHECKPOINT);
        if (!Files.exists(p)) {
            return;
        }
        byte[] b = Files.readAllBytes(p);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int stateLength = b.length == 12 ? -1 : b.length >= 16 ? bb.getInt(8) : -2;
        if (stateLength == -2 || (stateLength >= 0 && stateLength != b.length - 16)) {
            throw new IOException("the write-ahead log checkpoint " + p + " has " + b.length
                    + " bytes, which fits neither checkpoint format");
        }
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        if (bb.getInt(b.length - 4) != (int) crc.getValue()) {
            throw new IOException("the write-ahead log checkpoint " + p + " fails its CRC32C");
        }
        checkpoint = bb.getLong(0);
        checkpointState = stateLength <= 0 ? new byte[0] : java.util.Arrays.copyOfRange(b, 12, 12 + stateLength);
    }

    private void forceDirectory() throws IOException {
        // Makes a created, renamed or deleted file name durable (Linux: fsync on the directory).
        try (FileChannel dir = FileChannel.open(config.directory(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open directories; the file's own force still holds its data.
            LOG.debug("write-ahead log: cannot force directory {}: {}", config.directory(), e.toString());
        }
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(new Pending(null, null, false));
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (active != null) {
                active.close();
            }
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("write-ahead log: closing {}: {}", config.directory(), e.toString());
        }
    }
}
