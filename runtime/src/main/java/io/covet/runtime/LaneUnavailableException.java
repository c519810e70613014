package io.covet.runtime;

/** Work was submitted to a lane that is not configured in this runtime, or the runtime is closed. */
public final class LaneUnavailableException extends IllegalStateException {

    private final Lane lane;

    LaneUnavailableException(Lane lane, String why) {
        super("lane " + lane + " " + why);
        this.lane = lane;
    }

    public Lane lane() {
        return lane;
    }
}
