package io.covet.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every thread and executor the runtime itself makes (the compute engine and the interpreter pool
 * make their own, named {@code covet-compute-*} and {@code covet-py-*}):
 * <ul>
 *   <li>{@code covet-io-N}: a virtual thread per IO task and per HTTP exchange;</li>
 *   <li>{@code covet-lane-timer}: deadlines of every lane (never blocks).</li>
 * </ul>
 */
final class RuntimeThreads implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RuntimeThreads.class.getName());
    private static final Thread.UncaughtExceptionHandler REPORT =
            (t, e) -> LOG.log(Level.SEVERE, "uncaught exception in " + t.getName(), e);

    final ExecutorService io = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("covet-io-", 0).uncaughtExceptionHandler(REPORT).factory());
    final ScheduledThreadPoolExecutor timer;

    RuntimeThreads() {
        timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("covet-lane-timer").daemon(true).uncaughtExceptionHandler(REPORT).factory());
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void close() {
        io.shutdownNow();
        timer.shutdownNow();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
