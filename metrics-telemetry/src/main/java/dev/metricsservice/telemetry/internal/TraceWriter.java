package dev.metricsservice.telemetry.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one background thread that drains every thread's buffer into the rotating file set, samples the loops'
 * pending tasks, and writes clock-sync records. It is the only thread that touches files; an I/O error switches
 * recording off for good with a single log message.
 */
public final class TraceWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TraceWriter.class);
    private static final long CLOCK_SYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often each thread's {@link Totals} growth is written. */
    private static final long TOTALS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Recorder recorder;
    private final TraceFiles files;
    private final long maxFileBytes;
    private final long rotateIntervalNanos;
    private final long drainIntervalNanos;
    private final long sampleIntervalNanos;
    private final Map<String, String> metadata;
    private final Thread thread;

    private final byte[] staging;
    private final byte[] scratch = new byte[64];
    private final CRC32 crc = new CRC32();

    private volatile boolean closing;
    /** Test hook: while true the writer neither drains nor samples, so buffers fill up. */
    volatile boolean paused;
    private ThreadBuffer own;
    private int stringsWrittenInFile;
    private long fileStartNanos;
    private long eventsInFile;

    private volatile long eventsWritten;
    private volatile long bytesWritten;
    private volatile String failure;

    public TraceWriter(Recorder recorder, Path directory, long maxFileBytes, long maxTotalBytes, boolean gzip,
                       Duration rotateInterval, Duration drainInterval, Duration sampleInterval,
                       Map<String, String> metadata) {
        this.recorder = recorder;
        this.files = new TraceFiles(directory, maxTotalBytes, gzip);
        this.maxFileBytes = maxFileBytes;
        this.rotateIntervalNanos = rotateInterval.toNanos();
        this.drainIntervalNanos = drainInterval.toNanos();
        this.sampleIntervalNanos = sampleInterval.toNanos();
        this.metadata = metadata;
        this.staging = new byte[recorder.bufferBytes];
        this.thread = new Thread(this, "telemetry-writer");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Drains what is left, seals the current file and stops the thread. */
    public void close(Duration timeout) throws InterruptedException {
        closing = true;
        LockSupport.unpark(thread);
        thread.join(Math.max(1, timeout.toMillis()));
    }

    public long eventsWritten() {
        return eventsWritten;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public String failure() {
        return failure;
    }

    public long filesSealed() {
        return files.sealedFiles();
    }

    public long filesEvicted() {
        return files.evictedFiles();
    }

    /** Test hook, see {@link #paused}. */
    public void setPaused(boolean paused) {
        this.paused = paused;
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        own = recorder.register(Schema.THREAD_WRITER);
        try {
            files.scan();
            startFile();
            long nextSample = System.nanoTime();
            long nextClock = nextSample + CLOCK_SYNC_INTERVAL_NANOS;
            long nextTotals = nextSample + TOTALS_INTERVAL_NANOS;
            while (!closing) {
                long now = System.nanoTime();
                if (!paused) {
                    if (now - nextSample >= 0) {
                        sampleQueues(now);
                        // Fixed rate, so samples stay on a 10 ms grid; after a stall, restart from now.
                        nextSample += sampleIntervalNanos;
                        if (now - nextSample >= 0) {
                            nextSample = now + sampleIntervalNanos;
                        }
                    }
                    if (now - nextTotals >= 0) {
                        writeAllTotals(now);
                        nextTotals = now + TOTALS_INTERVAL_NANOS;
                    }
                    drainAll();
                    if (now - nextClock >= 0) {
                        writeClock();
                        nextClock = now + CLOCK_SYNC_INTERVAL_NANOS;
                    }
                    if (rotateIntervalNanos > 0 && now - fileStartNanos >= rotateIntervalNanos && eventsInFile > 0) {
                        rotate();
                    }
                }
                long untilSample = nextSample - System.nanoTime();
                LockSupport.parkNanos(Math.max(100_000L, Math.min(drainIntervalNanos, untilSample)));
            }
            // Last totals of every thread, then twice through the buffers: the first pass may write the
            // final totals of threads it finds ended into the writer's own buffer.
            writeAllTotals(System.nanoTime());
            drainAll();
            drainAll();
            seal();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void fail(Exception e) {
        recorder.failed = true;
        recorder.enabled = false;
        failure = e.toString();
        files.abandon();
        LOG.error("Telemetry disabled: cannot write trace files in {} ({}). The service continues without tracing;"
                + " free space or fix permissions and restart to trace again.", files.dir(), e.toString());
    }

    private void sampleQueues(long now) {
        if (!recorder.enabled) {
            return;
        }
        for (LoopRecorder loop : recorder.loops) {
            if (loop.terminated()) {
                recorder.loops.remove(loop);
                continue;
            }
            int index = loop.threadIndex();
            if (index >= 0 && own.begin(Schema.QUEUE_DEPTH, now)) {
                own.putUnsigned(index);
                own.putUnsigned(loop.pendingTasks());
                own.commit();
            }
        }
    }

    private void drainAll() throws IOException {
        // Declare every known thread first: queue-depth samples in the writer's own block refer to loop threads
        // that may not have a block of their own in this file yet.
        for (ThreadBuffer b : recorder.buffers) {
            announce(b);
        }
        for (ThreadBuffer b : recorder.buffers) {
            drain(b);
            if (!b.thread.isAlive() && b.publishedTail() == b.readableFrom() && b != own) {
                writeTotals(b, System.nanoTime()); // its totals are final now: write them before forgetting it
                recorder.buffers.remove(b);
            }
        }
        files.flush();
    }

    private void drain(ThreadBuffer b) throws IOException {
        long head = b.readableFrom();
        long tail = b.publishedTail();
        if (tail == head) {
            return;
        }
        int length = (int) (tail - head);
        b.copyOut(head, tail, staging);
        long base = b.writerLastTimestamp;
        int count = 0;
        long ts = base;
        int p = 0;
        while (p < length) {
            int type = staging[p++] & 0xFF;
            long delta = 0;
            int shift = 0;
            byte x;
            do {
                x = staging[p++];
                delta |= (long) (x & 0x7F) << shift;
                shift += 7;
            } while (x < 0);
            ts += Varint.unZigZag(delta);
            int fields = Schema.TYPES[type].fieldCount();
            for (int f = 0; f < fields; f++) {
                while (staging[p++] < 0) {
                    // skip continuation bytes of the varint
                }
            }
            count++;
        }
        if (files.currentBytes() + length + 64 > maxFileBytes && eventsInFile > 0) {
            rotate();
        }
        announce(b);
        writeNewStrings();
        crc.reset();
        crc.update(staging, 0, length);
        int h = 0;
        h = Varint.put(scratch, h, b.index);
        h = Varint.put(scratch, h, Varint.zigZag(base));
        h = Varint.put(scratch, h, count);
        int crcValue = (int) crc.getValue();
        scratch[h++] = (byte) (crcValue >>> 24);
        scratch[h++] = (byte) (crcValue >>> 16);
        scratch[h++] = (byte) (crcValue >>> 8);
        scratch[h++] = (byte) crcValue;
        writeRecordHeader(Schema.REC_BLOCK, h + length);
        write(scratch, 0, h);
        write(staging, 0, length);
        b.writerLastTimestamp = ts;
        b.release(tail);
        eventsInFile += count;
        eventsWritten += count;
    }

    private void writeAllTotals(long now) {
        for (ThreadBuffer b : recorder.buffers) {
            writeTotals(b, now);
        }
    }

    /**
     * Writes the growth of {@code t}'s totals since the last call into the writer's own buffer. What
     * does not fit (the writer's buffer full) stays unwritten and goes out with the next call.
     */
    private void writeTotals(ThreadBuffer t, long now) {
        Totals x = t.totals;
        writeLoopGrowth(t, Schema.IO_TOTALS, Totals.IO_ROUNDS, Totals.READS, now);
        writeLoopGrowth(t, Schema.READ_TOTALS, Totals.READS, Totals.LOOP_FIELDS, now);
        long[] wr = t.writtenRequests;
        for (int slot = 0; slot < Totals.REQUEST_SLOTS; slot++) {
            long key = x.requestKeyAt(slot);
            if (key == 0) {
                continue;
            }
            int base = slot * Totals.REQUEST_STRIDE;
            long count = x.requestValue(slot, 1);
            if (count == wr[base + 1]) {
                continue;
            }
            long nanos = x.requestValue(slot, 2);
            long in = x.requestValue(slot, 3);
            long out = x.requestValue(slot, 4);
            if (!own.begin(Schema.REQUEST_TOTALS, now)) {
                return;
            }
            own.putUnsigned(Totals.methodOf(key));
            own.putUnsigned(Totals.routeOf(key));
            own.putUnsigned(Totals.statusOf(key));
            own.putUnsigned(count - wr[base + 1]);
            own.putUnsigned(nanos - wr[base + 2]);
            own.putUnsigned(in - wr[base + 3]);
            own.putUnsigned(out - wr[base + 4]);
            own.commit();
            wr[base + 1] = count;
            wr[base + 2] = nanos;
            wr[base + 3] = in;
            wr[base + 4] = out;
        }
    }

    /**
     * Writes the growth of {@code t}'s loop counters {@code [from, to)} as one event of {@code type}
     * (the loop's index, then each counter's growth), when the first of them, the count, has grown.
     */
    private void writeLoopGrowth(ThreadBuffer t, int type, int from, int to, long now) {
        long[] w = t.writtenLoop;
        long[] seen = new long[to - from];
        for (int f = from; f < to; f++) {
            seen[f - from] = t.totals.loopValue(f);
        }
        if (seen[0] == w[from] || !own.begin(type, now)) {
            return;
        }
        own.putUnsigned(t.index);
        for (int f = from; f < to; f++) {
            own.putUnsigned(seen[f - from] - w[f]);
            w[f] = seen[f - from];
        }
        own.commit();
    }

    private void rotate() throws IOException {
        seal();
        startFile();
    }

    private void startFile() throws IOException {
        files.startNext();
        fileStartNanos = System.nanoTime();
        eventsInFile = 0;
        stringsWrittenInFile = 0;
        byte[] magic = {Schema.MAGIC[0], Schema.MAGIC[1], Schema.MAGIC[2], Schema.MAGIC[3], (byte) Schema.VERSION, 0};
        write(magic, 0, magic.length);
        for (int t = 1; t < Schema.TYPES.length; t++) {
            writeSchema(Schema.TYPES[t]);
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            writeMeta(e.getKey(), e.getValue());
        }
        writeMeta("file.number", Long.toString(files.number()));
        writeMeta(Schema.META_DETAIL_THRESHOLD_NANOS, Long.toString(Recorder.DETAIL_THRESHOLD_NANOS));
        writeMeta(Schema.META_DETAIL_SAMPLE_EVERY, Integer.toString(Recorder.DETAIL_SAMPLE_EVERY));
        writeMeta("file.started", Instant.now().toString());
        writeClock();
        writeNewStrings();
    }

    private void seal() throws IOException {
        if (files.number() < 0) {
            return;
        }
        Buf b = new Buf();
        b.varint(eventsInFile);
        b.varint(recorder.droppedTotal());
        writeRecord(Schema.REC_END, b);
        files.seal();
    }

    private void writeSchema(Schema.EventType type) throws IOException {
        Buf b = new Buf();
        b.varint(type.id());
        b.string(type.name());
        b.varint(type.fieldCount());
        for (Schema.Field f : type.fields()) {
            b.string(f.name());
            b.varint(f.kind().ordinal());
        }
        writeRecord(Schema.REC_SCHEMA, b);
    }

    private void writeMeta(String key, String value) throws IOException {
        Buf b = new Buf();
        b.string(key);
        b.string(value);
        writeRecord(Schema.REC_META, b);
    }

    private void writeClock() throws IOException {
        Instant wall = Instant.now();
        long mono = System.nanoTime();
        Buf b = new Buf();
        b.varint(Varint.zigZag(mono));
        b.varint(wall.getEpochSecond() * 1_000_000_000L + wall.getNano());
        writeRecord(Schema.REC_CLOCK, b);
    }

    private void announce(ThreadBuffer t) throws IOException {
        if (t.announcedInFile == files.number()) {
            return;
        }
        Buf b = new Buf();
        b.varint(t.index);
        b.string(t.threadName);
        b.varint(t.kind);
        writeRecord(Schema.REC_THREAD, b);
        t.announcedInFile = files.number();
    }

    private void writeNewStrings() throws IOException {
        int known = recorder.strings.size();
        while (stringsWrittenInFile < known) {
            Buf b = new Buf();
            b.varint(stringsWrittenInFile);
            b.string(recorder.strings.get(stringsWrittenInFile));
            writeRecord(Schema.REC_STRING, b);
            stringsWrittenInFile++;
        }
    }

    private void writeRecord(int tag, Buf b) throws IOException {
        writeRecordHeader(tag, b.length);
        write(b.bytes, 0, b.length);
    }

    private void writeRecordHeader(int tag, int payloadLength) throws IOException {
        byte[] h = new byte[11];
        h[0] = (byte) tag;
        int n = Varint.put(h, 1, payloadLength);
        write(h, 0, n);
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        files.write(bytes, offset, length);
        bytesWritten += length;
    }

    /** Growable scratch for the writer's small records; the writer thread may allocate. */
    private static final class Buf {
        byte[] bytes = new byte[64];
        int length;

        void varint(long v) {
            ensure(10);
            length = Varint.put(bytes, length, v);
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, length, utf8.length);
            length += utf8.length;
        }

        private void ensure(int extra) {
            if (length + extra > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
            }
        }
    }
}
