package dev.metricsservice.telemetry.reader;

import dev.metricsservice.telemetry.internal.Schema;
import dev.metricsservice.telemetry.internal.Varint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;

/**
 * Reads trace files written by {@code Telemetry}: a directory of {@code trace.N.bin}, {@code trace.N.bin.gz} and
 * {@code trace.N.bin.active} files, oldest first, or a single file.
 *
 * <pre>{@code
 * TraceReader.ReadResult r = TraceReader.read(Path.of("/tmp/metrics-service-traces"), event -> ...);
 * }</pre>
 *
 * <p>Never throws on bad data: a file cut short is read up to its last whole event and a note says so; a corrupt
 * block (CRC mismatch, impossible lengths, unknown encodings) is reported with its byte offset and the rest of that
 * file is skipped. Events of types this reader does not know are decoded through the file's own schema.
 * Thread-safety: stateless; each call is independent.
 */
public final class TraceReader {
    private static final Pattern NAME = Pattern.compile("trace\\.(\\d+)\\.bin(\\.gz|\\.active)?");

    /** What was read. */
    public record ReadResult(int files, long events, long bytes, List<String> notes) {
    }

    private TraceReader() {
    }

    /** Trace files in {@code dir} ordered by their number, or {@code [path]} when it is a file. */
    public static List<Path> traceFiles(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
            for (Path p : ds) {
                if (NAME.matcher(p.getFileName().toString()).matches()) {
                    found.add(p);
                }
            }
        }
        found.sort(Comparator.comparingLong(TraceReader::number));
        return found;
    }

    private static long number(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    public static ReadResult read(Path path, TraceVisitor visitor) throws IOException {
        List<String> notes = new ArrayList<>();
        TraceVisitor noting = new TraceVisitor() {
            @Override
            public void onFile(Path file, Map<String, String> metadata) {
                visitor.onFile(file, metadata);
            }

            @Override
            public void onEvent(TraceEvent event) {
                visitor.onEvent(event);
            }

            @Override
            public void onNote(Path file, String note) {
                notes.add(file.getFileName() + ": " + note);
                visitor.onNote(file, note);
            }
        };
        Map<String, Integer> threadIds = new HashMap<>();
        long events = 0;
        long bytes = 0;
        List<Path> files = traceFiles(path);
        for (Path f : files) {
            byte[] data;
            try {
                data = load(f);
            } catch (IOException e) {
                noting.onNote(f, "unreadable, skipped: " + e);
                continue;
            }
            bytes += data.length;
            events += new FileDecoder(f, data, noting, threadIds).decode();
        }
        return new ReadResult(files.size(), events, bytes, notes);
    }

    private static byte[] load(Path f) throws IOException {
        if (f.getFileName().toString().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
                return readUpToEof(in);
            }
        }
        return Files.readAllBytes(f);
    }

    /** A gzip file cut short still yields the bytes before the cut. */
    private static byte[] readUpToEof(InputStream in) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // Truncated compressed stream: keep what was inflated; the decoder reports the cut.
        }
        return out.toByteArray();
    }

    /** Decodes one file's bytes. */
    private static final class FileDecoder {
        private final Path file;
        private final byte[] data;
        private final TraceVisitor visitor;
        private final Map<String, Integer> threadIds;
        private final boolean active;
        private int pos;

        private final Map<Integer, String> strings = new HashMap<>();
        private final Map<Integer, Schema.EventType> types = new HashMap<>();
        private final Map<Integer, int[]> threadInfo = new HashMap<>();
        private final Map<Integer, String> threadNames = new HashMap<>();
        private final Map<String, String> meta = new LinkedHashMap<>();
        private boolean announced;
        private long clockOffset;
        private boolean clockKnown;
        private long events;

        FileDecoder(Path file, byte[] data, TraceVisitor visitor, Map<String, Integer> threadIds) {
            this.file = file;
            this.data = data;
            this.visitor = visitor;
            this.threadIds = threadIds;
            this.active = file.getFileName().toString().endsWith(".active");
        }

        long decode() {
            if (data.length < 6 || !Arrays.equals(Arrays.copyOf(data, 4), Schema.MAGIC)) {
                if (data.length == 0 && active) {
                    visitor.onNote(file, "empty file (being written, or cut short before its header)");
                } else {
                    visitor.onNote(file, "not a trace file (bad magic at offset 0), skipped");
                }
                return 0;
            }
            int version = data[4] & 0xFF;
            if (version > Schema.VERSION) {
                visitor.onNote(file, "format version " + version + " is newer than this reader ("
                        + Schema.VERSION + "), skipped; use a newer reader");
                return 0;
            }
            pos = 6;
            boolean ended = false;
            while (pos < data.length) {
                int recordStart = pos;
                int tag = data[pos++] & 0xFF;
                long len = varintOrMinus1();
                if (len < 0 || pos + len > data.length) {
                    if (tag == Schema.REC_BLOCK && len >= 0 && pos < data.length) {
                        partialBlock(data.length);
                    }
                    visitor.onNote(file, "cut short inside the record at offset " + recordStart + " (file has "
                            + data.length + " bytes); read " + events + " events, up to the last whole one");
                    return events;
                }
                int end = (int) (pos + len);
                try {
                    switch (tag) {
                        case Schema.REC_SCHEMA -> schema(end);
                        case Schema.REC_STRING -> strings.put((int) varint(end), string(end));
                        case Schema.REC_META -> meta.put(string(end), string(end));
                        case Schema.REC_THREAD -> thread(end);
                        case Schema.REC_CLOCK -> clock(end);
                        case Schema.REC_BLOCK -> {
                            if (!block(recordStart, end)) {
                                return events;
                            }
                        }
                        case Schema.REC_END -> ended = true;
                        default -> {
                            // A record type from a newer writer: its length lets us step over it.
                        }
                    }
                } catch (CorruptException e) {
                    visitor.onNote(file, "corrupt at offset " + recordStart + " (" + e.getMessage()
                            + "), rest of file skipped");
                    return events;
                }
                pos = end;
            }
            if (!ended) {
                visitor.onNote(file, (active ? "still being written or cut short by a crash" : "has no end record")
                        + "; read " + events + " events up to the last whole one");
            }
            return events;
        }

        private void schema(int end) {
            int id = (int) varint(end);
            String name = string(end);
            int n = (int) varint(end);
            List<Schema.Field> fields = new ArrayList<>();
            Schema.FieldKind[] kinds = Schema.FieldKind.values();
            for (int i = 0; i < n; i++) {
                String fname = string(end);
                int kind = (int) varint(end);
                fields.add(new Schema.Field(fname, kind < kinds.length ? kinds[kind] : Schema.FieldKind.UNSIGNED));
            }
            types.put(id, new Schema.EventType(id, name, List.copyOf(fields)));
        }

        private void thread(int end) {
            int index = (int) varint(end);
            String name = string(end);
            int kind = (int) varint(end);
            String run = meta.getOrDefault("pid", "?") + "@" + meta.getOrDefault("process.started", "?");
            int id = threadIds.computeIfAbsent(run + "#" + index, k -> threadIds.size());
            threadInfo.put(index, new int[] {id, kind});
            threadNames.put(index, name);
        }

        private void clock(int end) {
            long mono = Varint.unZigZag(varint(end));
            long epoch = varint(end);
            if (!clockKnown) {
                clockOffset = epoch - mono;
                clockKnown = true;
            }
        }

        private boolean block(int recordStart, int end) {
            BlockHeader h = blockHeader(end);
            int length = end - pos;
            CRC32 crc = new CRC32();
            crc.update(data, pos, length);
            if ((int) crc.getValue() != h.crc) {
                visitor.onNote(file, "corrupt block at offset " + recordStart + " (checksum mismatch), rest of file"
                        + " skipped");
                return false;
            }
            events(h, end, false);
            return true;
        }

        private void partialBlock(int end) {
            try {
                BlockHeader h = blockHeader(end);
                events(h, end, true);
            } catch (CorruptException e) {
                // Cut inside the block header: nothing whole to read.
            }
        }

        private record BlockHeader(int thread, long base, long count, int crc) {
        }

        private BlockHeader blockHeader(int end) {
            int thread = (int) varint(end);
            long base = Varint.unZigZag(varint(end));
            long count = varint(end);
            if (pos + 4 > end) {
                throw new CorruptException("block header cut short");
            }
            int crc = ((data[pos] & 0xFF) << 24) | ((data[pos + 1] & 0xFF) << 16) | ((data[pos + 2] & 0xFF) << 8)
                    | (data[pos + 3] & 0xFF);
            pos += 4;
            return new BlockHeader(thread, base, count, crc);
        }

        private void events(BlockHeader h, int end, boolean partial) {
            if (!announced) {
                visitor.onFile(file, Map.copyOf(meta));
                announced = true;
            }
            int[] info = threadInfo.get(h.thread);
            if (info == null) {
                throw new CorruptException("block for undeclared thread " + h.thread);
            }
            String threadName = threadNames.get(h.thread);
            long ts = h.base;
            for (long i = 0; i < h.count && pos < end; i++) {
                int start = pos;
                try {
                    int typeId = data[pos++] & 0xFF;
                    Schema.EventType type = types.get(typeId);
                    if (type == null) {
                        throw new CorruptException("unknown event type " + typeId + " at offset " + start);
                    }
                    long t = ts + Varint.unZigZag(varint(end));
                    int n = type.fieldCount();
                    long[] values = new long[n];
                    String[] texts = new String[n];
                    for (int f = 0; f < n; f++) {
                        long raw = varint(end);
                        Schema.FieldKind kind = type.fields().get(f).kind();
                        if (kind == Schema.FieldKind.SIGNED) {
                            raw = Varint.unZigZag(raw);
                        } else if (kind == Schema.FieldKind.STRING) {
                            texts[f] = strings.getOrDefault((int) raw, "<string " + raw + ">");
                        } else if (kind == Schema.FieldKind.THREAD) {
                            int[] other = threadInfo.get((int) raw);
                            texts[f] = threadNames.getOrDefault((int) raw, "thread " + raw);
                            raw = other == null ? -1 : other[0];
                        }
                        values[f] = raw;
                    }
                    ts = t;
                    events++;
                    visitor.onEvent(new TraceEvent(type.name(), typeId, info[0], threadName, info[1], t,
                            clockKnown ? t + clockOffset : 0, fieldNames(type), values, texts));
                } catch (CorruptException e) {
                    if (partial) {
                        return;
                    }
                    throw e;
                }
            }
        }

        private final Map<Integer, List<String>> names = new HashMap<>();

        private List<String> fieldNames(Schema.EventType type) {
            return names.computeIfAbsent(type.id(), k -> type.fields().stream().map(Schema.Field::name).toList());
        }

        private long varintOrMinus1() {
            try {
                return varint(data.length);
            } catch (CorruptException e) {
                return -1;
            }
        }

        private long varint(int end) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new CorruptException("varint runs past its record");
                }
                byte b = data[pos++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new CorruptException("varint longer than 10 bytes");
        }

        private String string(int end) {
            long len = varint(end);
            if (len < 0 || pos + len > end) {
                throw new CorruptException("string runs past its record");
            }
            String s = new String(data, pos, (int) len, StandardCharsets.UTF_8);
            pos += (int) len;
            return s;
        }
    }

    private static final class CorruptException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptException(String message) {
            super(message, null, false, false);
        }
    }
}
