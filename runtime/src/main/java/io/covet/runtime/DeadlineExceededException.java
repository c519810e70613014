package io.covet.runtime;

import java.util.concurrent.TimeoutException;

/** A task reached its deadline while waiting in its lane's queue or while running. */
public final class DeadlineExceededException extends RuntimeException {

    /** Where the task was when its deadline passed. */
    public enum Phase { WAITING, RUNNING }

    private final Lane lane;
    private final Phase phase;

    DeadlineExceededException(Lane lane, Phase phase, String task) {
        super(task + " reached its deadline while " + (phase == Phase.WAITING ? "waiting in" : "running on")
                + " lane " + lane, new TimeoutException());
        this.lane = lane;
        this.phase = phase;
    }

    public Lane lane() {
        return lane;
    }

    public Phase phase() {
        return phase;
    }
}
