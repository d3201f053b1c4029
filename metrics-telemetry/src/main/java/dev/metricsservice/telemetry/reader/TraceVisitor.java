package dev.metricsservice.telemetry.reader;

import java.nio.file.Path;
import java.util.Map;

/** Receives what {@link TraceReader} reads, in file order; within one thread, events come in recording order. */
public interface TraceVisitor {
    /** A file is about to be read; {@code metadata} holds its META records. */
    default void onFile(Path file, Map<String, String> metadata) {
    }

    void onEvent(TraceEvent event);

    /** Something worth telling the user: a truncated or corrupt file, an unknown version. */
    default void onNote(Path file, String note) {
    }
}
