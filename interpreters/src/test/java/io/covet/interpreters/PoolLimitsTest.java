package io.covet.interpreters;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.OverloadedException;
import io.covet.tasks.Task;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deadlines, cancellation and the wait queue, on a one-interpreter pool with tight limits. */
class PoolLimitsTest {

    static final Duration LONG = Duration.ofSeconds(60);
    static InterpreterPool pool;

    @BeforeAll
    static void start() {
        pool = InterpreterPool.start(PoolFixture.config().size(1).preload("pool_tasks")
                .queueLimit(1).taskTimeout(Duration.ofSeconds(20)).build());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    /** Earlier tests may have replaced the interpreter; start each test with a full, idle pool. */
    @BeforeEach
    void poolIsBackToFullSize() {
        awaitFullPool(pool);
    }

    static void awaitFullPool(InterpreterPool p) {
        eventually(LONG, "the pool back to its full size, idle", p::metrics,
                m -> m.ready() == m.size() && m.starting() == 0 && m.busy() == 0 && m.tasks().queued() == 0);
    }

    @Test
    void aRunawayLoopIsStoppedAndTheCallerToldWithin100msOfItsDeadline() throws Exception {
        long recycledBefore = pool.metrics().recycled();
        CompletableFuture<Object> f = pool.submit(PythonTask.call("pool_tasks", "forever").withTimeout(Duration.ofMillis(500)));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(DeadlineExceededException.class,
                        e -> assertThat(e.phase()).isEqualTo(DeadlineExceededException.Phase.RUNNING));
        long lateMs = (System.nanoTime() - t0) / 1_000_000 - 500;
        assertThat(lateMs).as("timeout reported this late after the deadline").isLessThan(100);
        awaitFullPool(pool);
        assertThat(pool.metrics().recycled()).isEqualTo(recycledBefore + 1);
        assertThat(pool.call("pool_tasks", "echo", "alive")).as("the replacement serves").isEqualTo("alive");
    }

    @Test
    void aTaskWaitingPastItsDeadlineFailsWithoutRunning() throws Exception {
        try (InterpreterPool tight = InterpreterPool.start(PoolFixture.config().size(1).preload("pool_tasks").build())) {
            CompletableFuture<Object> busy = tight.submitCall("pool_tasks", "sleep", 1.5);
            Task<PythonTask> waiting = tight.enqueue(PythonTask.eval("import pool_tasks\npool_tasks.bump()"),
                    Deadline.in(Duration.ofMillis(300)));
            assertThatThrownBy(waiting::join).cause()
                    .isInstanceOfSatisfying(DeadlineExceededException.class,
                            e -> assertThat(e.phase()).isEqualTo(DeadlineExceededException.Phase.WAITING));
            assertThat(busy.get(30, TimeUnit.SECONDS)).isEqualTo(1.5);
            assertThat(tight.eval("import pool_tasks\npool_tasks.counter")).as("the timed-out task never ran").isEqualTo(0L);
            assertThat(tight.metrics().tasks().timedOut()).isEqualTo(1);
        }
    }

    @Test
    void aFullQueueRejectsAtSubmissionNamingTheLimit() throws Exception {
        CompletableFuture<Object> running = pool.submitCall("pool_tasks", "sleep", 1.0);
        awaitBusy();
        CompletableFuture<Object> queued = pool.submitCall("pool_tasks", "echo", "queued");
        long rejectedBefore = pool.metrics().tasks().rejected();
        // The one interpreter runs sync code: it has no free slot, whatever its in-flight limit.
        assertThatThrownBy(() -> pool.submitCall("pool_tasks", "echo", "one too many"))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("the interpreter pool is overloaded").hasMessageContaining("1 waiting (its queue limit)");
        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(1.0);
        assertThat(queued.get(30, TimeUnit.SECONDS)).as("accepted tasks still complete").isEqualTo("queued");
        assertThat(pool.metrics().tasks().rejected()).isEqualTo(rejectedBefore + 1);
    }

    @Test
    void cancellingARunningTaskStopsItAndReplacesTheInterpreter() throws Exception {
        long recycledBefore = pool.metrics().recycled();
        CompletableFuture<Object> f = pool.submitCall("pool_tasks", "forever");
        awaitBusy();
        assertThat(f.cancel(true)).isTrue();
        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
        awaitFullPool(pool);
        assertThat(pool.metrics().recycled()).isEqualTo(recycledBefore + 1);
        assertThat(pool.call("pool_tasks", "echo", 3L)).isEqualTo(3L);
    }

    @Test
    void aWithdrawnTaskNeverRunsAndOnlyAQueuedOneCanBeWithdrawn() throws Exception {
        Task<PythonTask> running = pool.enqueue(PythonTask.call("pool_tasks", "sleep", 0.5), Deadline.none());
        eventually(LONG, "the first task running", running::isRunning);
        Task<PythonTask> queued = pool.enqueue(PythonTask.eval("import sys\nsys.modules['__main__'].withdrawn_ran = True"),
                Deadline.none());
        assertThat(pool.withdraw(running)).isFalse();
        assertThat(pool.withdraw(queued)).isTrue();
        assertThat(pool.withdraw(queued)).isFalse();
        running.join();
        assertThat(pool.eval("hasattr(__import__('sys').modules['__main__'], 'withdrawn_ran')")).isEqualTo(false);
        assertThatThrownBy(queued::join).isInstanceOf(CancellationException.class);
        assertThat(pool.metrics().tasks().queued()).isZero();
    }

    @Test
    void cancellingAQueuedTaskMeansItNeverRuns() throws Exception {
        CompletableFuture<Object> running = pool.submitCall("pool_tasks", "sleep", 0.5);
        awaitBusy();
        CompletableFuture<Object> queued = pool.submitEval("import pool_tasks\npool_tasks.counter = -100");
        queued.cancel(true);
        running.get(30, TimeUnit.SECONDS);
        assertThat((Long) pool.eval("import pool_tasks\npool_tasks.counter")).isNotEqualTo(-100L);
    }

    @Test
    void aCallbackThatCallsBackIntoAPoolOfOneDoesNotDeadlockIt() throws Exception {
        // Chained before the task can finish, so the callback runs on whichever thread completes
        // the future: it must not be the interpreter's own.
        CompletableFuture<Object> chained = pool.submitCall("pool_tasks", "sleep", 0.2)
                .thenApply(v -> pool.call("pool_tasks", "echo", "from the callback"));
        assertThat(chained.get(30, TimeUnit.SECONDS)).isEqualTo("from the callback");
    }

    private static void awaitBusy() {
        eventually(LONG, "an interpreter busy", () -> pool.metrics().busy() > 0);
    }
}
