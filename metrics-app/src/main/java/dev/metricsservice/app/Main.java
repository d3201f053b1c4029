package dev.metricsservice.app;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Entry point: {@code java -jar metrics-app.jar [run|serve] [--option value]...}; {@code --help}
 * lists the options.
 *
 * <p>Exit codes: 0 success (demo VERIFIED), 1 verification failed or the final flush failed,
 * 2 bad configuration, 3 failed to start.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        configureLogging();
        int code = run(args, System.out, System.err);
        if (!shuttingDown) {
            System.exit(code);
        }
        // When a signal started the JVM's shutdown, System.exit would wait for the hooks forever;
        // returning lets the JVM finish the exit the signal began.
    }

    private static volatile boolean shuttingDown;

    static int run(String[] args, PrintStream out, PrintStream err) {
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
                finished.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "metrics-app-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (config.serveOnly()) {
                boolean ok = app.serveUntilStopped().succeeded();
                app.close();
                return ok ? 0 : 1;
            }
            MetricsApp.DemoOutcome outcome = app.runDemo();
            return outcome.verified() ? 0 : 1;
        } catch (Exception e) {
            err.println("metrics-app: " + e);
            app.close();
            return 1;
        } finally {
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

    private static void configureLogging() {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.log.software.amazon", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.netty", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
