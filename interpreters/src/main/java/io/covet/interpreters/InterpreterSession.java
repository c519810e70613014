package io.covet.interpreters;

import io.covet.tasks.Task;
import java.time.Duration;
import java.util.Optional;

/**
 * The interpreter a {@link HostFunction} was called from: which one, how long the task whose code
 * called it may still take (so that work it hands on inherits its deadline), and its wake-up:
 * a host function that waits for something (a sub-task) blocks with {@link #await} and whoever
 * completes that something calls {@link #wake}, which also gives the interpreter's event loop a turn.
 */
public final class InterpreterSession {

    private final int id;
    private final Interpreter interpreter;
    private final InterpreterPool pool;

    InterpreterSession(int id, Interpreter interpreter, InterpreterPool pool) {
        this.id = id;
        this.interpreter = interpreter;
        this.pool = pool;
    }

    /** A number unique among the interpreters of one pool (replacements get new numbers). */
    public int id() {
        return id;
    }

    /**
     * Time left before the run deadline of the task whose code runs now (the sync task, or the
     * loop task being resumed); empty when none runs (start-up, setups) or it has no deadline.
     * Only on the interpreter's own thread.
     */
    public Optional<Duration> remaining() {
        return currentTask().flatMap(Task::remaining);
    }

    /**
     * The task whose code runs now (the sync task, or the loop task being resumed), so that what
     * it starts can follow its deadline and its end ({@link Task#whenSettled}); empty when none runs
     * (start-up, setups). Only on the interpreter's own thread.
     */
    public Optional<Task<?>> currentTask() {
        Long tid = interpreter.currentTaskId();
        return Optional.ofNullable(tid == null ? null : pool.taskById(interpreter, tid));
    }

    /** Something this interpreter waits for happened: wakes it (any thread, never blocks). */
    public void wake() {
        pool.wake(interpreter);
    }

    /**
     * Blocks the interpreter's own thread until {@link #wake} or {@code timeout} (null: no limit);
     * true if woken. A wake that came before the call counts.
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return pool.awaitWake(interpreter, timeout == null ? Long.MAX_VALUE : Math.max(0, timeout.toNanos()));
    }

    @Override
    public String toString() {
        return "interpreter " + id;
    }
}
