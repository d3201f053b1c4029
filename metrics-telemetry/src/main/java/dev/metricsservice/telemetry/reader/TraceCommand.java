package dev.metricsservice.telemetry.reader;

import dev.metricsservice.core.units.Units;
import java.time.Duration;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reader command: {@code java -jar metrics-telemetry.jar summary|export|dump DIR [options]}.
 *
 * <pre>
 *   summary DIR [--threshold D]      text summary; blocked-loop warnings above D (default 10ms;
 *                                    durations as everywhere in the project: 1ms, 0.5s, 2s)
 *   export  DIR [--out FILE]         Chrome trace-event JSON (Perfetto, chrome://tracing); stdout by default
 *   dump    DIR [--out FILE]         one JSON object per event per line
 * </pre>
 * Exit status: 0 done, 1 no trace files found or unreadable directory, 2 usage error.
 */
public final class TraceCommand {
    private TraceCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (java.util.Arrays.asList(args).contains("--version")) {
            out.println(dev.metricsservice.core.Version.line("metrics-telemetry"));
            return 0;
        }
        if (args.length < 2) {
            return usage(err, "expected a command and a directory");
        }
        String command = args[0];
        Path dir = Path.of(args[1]);
        Duration threshold = Duration.ofMillis(10);
        Path outFile = null;
        List<String> rest = new ArrayList<>(List.of(args).subList(2, args.length));
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (i + 1 >= rest.size()) {
                return usage(err, "option " + a + " needs a value");
            }
            String value = rest.get(++i);
            switch (a) {
                case "--threshold" -> {
                    try {
                        threshold = Units.parseDuration(value);
                    } catch (IllegalArgumentException e) {
                        return usage(err, "--threshold: " + e.getMessage());
                    }
                }
                case "--out" -> outFile = Path.of(value);
                default -> {
                    return usage(err, "unknown option " + a);
                }
            }
        }
        try {
            if (!Files.exists(dir)) {
                err.println("error: " + dir + " does not exist");
                return 1;
            }
            if (TraceReader.traceFiles(dir).isEmpty()) {
                err.println("error: no trace files (trace.N.bin, trace.N.bin.gz, trace.N.bin.active) in " + dir);
                return 1;
            }
            switch (command) {
                case "summary" -> {
                    TraceSummary s = new TraceSummary(threshold.toNanos());
                    TraceReader.ReadResult r = TraceReader.read(dir, s);
                    out.print(s.render());
                    out.printf("Files: %d, %,d bytes, %.2f bytes/event%n", r.files(), r.bytes(),
                            r.events() == 0 ? 0.0 : (double) r.bytes() / r.events());
                }
                case "export", "dump" -> {
                    TraceReader.ReadResult r;
                    try (OutputStream o = outFile == null ? nonClosing(out)
                            : new BufferedOutputStream(Files.newOutputStream(outFile), 1 << 16)) {
                        r = command.equals("export") ? ChromeTraceExport.write(dir, o) : JsonLinesDump.write(dir, o);
                    }
                    for (String n : r.notes()) {
                        err.println("note: " + n);
                    }
                    err.printf("%s: %,d events from %d files%s%n", command, r.events(), r.files(),
                            outFile == null ? "" : " written to " + outFile);
                }
                default -> {
                    return usage(err, "unknown command " + command);
                }
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("error: " + e);
            return 1;
        }
    }

    private static OutputStream nonClosing(PrintStream out) {
        return new BufferedOutputStream(out, 1 << 16) {
            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static int usage(PrintStream err, String problem) {
        err.println("error: " + problem);
        err.println("usage: java -jar metrics-telemetry.jar summary|export|dump DIR [--threshold DURATION] [--out FILE] | --version");
        return 2;
    }
}
