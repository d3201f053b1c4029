package dev.metricsservice.store.dynamodb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A dynalite process (a DynamoDB-compatible server on Node.js) for tests: started on a free
 * loopback port, stopped by its own PID.
 *
 * <pre>{@code
 * try (DynaliteServer dynalite = DynaliteServer.start(tempDir)) {   // or start(null) for in-memory
 *     URI endpoint = dynalite.endpoint();                           // http://127.0.0.1:<port>
 *     dynalite.stop();
 *     dynalite.restart();                                           // same port, same data directory
 * }
 * }</pre>
 *
 * <p>It finds {@code tools/dynalite/node_modules/dynalite/cli.js} by walking up from the working
 * directory, and runs {@code npm ci --prefix tools/dynalite} first when the package is not
 * installed, so {@code mvn verify} needs nothing started or installed by hand except Node.js.
 * {@code node} is started directly (not through npm or a shell) so the PID kept is the server's.
 * Start-up waits, bounded, for a live process and its "Dynalite listening" line.
 *
 * <p>Not thread-safe: one test (or one extension) owns an instance. A JVM shutdown hook kills the
 * process if the owner forgets to.
 */
public final class DynaliteServer implements AutoCloseable {

    /** How long start-up may take before the test fails. */
    private static final long START_TIMEOUT_SECONDS = 30;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final long NPM_CI_TIMEOUT_SECONDS = 300;
    private static final int MAX_LOG_LINES = 200;
    private static final String NODE_HELP = "Node.js is needed to run dynalite, the DynamoDB-compatible server of the "
            + "DynamoDB store's tests. Install Node.js 18 or newer with npm (Debian/Ubuntu: 'apt-get install nodejs npm'; "
            + "others: https://nodejs.org), or run the tests against another endpoint with "
            + "-Ddynamodb.endpoint=http://host:port.";

    private final Path cliJs;
    private final Path dataDir;
    private int port;
    private Process process;
    private final Deque<String> log = new ArrayDeque<>();
    private final Thread shutdownHook = new Thread(this::killQuietly, "dynalite-shutdown-hook");

    private DynaliteServer(Path cliJs, Path dataDir) {
        this.cliJs = cliJs;
        this.dataDir = dataDir;
    }

    /**
     * Starts dynalite on a free loopback port.
     *
     * @param dataDir on-disk data directory ({@code --path}), or null to keep everything in memory
     */
    public static DynaliteServer start(Path dataDir) {
        DynaliteServer server = new DynaliteServer(locateCli(), dataDir);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        IllegalStateException last = null;
        // A free port can be taken between probing and binding; a couple of attempts make that moot.
        for (int attempt = 0; attempt < 3; attempt++) {
            server.port = freePort();
            try {
                server.launch();
                return server;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        server.close();
        throw last;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** PID of the running server process. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("dynalite is not running");
        }
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the process by its PID: a polite SIGTERM, then SIGKILL if it lingers. */
    public void stop() {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same port and data directory (data survives only with a directory). */
    public void restart() {
        stop();
        IllegalStateException last = null;
        // The port was just released by our own process; binding it again can need a moment.
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                last = e;
                sleepMillis(200);
            }
        }
        throw last;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it kills nothing twice.
        }
    }

    /** The last lines the server printed, for failure messages. */
    public synchronized String recentOutput() {
        return String.join("\n", log);
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(nodeExecutable(), cliJs.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (dataDir != null) {
            command.add("--path");
            command.add(dataDir.toString());
        }
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(NODE_HELP + " (starting '" + command.get(0) + "' failed: " + e.getMessage()
                    + ")", e);
        }
        CountDownLatch listening = new CountDownLatch(1);
        Thread reader = new Thread(() -> pump(p, listening), "dynalite-" + port + "-output");
        reader.setDaemon(true);
        reader.start();
        boolean ready;
        try {
            ready = listening.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ready = false;
        }
        if (!ready || !p.isAlive()) {
            p.destroyForcibly();
            throw new IllegalStateException("dynalite did not start on port " + port + " within "
                    + START_TIMEOUT_SECONDS + " s (alive: " + p.isAlive() + "); command: " + String.join(" ", command)
                    + "\noutput:\n" + recentOutput());
        }
        process = p;
    }

    private void pump(Process p, CountDownLatch listening) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (this) {
                    log.addLast(line);
                    if (log.size() > MAX_LOG_LINES) {
                        log.removeFirst();
                    }
                }
                if (line.contains("Dynalite listening")) {
                    listening.countDown();
                }
            }
        } catch (IOException e) {
            // The stream closes when the process dies; nothing more to read.
        }
        // Unblock start-up at once when the process dies before listening.
        listening.countDown();
    }

    private void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private static String nodeExecutable() {
        return System.getProperty("dynalite.node", "node");
    }

    /** Finds the pinned dynalite, installing it with {@code npm ci} when only the lock file is there. */
    static synchronized Path locateCli() {
        Path toolDir = findToolDir();
        Path cli = toolDir.resolve("node_modules/dynalite/cli.js");
        if (Files.isRegularFile(cli)) {
            return cli;
        }
        requireNode();
        runNpmCi(toolDir);
        if (!Files.isRegularFile(cli)) {
            throw new IllegalStateException("'npm ci --prefix " + toolDir + "' finished but " + cli + " is missing");
        }
        return cli;
    }

    private static Path findToolDir() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("tools/dynalite");
            if (Files.isRegularFile(candidate.resolve("package.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("tools/dynalite/package.json was not found in " + dir
                + " or any parent; run the tests from inside the metrics-service repository");
    }

    private static void requireNode() {
        try {
            Process p = new ProcessBuilder(nodeExecutable(), "--version").redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(NODE_HELP + " ('node --version' did not succeed)");
            }
        } catch (IOException e) {
            throw new IllegalStateException(NODE_HELP + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking for node", e);
        }
    }

    private static void runNpmCi(Path toolDir) {
        List<String> command = List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", toolDir.toString());
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(NPM_CI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within "
                        + NPM_CI_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' failed with exit code "
                        + p.exitValue() + "; run it by hand to see why (it needs the npm registry)");
            }
        } catch (IOException e) {
            throw new IllegalStateException(NODE_HELP + " (running npm failed: " + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during npm ci", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
