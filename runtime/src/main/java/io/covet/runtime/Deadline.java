package io.covet.runtime;

import java.time.Duration;
import java.util.Optional;

/**
 * When a task must be finished by, as a {@link System#nanoTime()} instant. A caller's deadline is
 * handed on to the work it submits ({@link #min}), so sub-tasks never outlive their caller.
 */
public record Deadline(long nanoTime, boolean isNone) {

    private static final Deadline NONE = new Deadline(Long.MAX_VALUE, true);

    /** No deadline: the task may take as long as it takes. */
    public static Deadline none() {
        return NONE;
    }

    /** {@code timeout} from now. */
    public static Deadline in(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a deadline cannot be in the past: " + timeout);
        }
        long now = System.nanoTime();
        long nanos = timeout.compareTo(Duration.ofDays(365L * 100)) >= 0 ? Long.MAX_VALUE - now : timeout.toNanos();
        return new Deadline(now + nanos, false);
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
