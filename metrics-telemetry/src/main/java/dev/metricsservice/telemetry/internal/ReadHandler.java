package dev.metricsservice.telemetry.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;

/**
 * Head-of-pipeline handler that times each channel read through the rest of the pipeline (decoding and the
 * application handler run synchronously inside {@code fireChannelRead}) and names it after the pipeline's last
 * handler. It never touches the message beyond reading its size, so reference counts are unchanged.
 */
@ChannelHandler.Sharable
public final class ReadHandler extends ChannelInboundHandlerAdapter {
    private final Recorder recorder;

    public ReadHandler(Recorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!recorder.enabled) {
            ctx.fireChannelRead(msg);
            return;
        }
        long bytes = msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes()
                : msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content().readableBytes() : -1;
        long start = System.nanoTime();
        ctx.fireChannelRead(msg);
        long duration = System.nanoTime() - start;
        EventExecutor executor = ctx.executor();
        // A traced loop's buffer is cached on its recorder; other threads look theirs up.
        ThreadBuffer b = executor instanceof TracedEventLoopGroup.TracedEventLoop t ? t.loop.buffer() : recorder.buffer();
        b.totals.addRead(duration, bytes);
        boolean detail = duration >= Recorder.DETAIL_THRESHOLD_NANOS || b.totals.sampled();
        if (!detail && !JfrBridge.recording) {
            return; // counted; the handler's name is only looked up for what is written
        }
        ChannelHandler last = ctx.pipeline().last();
        int handlerId = recorder.strings.internClass(last == null ? ReadHandler.class : last.getClass());
        if (detail && b.begin(Schema.CHANNEL_READ, start)) {
            b.putUnsigned(duration);
            b.putUnsigned(handlerId);
            b.putSigned(bytes);
            b.commit();
        }
        if (JfrBridge.recording) {
            JfrBridge.channelRead(recorder.strings.get(handlerId), bytes, duration);
        }
    }
}
