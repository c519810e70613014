package io.covet.database;

import java.time.Duration;
import java.util.Optional;

/**
 * The task a database call runs for: how long it may still take (its statements' timeout, and
 * the longest wait for a pooled connection) and the end of it (a transaction still open then is
 * rolled back and its connection given back to the pool, however the task ended).
 */
public interface CallScope {

    /** No task: no deadline, and a transaction stays open until committed, rolled back or closed. */
    CallScope NONE = new CallScope() {
        @Override
        public Optional<Duration> remaining() {
            return Optional.empty();
        }

        @Override
        public boolean whenEnds(Runnable action) {
            return false;
        }
    };

    /** Whether the task has ended already (work queued for it must not start). */
    default boolean ended() {
        return false;
    }

    /** Time left before the task's deadline; empty when it has none. */
    Optional<Duration> remaining();

    /**
     * Runs {@code action} once the task has ended (at once if it has; on any thread, so it must be
     * short and must not block); false, and nothing registered, when there is no task.
     */
    boolean whenEnds(Runnable action);
}
