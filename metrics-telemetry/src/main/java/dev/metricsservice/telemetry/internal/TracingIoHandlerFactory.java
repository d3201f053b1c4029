package dev.metricsservice.telemetry.internal;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Decorates the transport's {@link IoHandlerFactory} (NIO, epoll, io_uring alike) so each {@code IoHandler.run}
 * call is timed. The handler is given a context that asks for active-I/O reporting, so the transport itself tells
 * us how much of the round was spent processing ready channels; the rest was waiting in select/epoll_wait.
 */
final class TracingIoHandlerFactory implements IoHandlerFactory {
    private final IoHandlerFactory delegate;
    private final LoopRecorder loop;

    TracingIoHandlerFactory(IoHandlerFactory delegate, LoopRecorder loop) {
        this.delegate = delegate;
        this.loop = loop;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        return new TracingIoHandler(delegate.newHandler(executor), loop);
    }

    @Override
    public boolean isChangingThreadSupported() {
        return delegate.isChangingThreadSupported();
    }

    /** Also the context passed to the real handler; one instance per loop, so nothing is allocated per round. */
    static final class TracingIoHandler implements IoHandler, IoHandlerContext {
        private final IoHandler delegate;
        private final LoopRecorder loop;
        private IoHandlerContext context;
        private long activeNanos;

        TracingIoHandler(IoHandler delegate, LoopRecorder loop) {
            this.delegate = delegate;
            this.loop = loop;
        }

        @Override
        public int run(IoHandlerContext ctx) {
            if (!loop.enabled()) {
                loop.onIdle();
                return delegate.run(ctx);
            }
            long start = System.nanoTime();
            loop.onIdle();
            context = ctx;
            activeNanos = -1;
            int handled = delegate.run(this);
            long end = System.nanoTime();
            loop.onIo(start, end - start, activeNanos);
            return handled;
        }

        @Override
        public boolean canBlock() {
            return context.canBlock();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return context.delayNanos(currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return context.deadlineNanos();
        }

        @Override
        public void reportActiveIoTime(long activeNanos) {
            this.activeNanos = this.activeNanos < 0 ? activeNanos : this.activeNanos + activeNanos;
            if (context.shouldReportActiveIoTime()) {
                context.reportActiveIoTime(activeNanos);
            }
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return true;
        }

        @Override
        public void initialize() {
            delegate.initialize();
        }

        @Override
        public void prepareToDestroy() {
            delegate.prepareToDestroy();
        }

        @Override
        public void destroy() {
            delegate.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return delegate.register(handle);
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return delegate.isCompatible(handleType);
        }
    }
}
