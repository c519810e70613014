package io.covet.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in tests for a state that another thread or process reaches: the condition is checked
 * until it holds or a deadline passes, never for a fixed time. Shared by every module's tests
 * (this module's test jar).
 */
public final class Eventually {

    private static final long PAUSE_MILLIS = 5;

    private Eventually() {
    }

    /**
     * Returns once {@code condition} holds; fails with {@code what} if it does not within
     * {@code limit}.
     */
    public static void eventually(Duration limit, String what, BooleanSupplier condition) {
        if (!within(limit, condition)) {
            throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
        }
    }

    /** Like {@link #eventually}, with the last value seen in the failure message. */
    public static <T> T eventually(Duration limit, String what, Supplier<T> value, java.util.function.Predicate<T> holds) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = value.get();
        while (!holds.test(last)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + limit.toMillis() + " ms: " + what + " (last seen: " + last + ")");
            }
            pause();
            last = value.get();
        }
        return last;
    }

    /** Whether {@code condition} holds within {@code limit} (for conditions that may legitimately not). */
    public static boolean within(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            pause();
        }
        return true;
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
