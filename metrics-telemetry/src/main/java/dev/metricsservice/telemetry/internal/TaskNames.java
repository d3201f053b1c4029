package dev.metricsservice.telemetry.internal;

import java.lang.reflect.Field;

/**
 * Finds the user's runnable inside Netty's wrappers ({@code PromiseTask}, {@code ScheduledFutureTask} and their
 * {@code RunnableAdapter}), so a trace names {@code FlushTimer} rather than {@code ScheduledFutureTask}. Best
 * effort: if the fields cannot be opened (a future Netty renames them) tasks are named by their own class.
 * Field reads of references do not allocate.
 */
final class TaskNames {
    private static final Class<?> PROMISE_TASK = load("io.netty.util.concurrent.PromiseTask");
    private static final Field PROMISE_TASK_FIELD = field(PROMISE_TASK, "task");
    private static final Class<?> ADAPTER = load("io.netty.util.concurrent.PromiseTask$RunnableAdapter");
    private static final Field ADAPTER_FIELD = field(ADAPTER, "task");

    private TaskNames() {
    }

    static Object unwrap(Runnable task) {
        Object t = task;
        try {
            if (PROMISE_TASK_FIELD != null && PROMISE_TASK.isInstance(t)) {
                Object inner = PROMISE_TASK_FIELD.get(t);
                if (inner != null) {
                    t = inner;
                }
                if (ADAPTER_FIELD != null && ADAPTER.isInstance(t)) {
                    Object r = ADAPTER_FIELD.get(t);
                    if (r != null) {
                        t = r;
                    }
                }
            }
        } catch (IllegalAccessException e) {
            return task;
        }
        return t;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, TaskNames.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static Field field(Class<?> owner, String name) {
        if (owner == null) {
            return null;
        }
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
