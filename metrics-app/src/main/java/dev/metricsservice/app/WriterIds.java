package dev.metricsservice.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The writer id kept beside a write-ahead log: replay must write under the id of the process that
 * logged the samples, or its stored items and the replayed ones would both count.
 */
final class WriterIds {

    static final String FILE = "writer-id";

    private WriterIds() {
    }

    /**
     * The log's writer id: the one in {@code walDir/writer-id}, or, for a new log, {@code requested}
     * (or a random one), written there durably first.
     *
     * @throws IOException if the file cannot be read or written, or names another id than {@code requested}
     */
    static String forLog(Path walDir, String requested) throws IOException {
        Path file = walDir.resolve(FILE);
        if (Files.exists(file)) {
            String kept = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (requested != null && !requested.equals(kept)) {
                throw new IOException("--writer-id " + requested + " differs from the id '" + kept + "' kept in " + file
                        + " for the samples in that write-ahead log; drop --writer-id, or give this instance its own"
                        + " --wal-dir");
            }
            return kept;
        }
        String id = requested != null ? requested : "w-" + UUID.randomUUID().toString().substring(0, 13);
        Path tmp = walDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }
}
