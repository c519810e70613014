package io.covet.interpreters;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A task the pool accepted, with its caller's future. Its state only moves forward, by
 * compare-and-set, so exactly one of "ran to the end", "timed out" and "shut down" completes the
 * future, however the threads race.
 */
final class PendingTask {

    enum State { QUEUED, RUNNING, DONE }

    /** What {@link InterpreterPool#nextTask} returns to an interpreter that has setups to run first. */
    static final PendingTask SETUP = new PendingTask(PythonTask.eval("None"), Duration.ZERO);

    final PythonTask task;
    final CompletableFuture<Object> future = new CompletableFuture<>();
    final Duration runLimit;
    final long submittedNanos = System.nanoTime();
    private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
    volatile long startedNanos;
    volatile Interpreter interpreter;
    volatile ScheduledFuture<?> deadline;

    PendingTask(PythonTask task, Duration runLimit) {
        this.task = task;
        this.runLimit = runLimit;
    }

    /** QUEUED -> RUNNING in {@code owner}; false if it already timed out or was cancelled. */
    boolean start(Interpreter owner) {
        if (!state.compareAndSet(State.QUEUED, State.RUNNING)) {
            return false;
        }
        interpreter = owner;
        startedNanos = System.nanoTime();
        cancelDeadline();
        return true;
    }

    /** Claims the right to complete the future from {@code from}; false if someone else did first. */
    boolean finish(State from) {
        if (!state.compareAndSet(from, State.DONE)) {
            return false;
        }
        cancelDeadline();
        return true;
    }

    /**
     * Completes the caller's future off the calling thread: callbacks a caller chained on it with
     * non-async methods would otherwise run on an interpreter's or the timer's thread, where a
     * blocking one could stall the pool (or deadlock it, calling back into a pool of one).
     */
    void succeed(Object value) {
        PoolThreads.CALLBACKS.execute(() -> future.complete(value));
    }

    void fail(Throwable failure) {
        PoolThreads.CALLBACKS.execute(() -> future.completeExceptionally(failure));
    }

    State state() {
        return state.get();
    }

    void cancelDeadline() {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
    }
}
