package dev.metricsservice.telemetry.reader;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes every event as one JSON object per line: {@code type}, {@code thread}, {@code ts} (monotonic ns),
 * {@code time} (ISO-8601 wall clock) and the event's own fields by name (strings resolved).
 * Thread-safety: one dump per call.
 */
public final class JsonLinesDump {
    private JsonLinesDump() {
    }

    public static TraceReader.ReadResult write(Path path, OutputStream out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setRootValueSeparator(new SerializedString("\n"));
            try {
                TraceReader.ReadResult r = TraceReader.read(path, e -> {
                    try {
                        g.writeStartObject();
                        g.writeStringField("type", e.type());
                        g.writeStringField("thread", e.threadName());
                        g.writeNumberField("threadId", e.threadId());
                        g.writeNumberField("ts", e.timestampNanos());
                        g.writeStringField("time", Instant.ofEpochSecond(0, e.epochNanos()).toString());
                        for (int i = 0; i < e.fieldNames().size(); i++) {
                            if (e.texts()[i] != null) {
                                g.writeStringField(e.fieldNames().get(i), e.texts()[i]);
                            } else {
                                g.writeNumberField(e.fieldNames().get(i), e.values()[i]);
                            }
                        }
                        g.writeEndObject();
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
                g.writeRaw('\n');
                return r;
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }
}
