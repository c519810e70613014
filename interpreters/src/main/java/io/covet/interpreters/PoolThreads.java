package io.covet.interpreters;

import io.covet.tasks.TaskThreads;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread the pool makes, in one place. All are platform threads named {@code covet-py-*}:
 * <ul>
 *   <li>{@code covet-py-N}: one per interpreter, the only thread that ever enters its context;</li>
 *   <li>{@code covet-py-timer}: recycling by age, start retries, checks on cancelled loop tasks
 *       (never blocks; task deadlines fire on {@link TaskThreads}' shared deadline thread);</li>
 *   <li>{@code covet-py-lifecycle-N}: stops interpreters, which blocks until the guest code is
 *       cancelled;</li>
 *   <li>{@code covet-py-compiler}: writes the bytecode cache ({@link BytecodeCache}).</li>
 * </ul>
 * Callers may be virtual threads: they only submit and wait. Futures are completed on
 * {@link TaskThreads}' callback threads, never on these.
 */
final class PoolThreads {

    private final String prefix;
    private final AtomicInteger interpreterIds = new AtomicInteger();
    /** Threads made here that may still be alive (the dead are pruned as new ones are made). */
    private final Set<Thread> made = ConcurrentHashMap.newKeySet();

    PoolThreads(String prefix) {
        this.prefix = prefix;
    }

    /** The owner thread of one interpreter, started by the caller. */
    Thread interpreterThread(Runnable body) {
        return tracked(TaskThreads.platform(prefix + "-" + interpreterIds.getAndIncrement(), false)).newThread(body);
    }

    /**
     * Waits up to {@code timeoutNanos} for every thread made here to end. An interpreter tells
     * the pool it has exited just before its thread returns, and an executor is terminated just
     * before its last thread returns, so without this a shut-down pool could still have a thread
     * for a moment.
     */
    void joinAll(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        for (Thread t : made) {
            if (t.getState() != Thread.State.NEW && t != Thread.currentThread()) {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        }
    }

    ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, tracked(TaskThreads.platform(prefix + "-timer", true)));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    ExecutorService compiler() {
        return Executors.newSingleThreadExecutor(tracked(TaskThreads.platform(prefix + "-compiler", true)));
    }

    ExecutorService lifecycle() {
        return Executors.newCachedThreadPool(tracked(TaskThreads.platform(prefix + "-lifecycle-", true)));
    }

    /** {@code factory}, with every thread it makes remembered for {@link #joinAll}. */
    private ThreadFactory tracked(ThreadFactory factory) {
        return body -> {
            made.removeIf(t -> t.getState() == Thread.State.TERMINATED);
            Thread thread = factory.newThread(body);
            made.add(thread);
            return thread;
        };
    }
}
