package io.covet.workers;

import java.time.Duration;

/** A task ran past its timeout: its worker was killed (and replaced). */
public final class WorkerTimeoutException extends RuntimeException {

    private final Duration timeout;

    WorkerTimeoutException(String message, Duration timeout) {
        super(message);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
