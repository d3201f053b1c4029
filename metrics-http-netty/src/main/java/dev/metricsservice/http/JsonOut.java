package dev.metricsservice.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Shared Jackson factory and helpers that write JSON straight into a {@link ByteBuf}. */
final class JsonOut {

    /** Thread-safe once configured; one for the whole process, as Jackson recommends. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(400).build())
            // Shortest round-tripping digits (Schubfach), several times faster than JDK 17's
            // Double.toString, which a query answer of 20 windows calls 80 times.
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private JsonOut() {
    }

    /** Writes the body of an error answer. */
    static ByteBuf error(ByteBufAllocator alloc, ApiError e) {
        return write(alloc, g -> {
            g.writeStartObject();
            g.writeStringField("error", e.code());
            g.writeStringField("message", e.message());
            g.writeEndObject();
        });
    }

    /** Writes a finite number, or null for a non-finite one (JSON has no infinity). */
    static void number(JsonGenerator g, double v) throws IOException {
        if (RowsJson.isSmallWhole(v)) {
            g.writeNumber((long) v);
            g.writeRaw(".0");
        } else if (Double.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeNull();
        }
    }


    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static ByteBuf write(ByteBufAllocator alloc, Body body) {
        ByteBuf buf = alloc.buffer(128);
        try (JsonGenerator g = FACTORY.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf))) {
            body.write(g);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        return buf;
    }
}
