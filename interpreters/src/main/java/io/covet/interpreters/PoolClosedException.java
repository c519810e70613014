package io.covet.interpreters;

import java.util.concurrent.RejectedExecutionException;

/**
 * The pool is shut down: a new task is refused, or an accepted task was still waiting or running
 * when the shutdown grace period ran out (it was then stopped).
 */
public final class PoolClosedException extends RejectedExecutionException {

    PoolClosedException(String message) {
        super(message);
    }
}
