package dev.metricsservice.app;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Entry point: {@code java -jar metrics-app.jar [run|serve] [--option value]...}; {@code --help}
 * lists the options.
 *
 * <p>Exit codes: 0 success (demo VERIFIED; or served and stopped, with the final flush done or,
 * with the write-ahead log, left in the log), 1 verification failed or the final flush failed
 * without a log, 2 bad configuration, 3 failed to start. The same after SIGTERM or SIGINT.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (!shuttingDown) {
            System.exit(code);
        }
        // When a signal started the JVM's shutdown, System.exit would wait for the hooks forever;
        // returning lets the JVM finish the exit the signal began.
    }

    private static volatile boolean shuttingDown;
    /** The outcome, for the signal hook to exit with. */
    private static volatile int exitCode = 1;

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--version")) {
            out.println(dev.metricsservice.core.Version.line("metrics-app"));
            return 0;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(AppConfig.help());
            return 0;
        }
        AppConfig config;
        try {
            config = AppConfig.parse(args, System.getenv());
        } catch (AppConfig.ConfigException e) {
            err.println("metrics-app: " + e.getMessage());
            return 2;
        }
        AppLogging.configure(config.logFormat(), config.logLevel());
        MetricsApp app;
        try {
            app = MetricsApp.start(config, out);
        } catch (Exception e) {
            err.println("metrics-app: could not start: " + e.getMessage());
            return 3;
        }
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            shuttingDown = true;
            app.requestStop();
            try {
                // Keep the JVM alive until the orderly shutdown (final flush, report) is done.
                if (finished.await(2, TimeUnit.MINUTES)) {
                    // Exit with the outcome (0 after an orderly stop) instead of 128 + the signal:
                    // everything is closed, so no other hook has work left.
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(exitCode);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "metrics-app-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = 1;
        try {
            if (config.serveOnly()) {
                // With the WAL a failed final flush loses nothing: the next start writes it.
                boolean ok = app.serveUntilStopped().succeeded() || app.durable();
                app.close();
                code = ok ? 0 : 1;
            } else {
                MetricsApp.DemoOutcome outcome = app.runDemo();
                code = outcome.verified() ? 0 : 1;
            }
            return code;
        } catch (Exception e) {
            err.println("metrics-app: " + e);
            app.close();
            return 1;
        } finally {
            exitCode = code;
            finished.countDown();
            if (!shuttingDown) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException alreadyExiting) {
                    // the JVM began exiting meanwhile; the hook will find 'finished' counted down
                }
            }
        }
    }

}
