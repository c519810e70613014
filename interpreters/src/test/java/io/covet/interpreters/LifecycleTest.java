package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The interpreters' lifecycle is changed under one lock: racing endings start one replacement at most. */
class LifecycleTest {

    /**
     * Tasks whose run limit ends about when they do: the deadline (which replaces the interpreter)
     * races the task's own end (which does not) many times. However they interleave, the pool
     * never holds more interpreters counted toward its size than the size, and it returns to its
     * size, all serving.
     */
    @Test
    void aDeadlineRacingATasksEndNeverGrowsThePoolPastItsSize() throws Exception {
        int size = 2;
        try (InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(size).preload("pool_tasks").build())) {
            AtomicBoolean racing = new AtomicBoolean(true);
            AtomicInteger worst = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (racing.get()) {
                    worst.accumulateAndGet(pool.countedNow(), Math::max);
                    Thread.onSpinWait();
                }
            });
            int timedOut = 0;
            for (int round = 0; round < 12; round++) {
                List<Task<PythonTask>> tasks = new ArrayList<>();
                for (int k = 0; k < size; k++) {
                    double seconds = 0.030 + 0.002 * ((round + k) % 5);
                    tasks.add(pool.enqueue(PythonTask.call("pool_tasks", "spin_until", seconds)
                            .withTimeout(Duration.ofMillis(32)), Deadline.none()));
                }
                for (Task<PythonTask> t : tasks) {
                    try {
                        t.join();
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(DeadlineExceededException.class);
                        timedOut++;
                    }
                }
                PoolLimitsTest.awaitFullPool(pool);
            }
            racing.set(false);
            sampler.join();
            assertThat(worst.get()).as("interpreters counted toward the size, at most").isLessThanOrEqualTo(size);
            assertThat(pool.countedNow()).isEqualTo(size);
            assertThat(pool.metrics().ready()).isEqualTo(size);
            // A deadline that lands just after its task returned stops nothing: no replacement then.
            assertThat(pool.metrics().recycled()).as("at most one replacement per timed-out task")
                    .isPositive().isLessThanOrEqualTo(timedOut);
            assertThat(pool.call("pool_tasks", "echo", "still serving")).isEqualTo("still serving");
        }
    }

    /**
     * A task queued behind one whose deadline races its end: when the deadline wins, the
     * interpreter that ran the timed-out task is stopped, never the innocent task that may have
     * started on it meanwhile. The innocent one completes with its own result, every round.
     */
    @Test
    void stoppingATimedOutTaskNeverStopsTheTaskAfterIt() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(1).preload("pool_tasks").build())) {
            int timedOut = 0;
            for (int round = 0; round < 10; round++) {
                double seconds = 0.030 + 0.002 * (round % 5);
                Task<PythonTask> racer = pool.enqueue(PythonTask.call("pool_tasks", "spin_until", seconds)
                        .withTimeout(Duration.ofMillis(32)), Deadline.none());
                Task<PythonTask> innocent = pool.enqueue(PythonTask.call("pool_tasks", "echo", "innocent " + round), Deadline.none());
                try {
                    racer.join();
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(DeadlineExceededException.class);
                    timedOut++;
                }
                assertThat(innocent.join()).as("round %d", round).isEqualTo("innocent " + round);
            }
            assertThat(timedOut).as("the deadline won some rounds").isPositive();
        }
    }
}
