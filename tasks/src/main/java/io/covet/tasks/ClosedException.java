package io.covet.tasks;

import java.util.concurrent.RejectedExecutionException;

/**
 * The executor is shut down: a new task is refused, or an accepted one was still waiting or
 * running when the shutdown's grace period ended (a running one was then stopped).
 */
public final class ClosedException extends RejectedExecutionException {

    public ClosedException(String message) {
        super(message);
    }
}
