package dev.metricsservice.telemetry.internal;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * A {@link MultiThreadIoEventLoopGroup} whose loops record their I/O rounds and tasks. Behaves like the plain
 * group for everything else (same transport, same chooser, same shutdown).
 */
public final class TracedEventLoopGroup extends MultiThreadIoEventLoopGroup {

    public TracedEventLoopGroup(int threads, ThreadFactory threadFactory, IoHandlerFactory ioHandlerFactory,
                                Recorder recorder, int taskQueueCapacity) {
        // newChild runs inside the super constructor, before this class's fields exist, so the recorder travels
        // in the args array Netty provides for exactly that.
        super(threads, threadFactory, ioHandlerFactory, recorder, taskQueueCapacity);
    }

    @Override
    protected IoEventLoop newChild(Executor executor, IoHandlerFactory ioHandlerFactory, Object... args) {
        Recorder recorder = (Recorder) args[0];
        int capacity = (Integer) args[1];
        LoopRecorder loop = new LoopRecorder(recorder);
        TimedTaskQueue queue = new TimedTaskQueue(capacity, loop);
        loop.attach(queue);
        recorder.addLoop(loop);
        return new TracedEventLoop(this, executor, new TracingIoHandlerFactory(ioHandlerFactory, loop), queue, loop);
    }

    /** One traced loop; {@link ReadHandler} finds the loop's recorder through it without a ThreadLocal. */
    static final class TracedEventLoop extends SingleThreadIoEventLoop {
        final LoopRecorder loop;

        TracedEventLoop(IoEventLoopGroup parent, Executor executor, IoHandlerFactory factory, TimedTaskQueue queue,
                        LoopRecorder loop) {
            super(parent, executor, factory, queue, newTaskQueue0(Integer.MAX_VALUE),
                    RejectedExecutionHandlers.reject());
            this.loop = loop;
        }
    }
}
