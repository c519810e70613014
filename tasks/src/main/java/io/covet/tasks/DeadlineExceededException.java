package io.covet.tasks;

import java.util.concurrent.TimeoutException;

/**
 * A task reached its deadline while waiting for its turn (it did not run) or while running (its
 * work was stopped: the thread interrupted, the interpreter's task cancelled or the interpreter
 * replaced, the worker process killed).
 */
public final class DeadlineExceededException extends RuntimeException {

    /** Where the task was when its deadline passed. */
    public enum Phase { WAITING, RUNNING }

    private final Phase phase;

    DeadlineExceededException(Phase phase, String message) {
        super(message, new TimeoutException());
        this.phase = phase;
    }

    public Phase phase() {
        return phase;
    }
}
