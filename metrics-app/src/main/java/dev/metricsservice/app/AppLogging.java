package dev.metricsservice.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Sets the app's logging from {@code --log-format} and {@code --log-level}: Logback, one console
 * appender on stderr (stdout carries only the demo's report), text lines or JSON objects
 * ({@link JsonLineEncoder}). The AWS SDK and Netty log at WARN unless the level asked for is
 * debug or trace. Called once, before the app starts.
 */
final class AppLogging {

    private AppLogging() {
    }

    static void configure(AppConfig.LogFormat format, String level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J backend on the class path (an embedder's): leave it alone
        }
        ctx.reset();
        Encoder<ILoggingEvent> encoder;
        if (format == AppConfig.LogFormat.JSON) {
            encoder = new JsonLineEncoder();
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
            encoder = text;
        }
        encoder.setContext(ctx);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        Level rootLevel = Level.toLevel(level, Level.INFO);
        root.setLevel(rootLevel);
        if (!rootLevel.isGreaterOrEqual(Level.INFO)) {
            return; // debug or trace: the libraries' details are what was asked for
        }
        ctx.getLogger("software.amazon").setLevel(Level.WARN);
        ctx.getLogger("io.netty").setLevel(Level.WARN);
    }
}
