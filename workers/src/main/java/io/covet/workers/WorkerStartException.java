package io.covet.workers;

/** No CPython worker could be started: no interpreter at the configured path, or it failed at start. */
public final class WorkerStartException extends RuntimeException {

    public WorkerStartException(String message) {
        super(message);
    }

    WorkerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
