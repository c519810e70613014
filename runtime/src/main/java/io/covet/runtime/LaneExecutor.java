package io.covet.runtime;

import io.covet.tasks.Deadline;
import io.covet.tasks.QueueMetrics;
import io.covet.tasks.Task;
import io.covet.tasks.TaskQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One Java lane (IO or CPU): a {@link TaskQueue} in front of a concurrency limit. A task's body
 * starts when a slot is free and returns a future; the slot is freed when that future completes,
 * and that completion starts the next waiting task, so nothing polls. Admission, deadlines,
 * cancellation, withdrawal, shutdown and metrics are the queue's; this class only starts bodies.
 * (Python work queues once, in the interpreter pool, and CPython calls in the worker pool.)
 */
final class LaneExecutor {

    /** Starts a task's work; the returned future completes when the work does. */
    @FunctionalInterface
    interface Body {
        CompletableFuture<Object> start(Deadline deadline) throws Exception;
    }

    /** dispatch() is not re-entered on one thread (a body that fails at once completes inline): {active, again}. */
    private static final ThreadLocal<boolean[]> DISPATCHING = ThreadLocal.withInitial(() -> new boolean[2]);

    final Lane lane;
    private final TaskQueue<Body> queue;
    private volatile int concurrency;

    LaneExecutor(Lane lane, int concurrency, int queueLimit) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("lane " + lane + ": concurrency must be at least 1, got " + concurrency);
        }
        this.lane = lane;
        this.concurrency = concurrency;
        this.queue = new TaskQueue<>("lane " + lane, concurrency, queueLimit);
    }

    /**
     * Accepts a task, or throws {@link io.covet.tasks.OverloadedException} if the queue is full
     * (nothing was accepted) or {@link io.covet.tasks.ClosedException} once the lane is shut down.
     */
    Task<Body> submit(Body body, Deadline deadline, String description) {
        Task<Body> task = queue.submit(body, deadline, null, description);
        dispatch();
        return task;
    }

    boolean withdraw(Task<?> task) {
        return queue.withdraw(task);
    }

    /**
     * Starts waiting tasks while there are free slots. A body whose future is already complete
     * ends inline and calls back here; that nested call only asks the outer one for another pass,
     * so a long queue of tasks failing at once cannot overflow the stack.
     */
    private void dispatch() {
        boolean[] state = DISPATCHING.get();
        if (state[0]) {
            state[1] = true;
            return;
        }
        state[0] = true;
        try {
            do {
                state[1] = false;
                dispatchOnce();
            } while (state[1]);
        } finally {
            state[0] = false;
        }
    }

    private void dispatchOnce() {
        while (true) {
            Task<Body> task;
            synchronized (this) {
                if (queue.running() >= concurrency) {
                    return;
                }
                task = queue.poll();
            }
            if (task == null) {
                return;
            }
            start(task);
        }
    }

    private void start(Task<Body> task) {
        CompletableFuture<Object> work;
        try {
            work = task.work().start(task.runDeadline());
        } catch (Exception | Error e) {
            work = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Object> started = work;
        task.onStop(t -> started.cancel(true));
        started.whenComplete((value, error) -> {
            if (error == null) {
                task.complete(value);
            } else {
                task.fail(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            }
            dispatch();
        });
    }

    void setConcurrency(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("lane " + lane + ": concurrency must be at least 1, got " + limit);
        }
        concurrency = limit;
        queue.setCapacity(limit);
        dispatch();
    }

    void setQueueLimit(int limit) {
        queue.setQueueLimit(limit);
    }

    /**
     * Stops accepting tasks and waits up to {@code graceNanos} for queued and running ones; then
     * fails those still waiting and stops those still running, telling each caller.
     */
    void shutdown(long graceNanos) {
        queue.close();
        queue.awaitQuiet(System.nanoTime() + graceNanos);
        queue.abandon(t -> new LaneUnavailableException(lane, "shut down while " + t.description()
                        + " was still waiting; it did not run"),
                t -> new LaneUnavailableException(lane, "shut down while " + t.description()
                        + " was still running; it was stopped"));
    }

    QueueMetrics metrics() {
        return queue.metrics();
    }
}
