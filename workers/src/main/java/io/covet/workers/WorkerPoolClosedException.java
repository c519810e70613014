package io.covet.workers;

/** The pool was shut down: the task was not accepted, or was stopped before it finished. */
public final class WorkerPoolClosedException extends IllegalStateException {

    WorkerPoolClosedException(String message) {
        super(message);
    }
}
