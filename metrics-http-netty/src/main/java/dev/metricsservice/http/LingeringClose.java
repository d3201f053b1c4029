package dev.metricsservice.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after its last answer without losing that answer. Closing a socket that
 * still has unread request bytes makes the kernel send a reset, and a reset can destroy the
 * answer before the client reads it. So the write side is shut down first (the client sees the
 * end of the answer), input keeps being read and dropped until the client closes, and the
 * connection is closed for good after {@link #LINGER_MILLIS} at the latest.
 */
final class LingeringClose {

    static final long LINGER_MILLIS = 2000;

    private LingeringClose() {
    }

    /** Once {@code written} completes, shuts output down and closes within the linger time. */
    static void after(ChannelFuture written) {
        written.addListener(f -> {
            Channel ch = written.channel();
            if (!(ch instanceof DuplexChannel duplex) || !f.isSuccess() || !ch.isActive()) {
                ch.close();
                return;
            }
            duplex.shutdownOutput().addListener(shut -> {
                if (!shut.isSuccess()) {
                    ch.close();
                    return;
                }
                ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> {
                    ch.close();
                }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
                ch.closeFuture().addListener(c -> deadline.cancel(false));
                ch.config().setAutoRead(true); // read and drop until the client closes its side
            });
        });
    }
}
