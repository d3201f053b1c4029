package dev.metricsservice.telemetry.internal;

/**
 * Records one event loop's activity. Every method except {@link #pendingTasks()} and {@link #threadIndex()} runs
 * on the loop's own thread, so the open-task state is plain fields.
 *
 * <p>A task's start is seen when the loop polls it from the {@link TimedTaskQueue}; its end is the next poll, an
 * empty poll, or the loop going back to I/O, whichever comes first. Netty does nothing between running a task and
 * polling the next except bookkeeping, so the error is a few nanoseconds.
 */
public final class LoopRecorder {
    private final Recorder recorder;
    private TimedTaskQueue queue;
    private ThreadBuffer buffer;
    /** Thread index, published for the writer's queue-depth sampling; -1 until the loop thread records. */
    private volatile int threadIndex = -1;

    private boolean taskOpen;
    private long taskStartNanos;
    private int taskId;

    LoopRecorder(Recorder recorder) {
        this.recorder = recorder;
    }

    void attach(TimedTaskQueue queue) {
        this.queue = queue;
    }

    boolean enabled() {
        return recorder.enabled;
    }

    /** The loop thread's buffer; call only on the loop thread. */
    ThreadBuffer buffer() {
        ThreadBuffer b = buffer;
        if (b == null) {
            b = recorder.register(Schema.THREAD_EVENT_LOOP);
            buffer = b;
            threadIndex = b.index;
        }
        return b;
    }

    int threadIndex() {
        return threadIndex;
    }

    /** True once the loop's thread has recorded and then ended (the group was shut down). Writer thread. */
    boolean terminated() {
        // The volatile read of threadIndex orders the read of buffer after its publication.
        return threadIndex >= 0 && !buffer.thread.isAlive();
    }

    int pendingTasks() {
        return queue == null ? 0 : queue.size();
    }

    void onTaskPolled(Runnable task, long submitNanos) {
        if (!recorder.enabled) {
            taskOpen = false;
            return;
        }
        long now = System.nanoTime();
        ThreadBuffer b = buffer();
        if (taskOpen) {
            endTask(b, now);
        }
        int id = recorder.strings.internClass(TaskNames.unwrap(task).getClass());
        if (b.begin(Schema.TASK_START, now)) {
            b.putUnsigned(id);
            b.putUnsigned(submitNanos == 0 ? 0 : Math.max(0, now - submitNanos));
            b.commit();
        }
        taskOpen = true;
        taskStartNanos = now;
        taskId = id;
    }

    /** An empty poll or the start of an I/O round: the running task, if any, has finished. */
    void onIdle() {
        if (taskOpen) {
            if (recorder.enabled) {
                endTask(buffer(), System.nanoTime());
            } else {
                taskOpen = false;
            }
        }
    }

    private void endTask(ThreadBuffer b, long now) {
        taskOpen = false;
        if (b.begin(Schema.TASK_END, now)) {
            b.commit();
        }
        if (JfrBridge.recording) {
            JfrBridge.task(recorder.strings.get(taskId), now - taskStartNanos);
        }
    }

    void onIo(long startNanos, long durationNanos, long activeNanos) {
        ThreadBuffer b = buffer();
        b.totals.addIo(durationNanos, activeNanos);
        long busy = activeNanos >= 0 ? activeNanos : durationNanos;
        if ((busy >= Recorder.DETAIL_THRESHOLD_NANOS || b.totals.sampled()) && b.begin(Schema.IO, startNanos)) {
            b.putUnsigned(durationNanos);
            b.putSigned(activeNanos);
            b.commit();
        }
    }
}
