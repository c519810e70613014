package io.covet.interpreters;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every thread the pool makes, in one place. All are platform threads named {@code covet-py-*}:
 * <ul>
 *   <li>{@code covet-py-N}: one per interpreter, the only thread that ever enters its context;</li>
 *   <li>{@code covet-py-timer}: fires wait and run deadlines (never blocks);</li>
 *   <li>{@code covet-py-lifecycle-N}: stops timed-out interpreters, which blocks until the
 *       guest code is cancelled;</li>
 *   <li>a virtual thread per completed task ({@link #CALLBACKS}), which completes the caller's
 *       future so that the caller's callbacks never run on the threads above.</li>
 * </ul>
 * Callers may be virtual threads: they only submit and wait on futures.
 */
final class PoolThreads {

    private static final Logger LOG = Logger.getLogger(PoolThreads.class.getName());
    private static final Thread.UncaughtExceptionHandler REPORT =
            (t, e) -> LOG.log(Level.SEVERE, "uncaught exception in " + t.getName(), e);

    /** Shared by all pools and never closed: virtual threads keep neither the JVM nor a pool alive. */
    static final java.util.concurrent.Executor CALLBACKS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("covet-py-callback").uncaughtExceptionHandler(REPORT).factory());

    private final String prefix;
    private final AtomicInteger interpreterIds = new AtomicInteger();
    /** Interpreter threads that may still be alive (the dead are pruned as new ones are made). */
    private final Set<Thread> interpreterThreads = ConcurrentHashMap.newKeySet();

    PoolThreads(String prefix) {
        this.prefix = prefix;
    }

    /** The owner thread of one interpreter, started by the caller. */
    Thread interpreterThread(Runnable body) {
        interpreterThreads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
        Thread thread = Thread.ofPlatform().name(prefix + "-" + interpreterIds.getAndIncrement())
                .uncaughtExceptionHandler(REPORT).unstarted(body);
        interpreterThreads.add(thread);
        return thread;
    }

    /**
     * Waits up to {@code timeoutNanos} for every interpreter thread to end. An interpreter tells
     * the pool it has exited just before its thread returns, so without this a shut-down pool
     * could still have a thread for a moment.
     */
    void joinInterpreterThreads(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        for (Thread t : interpreterThreads) {
            if (t.getState() != Thread.State.NEW && t != Thread.currentThread()) {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        }
    }

    ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name(prefix + "-timer").daemon(true).uncaughtExceptionHandler(REPORT).factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    ExecutorService lifecycle() {
        ThreadFactory factory = Thread.ofPlatform().name(prefix + "-lifecycle-", 0).daemon(true)
                .uncaughtExceptionHandler(REPORT).factory();
        return Executors.newCachedThreadPool(factory);
    }
}
