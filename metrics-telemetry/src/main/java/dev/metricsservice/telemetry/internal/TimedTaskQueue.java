package dev.metricsservice.telemetry.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractQueue;
import java.util.Iterator;

/**
 * The task queue of a traced event loop: a bounded multi-producer single-consumer array queue that keeps, beside
 * each task, the time it was submitted, so the loop can record the submit-to-start delay without wrapping (and
 * allocating for) every task.
 *
 * <p>Producers claim a slot by CAS on {@code producerIndex}, write the timestamp with a plain store, then publish
 * the task with a release store; the consumer's acquire load of the task therefore also sees the timestamp. The
 * consumer frees a slot by nulling it and then releasing {@code consumerIndex}, which producers acquire before
 * reusing the slot. When the queue is full {@link #offer} returns false and Netty rejects the task, exactly as it
 * does with a bounded {@code maxPendingTasks}; the capacity is configurable.
 *
 * <p>{@code remove(Object)} and iteration are unsupported; Netty tolerates that (it catches the exception when it
 * tries to withdraw a task after shutdown).
 */
final class TimedTaskQueue extends AbstractQueue<Runnable> {
    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle CONSUMER_INDEX;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Runnable[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER_INDEX = l.findVarHandle(TimedTaskQueue.class, "producerIndex", long.class);
            CONSUMER_INDEX = l.findVarHandle(TimedTaskQueue.class, "consumerIndex", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Runnable[] tasks;
    private final long[] submitNanos;
    private final int mask;
    private final LoopRecorder loop;

    @SuppressWarnings("unused") // accessed through PRODUCER_INDEX
    private volatile long producerIndex;
    @SuppressWarnings("unused") // accessed through CONSUMER_INDEX
    private volatile long consumerIndex;

    TimedTaskQueue(int capacity, LoopRecorder loop) {
        if (Integer.bitCount(capacity) != 1 || capacity < 16) {
            throw new IllegalArgumentException("task queue capacity must be a power of two >= 16, was " + capacity);
        }
        this.tasks = new Runnable[capacity];
        this.submitNanos = new long[capacity];
        this.mask = capacity - 1;
        this.loop = loop;
    }

    @Override
    public boolean offer(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        long p;
        do {
            p = (long) PRODUCER_INDEX.getVolatile(this);
            if (p - (long) CONSUMER_INDEX.getAcquire(this) >= tasks.length) {
                return false;
            }
        } while (!PRODUCER_INDEX.compareAndSet(this, p, p + 1));
        int slot = (int) p & mask;
        submitNanos[slot] = loop.enabled() ? System.nanoTime() : 0L;
        SLOTS.setRelease(tasks, slot, task);
        return true;
    }

    @Override
    public Runnable poll() {
        long c = (long) CONSUMER_INDEX.getOpaque(this);
        int slot = (int) c & mask;
        Runnable task = (Runnable) SLOTS.getAcquire(tasks, slot);
        if (task == null) {
            if (c == (long) PRODUCER_INDEX.getVolatile(this)) {
                loop.onIdle();
                return null;
            }
            // A producer has claimed the slot but not yet published; it is between two of its own statements.
            do {
                Thread.onSpinWait();
                task = (Runnable) SLOTS.getAcquire(tasks, slot);
            } while (task == null);
        }
        long submitted = submitNanos[slot];
        SLOTS.setOpaque(tasks, slot, null);
        CONSUMER_INDEX.setRelease(this, c + 1);
        loop.onTaskPolled(task, submitted);
        return task;
    }

    @Override
    public Runnable peek() {
        long c = (long) CONSUMER_INDEX.getOpaque(this);
        int slot = (int) c & mask;
        Runnable task = (Runnable) SLOTS.getAcquire(tasks, slot);
        while (task == null && c != (long) PRODUCER_INDEX.getVolatile(this)) {
            Thread.onSpinWait();
            task = (Runnable) SLOTS.getAcquire(tasks, slot);
        }
        return task;
    }

    @Override
    public int size() {
        long c = (long) CONSUMER_INDEX.getVolatile(this);
        long p = (long) PRODUCER_INDEX.getVolatile(this);
        return (int) Math.max(0, Math.min(tasks.length, p - c));
    }

    @Override
    public boolean isEmpty() {
        return (long) CONSUMER_INDEX.getVolatile(this) == (long) PRODUCER_INDEX.getVolatile(this);
    }

    @Override
    public Iterator<Runnable> iterator() {
        throw new UnsupportedOperationException("the traced task queue cannot be iterated");
    }
}
