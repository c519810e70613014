package io.covet.database;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Turns at a pool's connections: never more holders than its size, first come first served, waits bounded. */
class TurnstileTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    /** Starts a thread that waits for a turn and records its name when it gets one; it leaves when {@code leave} says. */
    private static Thread waiter(Turnstile turns, String name, List<String> entered, AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                if (turns.enter(LONG)) {
                    entered.add(name);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    @Test
    void waitersTakeTheirTurnsInArrivalOrderOneAtATime() throws Exception {
        Turnstile turns = new Turnstile(1);
        assertThat(turns.enter(0)).isTrue();
        List<String> entered = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (String name : List.of("first", "second", "third")) {
            threads.add(waiter(turns, name, entered, failure));
            int queued = threads.size();
            eventually(Duration.ofSeconds(10), name + " is waiting", () -> turns.waiting() == queued);
        }
        for (int n = 1; n <= 3; n++) {
            turns.endingSoon();   // wakes the next waiter early: it still waits for the turn itself
            assertThat(entered).hasSize(n - 1);
            turns.leave();
            int expected = n;
            eventually(Duration.ofSeconds(10), "turn " + n + " taken", () -> entered.size() == expected);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(entered).containsExactly("first", "second", "third");
        assertThat(turns.enter(0)).as("the third holder has not left").isFalse();
    }

    @Test
    void aWaitThatOutlastsItsTimeEndsWithoutATurnAndLeavesNoneTaken() throws Exception {
        Turnstile turns = new Turnstile(1);
        assertThat(turns.enter(0)).isTrue();
        long start = System.nanoTime();
        assertThat(turns.enter(TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(turns.waiting()).isZero();
        turns.leave();
        assertThat(turns.enter(0)).as("the turn the holder gave back is free, not given to the waiter that left").isTrue();
    }

    @Test
    void anInterruptedWaiterStopsWaitingAndTakesNoTurn() throws Exception {
        Turnstile turns = new Turnstile(1);
        assertThat(turns.enter(0)).isTrue();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                outcome.set(new AssertionError("entered: " + turns.enter(LONG)));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        eventually(Duration.ofSeconds(10), "the waiter is waiting", () -> turns.waiting() == 1);
        t.interrupt();
        t.join(10_000);
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(turns.waiting()).isZero();
        turns.leave();
        assertThat(turns.enter(0)).isTrue();
    }

    @Test
    void manyBorrowersNeverHoldMoreTurnsThanTheSizeAndEveryOneGetsItsTurn() throws Exception {
        Turnstile turns = new Turnstile(2);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int n = 0; n < 500; n++) {
                        if (!turns.enter(LONG)) {
                            throw new AssertionError("no turn within 30 s");
                        }
                        most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        if (n % 3 == 0) {
                            turns.endingSoon();
                        }
                        Thread.onSpinWait();
                        holding.decrementAndGet();
                        taken.incrementAndGet();
                        turns.leave();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(taken.get()).isEqualTo(8 * 500);
        assertThat(most.get()).isLessThanOrEqualTo(2);
        assertThat(turns.waiting()).isZero();
        assertThat(turns.enter(0) && turns.enter(0)).as("both turns are free again").isTrue();
    }
}
