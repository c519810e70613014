package io.covet.tasks;

import java.time.Duration;
import java.util.Optional;

/**
 * When a task must be finished by, as a {@link System#nanoTime()} instant. A caller's deadline is
 * handed on to the work it submits ({@link #min}), so sub-tasks never outlive their caller.
 */
public record Deadline(long nanoTime, boolean isNone) {

    private static final Deadline NONE = new Deadline(Long.MAX_VALUE, true);
    private static final Duration CENTURY = Duration.ofDays(365L * 100);

    /** No deadline: the task may take as long as it takes. */
    public static Deadline none() {
        return NONE;
    }

    /** {@code timeout} from now. */
    public static Deadline in(Duration timeout) {
        return at(System.nanoTime(), timeout);
    }

    /** {@code timeout} after the {@link System#nanoTime()} instant {@code from}. */
    public static Deadline at(long from, Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a deadline cannot be in the past: " + timeout);
        }
        // Capped at a century, so that nanoTime arithmetic never overflows.
        return new Deadline(from + (timeout.compareTo(CENTURY) > 0 ? CENTURY : timeout).toNanos(), false);
    }

    /** {@code timeout} from now, or none when empty. */
    public static Deadline of(Optional<Duration> timeout) {
        return timeout.map(Deadline::in).orElse(NONE);
    }

    /** The earlier of the two. */
    public Deadline min(Deadline other) {
        if (isNone) {
            return other;
        }
        if (other.isNone) {
            return this;
        }
        return nanoTime - other.nanoTime <= 0 ? this : other;
    }

    /** Time left (zero once passed); empty for no deadline. */
    public Optional<Duration> remaining() {
        return isNone ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime())));
    }

    public boolean passed() {
        return !isNone && nanoTime - System.nanoTime() <= 0;
    }

    @Override
    public String toString() {
        return isNone ? "no deadline" : "deadline in " + remaining().orElseThrow().toMillis() + " ms";
    }
}
