package io.covet.runtime;

import io.covet.tasks.TaskThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Every thread the runtime itself makes (the compute engine, the pools and the queues make their
 * own: {@code covet-compute-*}, {@code covet-py-*}, {@code covet-worker-*}, {@code covet-deadlines}):
 * <ul>
 *   <li>{@code covet-io-N}: a virtual thread per IO task and per HTTP exchange;</li>
 *   <li>{@code covet-compute-retire}: closes a compute engine replaced by a reconfiguration (its
 *       close waits for the kernels still running).</li>
 * </ul>
 */
final class RuntimeThreads implements AutoCloseable {

    final ExecutorService io = Executors.newThreadPerTaskExecutor(TaskThreads.virtual("covet-io-"));

    /** Runs {@code action} on a virtual thread of its own: for waits nobody should wait for. */
    void inBackground(String name, Runnable action) {
        TaskThreads.virtual(name).newThread(action).start();
    }

    @Override
    public void close() {
        io.shutdownNow();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
