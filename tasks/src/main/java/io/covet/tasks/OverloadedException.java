package io.covet.tasks;

import java.util.concurrent.RejectedExecutionException;

/** A queue was full: the task was not accepted, nothing of it ran. Callers may retry later (HTTP 503). */
public final class OverloadedException extends RejectedExecutionException {

    OverloadedException(String queue, int running, int queueLimit) {
        super(queue + " is overloaded: " + running + " tasks running and " + queueLimit
                + " waiting (its queue limit); the task was not accepted, retry later");
    }
}
