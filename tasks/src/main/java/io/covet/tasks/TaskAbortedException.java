package io.covet.tasks;

/**
 * A running task was stopped through no fault of its own: what ran it had to be stopped for
 * another task (an interpreter replaced because a task that shared it ran past its deadline) or
 * died. Nothing is known of how far the task got; retrying it elsewhere is the caller's choice.
 */
public final class TaskAbortedException extends RuntimeException {

    public TaskAbortedException(String message) {
        super(message);
    }
}
