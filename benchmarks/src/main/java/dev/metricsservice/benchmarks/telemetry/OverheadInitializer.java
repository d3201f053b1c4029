package dev.metricsservice.benchmarks.telemetry;

import dev.metricsservice.telemetry.Telemetry;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.concurrent.atomic.LongAdder;

/** Pipeline of the benchmark server: [telemetry read handler], HTTP codec, aggregator, {@link OverheadHandler}. */
final class OverheadInitializer extends ChannelInitializer<SocketChannel> {
    private final Telemetry telemetry;
    private final LongAdder requests;

    OverheadInitializer(Telemetry telemetry, LongAdder requests) {
        this.telemetry = telemetry;
        this.requests = requests;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (telemetry != null) {
            p.addLast(telemetry.channelHandler());
        }
        p.addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new OverheadHandler(telemetry, requests));
    }
}
