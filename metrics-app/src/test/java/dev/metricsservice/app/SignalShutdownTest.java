package dev.metricsservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM in the middle of the load: the app, as its own process, shuts down in order and verifies. */
class SignalShutdownTest {

    @TempDir
    Path dir;

    @Test
    void sigterm_duringTheLoad_flushesVerifiesAndExits() throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(AppHarness.baseArgs(dir, "--duration", "60s"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<Void> sawLoad = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                int progressLines = 0;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith("[") && line.contains("req/s") && ++progressLines >= 2) {
                        sawLoad.complete(null);
                    }
                }
            } catch (Exception e) {
                sawLoad.completeExceptionally(e);
            }
        });
        reader.start();
        try {
            sawLoad.get(90, TimeUnit.SECONDS);
            // SIGTERM through the handle: Process.destroy() would also close our end of the
            // child's output pipe, and we want to read what it prints while shutting down.
            process.toHandle().destroy();

            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the app exits after SIGTERM").isTrue();
            reader.join(10_000);
            String text;
            synchronized (output) {
                text = output.toString();
            }
            assertThat(text).as("exit code %d", process.exitValue()).contains("final flush: stored", "VERIFIED", "report:");
            assertThat(text).doesNotContain("MISMATCH");
            // The outcome's code (0: VERIFIED), not 143 = 128 + SIGTERM.
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }
}
