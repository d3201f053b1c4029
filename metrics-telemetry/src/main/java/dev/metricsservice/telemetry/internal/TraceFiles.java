package dev.metricsservice.telemetry.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * The rotating file set in one directory: {@code trace.N.bin.active} while written, {@code trace.N.bin} (or
 * {@code trace.N.bin.gz}) once sealed. Files already present at start-up, including {@code .active} files left by
 * a crash, count towards the total and are evicted first (lowest N first). Writer thread only.
 */
final class TraceFiles {
    static final Pattern NAME = Pattern.compile("trace\\.(\\d+)\\.bin(\\.gz|\\.active)?");

    private final Path dir;
    private final long maxTotalBytes;
    private final boolean gzip;
    /** Files other than the current one, by number, with their sizes. */
    private final TreeMap<Long, Path> others = new TreeMap<>();
    private final TreeMap<Long, Long> otherSizes = new TreeMap<>();
    private long othersBytes;

    private long number = -1;
    private Path current;
    private OutputStream out;
    private long currentBytes;
    private long evicted;
    private long sealed;

    TraceFiles(Path dir, long maxTotalBytes, boolean gzip) {
        this.dir = dir;
        this.maxTotalBytes = maxTotalBytes;
        this.gzip = gzip;
    }

    /** Scans the directory and returns the number the next file will get. */
    void scan() throws IOException {
        Files.createDirectories(dir);
        long max = -1;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    long n = Long.parseLong(m.group(1));
                    Path previous = others.get(n);
                    if (previous != null) {
                        // trace.N.bin beside trace.N.bin.gz: a compression cut short; the plain file is complete.
                        Path partial = p.toString().endsWith(".gz") ? p : previous;
                        Path keep = partial == p ? previous : p;
                        Files.deleteIfExists(partial);
                        othersBytes -= otherSizes.remove(n);
                        p = keep;
                    }
                    long size = Files.size(p);
                    others.put(n, p);
                    otherSizes.put(n, size);
                    othersBytes += size;
                    max = Math.max(max, n);
                }
            }
        }
        number = max;
    }

    /** Opens {@code trace.(N+1).bin.active}. */
    void startNext() throws IOException {
        number++;
        current = dir.resolve("trace." + number + ".bin.active");
        // Buffered so a drain's records become one write; flush() pushes them out after each drain, so a
        // reader of the .active file (and a crash) loses at most the drain in progress.
        out = new BufferedOutputStream(Files.newOutputStream(current, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
        currentBytes = 0;
        evict();
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        currentBytes += length;
    }

    void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /** Closes the current file and renames (and optionally compresses) it. */
    void seal() throws IOException {
        if (out == null) {
            return;
        }
        out.close();
        out = null;
        Path sealedPath = dir.resolve("trace." + number + ".bin");
        Files.move(current, sealedPath, StandardCopyOption.ATOMIC_MOVE);
        if (gzip) {
            sealedPath = compress(sealedPath);
        }
        long size = Files.size(sealedPath);
        others.put(number, sealedPath);
        otherSizes.put(number, size);
        othersBytes += size;
        current = null;
        currentBytes = 0;
        sealed++;
        evict();
    }

    private Path compress(Path plain) throws IOException {
        Path tmp = dir.resolve(plain.getFileName() + ".gz.tmp");
        Path gz = dir.resolve(plain.getFileName() + ".gz");
        try (InputStream in = Files.newInputStream(plain);
             OutputStream o = new GZIPOutputStream(Files.newOutputStream(tmp), 65536)) {
            in.transferTo(o);
        }
        Files.move(tmp, gz, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(plain);
        return gz;
    }

    /** Deletes the oldest other files while the directory's total exceeds the cap. */
    private void evict() throws IOException {
        while (othersBytes + currentBytes > maxTotalBytes && !others.isEmpty()) {
            Map.Entry<Long, Path> oldest = others.pollFirstEntry();
            othersBytes -= otherSizes.remove(oldest.getKey());
            Files.deleteIfExists(oldest.getValue());
            evicted++;
        }
    }

    long currentBytes() {
        return currentBytes;
    }

    long number() {
        return number;
    }

    long totalBytes() {
        return othersBytes + currentBytes;
    }

    long evictedFiles() {
        return evicted;
    }

    long sealedFiles() {
        return sealed;
    }

    Path dir() {
        return dir;
    }

    /** Best-effort close after a failure; the file keeps its .active name. */
    void abandon() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // The disk already failed; the writer has reported that once.
            }
            out = null;
        }
    }
}
