package io.covet.interpreters;

import java.time.Duration;
import java.util.Optional;

/**
 * The interpreter a {@link HostFunction} was called from: which one, and how long the task it is
 * running may still take, so that work it hands on can inherit its deadline.
 */
public final class InterpreterSession {

    private final int id;
    private final Interpreter interpreter;

    InterpreterSession(int id, Interpreter interpreter) {
        this.id = id;
        this.interpreter = interpreter;
    }

    /** A number unique among the interpreters of one pool (replacements get new numbers). */
    public int id() {
        return id;
    }

    /**
     * Time left before the current task's run deadline; empty when no task is running (start-up,
     * warm-up) or the task has no run limit.
     */
    public Optional<Duration> remaining() {
        PendingTask task = interpreter.current;
        if (task == null || task.runLimit.compareTo(PythonTask.NO_LIMIT) >= 0) {
            return Optional.empty();
        }
        long left = task.startedNanos + task.runLimit.toNanos() - System.nanoTime();
        return Optional.of(Duration.ofNanos(Math.max(0, left)));
    }

    @Override
    public String toString() {
        return "interpreter " + id;
    }
}
