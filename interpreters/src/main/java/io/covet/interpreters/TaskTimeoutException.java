package io.covet.interpreters;

import java.time.Duration;

/**
 * A task ran out of time, either waiting for a free interpreter or running in one. A task that
 * timed out while running was stopped for real and its interpreter replaced.
 */
public final class TaskTimeoutException extends RuntimeException {

    /** Where the task was when its time ran out. */
    public enum Phase { WAITING, RUNNING }

    private final Phase phase;
    private final Duration limit;

    TaskTimeoutException(Phase phase, Duration limit, String task) {
        super(phase == Phase.WAITING
                ? task + " waited " + limit.toMillis() + " ms for a free interpreter and timed out"
                : task + " ran past its " + limit.toMillis() + " ms timeout and was stopped; its interpreter is being replaced");
        this.phase = phase;
        this.limit = limit;
    }

    public Phase phase() {
        return phase;
    }

    public Duration limit() {
        return limit;
    }
}
