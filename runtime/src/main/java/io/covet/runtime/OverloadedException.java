package io.covet.runtime;

/** A lane's queue is full: the task was not accepted. Callers may retry later (HTTP 503). */
public final class OverloadedException extends RuntimeException {

    private final Lane lane;

    OverloadedException(Lane lane, int concurrency, int queueLimit) {
        super("lane " + lane + " is overloaded: " + concurrency + " tasks running (its limit) and " + queueLimit
                + " waiting (its queue limit); the task was not accepted");
        this.lane = lane;
    }

    public Lane lane() {
        return lane;
    }
}
