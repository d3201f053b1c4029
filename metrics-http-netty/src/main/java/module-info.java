/** The HTTP API on Netty: {@code MetricsHttpServer}, its configuration and instrumentation hook. */
module dev.metricsservice.http {
    requires transitive dev.metricsservice.core;
    requires com.fasterxml.jackson.core;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires transitive io.netty.transport; // ServerInstrumentation hands out event loop groups and handlers
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;

    exports dev.metricsservice.http;
}
