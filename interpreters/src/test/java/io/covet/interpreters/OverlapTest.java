package io.covet.interpreters;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.TaskAbortedException;
import io.covet.tasks.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Coroutine tasks overlap on their interpreter's event loop: one interpreter, several tasks in flight. */
class OverlapTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static InterpreterPool pool;

    @BeforeAll
    static void start() {
        pool = InterpreterPool.start(PoolFixture.config().size(1).preload("pool_tasks").maxInFlight(16).build());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @BeforeEach
    void freshState() {
        PoolLimitsTest.awaitFullPool(pool);
        // A replaced interpreter's first coroutine imports asyncio (seconds, on these cores): not in the test.
        pool.call("pool_tasks", "nap", 0.0, null);
        pool.call("pool_tasks", "reset_rendezvous");
        pool.call("pool_tasks", "close_gate");
    }

    private static Task<PythonTask> call(String function, Object... args) {
        return pool.enqueue(PythonTask.call("pool_tasks", function, args), Deadline.none());
    }

    @Test
    void tasksThatAwaitAreInFlightOnOneInterpreterAtOnce() throws Exception {
        // Each returns only once all ten have arrived: run one at a time, the first would never return.
        List<Task<PythonTask>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(pool.enqueue(PythonTask.call("pool_tasks", "rendezvous", 10), Deadline.in(LONG)));
        }
        for (Task<PythonTask> t : tasks) {
            assertThat(t.join()).isEqualTo(10L);
        }
    }

    @Test
    void syncTasksRunWhileCoroutinesAwait() throws Exception {
        List<Task<PythonTask>> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(call("at_gate", (long) i));
        }
        eventually(LONG, "five coroutines in flight", () -> pool.metrics().inFlight() == 5);
        assertThat(pool.call("pool_tasks", "echo", "sync")).isEqualTo("sync");
        assertThat(pool.call("pool_tasks", "open_gate")).isEqualTo("open");
        for (int i = 0; i < 5; i++) {
            assertThat(waiting.get(i).join()).isEqualTo((long) i);
        }
    }

    @Test
    void aCoroutinePastItsDeadlineIsCancelledAndTheOthersGoOnInTheSameInterpreter() throws Exception {
        long recycledBefore = pool.metrics().recycled();
        Task<PythonTask> late = pool.enqueue(PythonTask.call("pool_tasks", "sleep_noting_cancel", 30.0, "late"),
                Deadline.in(Duration.ofMillis(300)));
        Task<PythonTask> onTime = call("nap", 0.6, "on time");
        assertThatThrownBy(late::join).cause().isInstanceOfSatisfying(DeadlineExceededException.class,
                e -> assertThat(e.phase()).isEqualTo(DeadlineExceededException.Phase.RUNNING));
        assertThat(onTime.join()).isEqualTo("on time");
        eventually(LONG, "the late coroutine saw its CancelledError",
                () -> ((List<?>) pool.call("pool_tasks", "cancelled_names")).contains("late"));
        assertThat(pool.metrics().recycled()).as("no interpreter was replaced").isEqualTo(recycledBefore);
    }

    @Test
    void aCoroutineDoneInItsFirstStepHasTheTaskItStartedRunOnTheLoop() throws Exception {
        // Its value comes back without a turn of the loop; the task it left there must still run,
        // though nothing else wakes this interpreter's loop.
        assertThat(call("answer_leaving_a_task", "first").join()).isEqualTo("first");
        eventually(LONG, "the task it started ran", () -> ((List<?>) pool.call("pool_tasks", "noted_later")).contains("first"));
    }

    @Test
    void aCoroutineThatRaisesInItsFirstStepFailsItsTaskWithItsException() {
        assertThatThrownBy(call("raise_at_once", "at once")::join).cause().isInstanceOfSatisfying(PythonException.class, e -> {
            assertThat(e.pythonType()).isEqualTo("ValueError");
            assertThat(e.pythonMessage()).isEqualTo("at once");
        });
        assertThat(pool.call("pool_tasks", "echo", "alive")).isEqualTo("alive");
    }

    @Test
    void aSyncTaskThatRaisesAfterWakingTheLoopStillHasTheLoopTurned() throws Exception {
        Task<PythonTask> waiting = call("at_gate", 7L);
        eventually(LONG, "the coroutine in flight", () -> pool.metrics().inFlight() == 1);
        assertThatThrownBy(call("open_gate_then_raise", "after the gate")::join).cause()
                .isInstanceOfSatisfying(PythonException.class, e -> assertThat(e.pythonMessage()).isEqualTo("after the gate"));
        assertThat(waiting.join(LONG)).as("the coroutine the failed task woke").isEqualTo(7L);
    }

    @Test
    void aCoroutineThatStopsAwaitingIsStoppedWithItsInterpreterAndTheTasksSharingItAreTold() throws Exception {
        long recycledBefore = pool.metrics().recycled();
        Task<PythonTask> sharing = call("nap", 30.0, "never");
        eventually(LONG, "the first coroutine awaiting on the loop, its interpreter idle",
                () -> pool.metrics().inFlight() == 1 && pool.call("pool_tasks", "echo", 1L) != null);
        Task<PythonTask> spinning = pool.enqueue(PythonTask.call("pool_tasks", "spin_after_an_await"),
                Deadline.in(Duration.ofMillis(300)));
        assertThatThrownBy(spinning::join).cause().isInstanceOf(DeadlineExceededException.class);
        assertThatThrownBy(sharing::join).cause().isInstanceOf(TaskAbortedException.class)
                .hasMessageContaining("was replaced because").hasMessageContaining("did not stop within");
        PoolLimitsTest.awaitFullPool(pool);
        assertThat(pool.metrics().recycled()).isEqualTo(recycledBefore + 1);
        assertThat(pool.call("pool_tasks", "echo", "alive")).isEqualTo("alive");
    }

    @Test
    void aCoroutineThatNeverAwaitsIsStoppedInItsFirstStepAsSyncCodeIs() throws Exception {
        long recycledBefore = pool.metrics().recycled();
        Task<PythonTask> sharing = call("nap", 30.0, "never");
        eventually(LONG, "the first coroutine awaiting on the loop, its interpreter idle",
                () -> pool.metrics().inFlight() == 1 && pool.call("pool_tasks", "echo", 1L) != null);
        Task<PythonTask> spinning = pool.enqueue(PythonTask.call("pool_tasks", "spin_forever"), Deadline.in(Duration.ofMillis(300)));
        assertThatThrownBy(spinning::join).cause().isInstanceOf(DeadlineExceededException.class);
        assertThatThrownBy(sharing::join).cause().isInstanceOf(TaskAbortedException.class)
                .hasMessageContaining("was replaced because pool_tasks.spin_forever() had to be stopped");
        PoolLimitsTest.awaitFullPool(pool);
        assertThat(pool.metrics().recycled()).isEqualTo(recycledBefore + 1);
        assertThat(pool.call("pool_tasks", "echo", "alive")).isEqualTo("alive");
    }

    @Test
    void aCoroutinePastItsDeadlineWhileASyncTaskRunsIsCancelledAndTheSyncTaskFinishes() throws Exception {
        long recycledBefore = pool.metrics().recycled();
        Task<PythonTask> late = pool.enqueue(PythonTask.call("pool_tasks", "sleep_noting_cancel", 30.0, "behind sync"),
                Deadline.in(Duration.ofMillis(300)));
        eventually(LONG, "the coroutine on the loop", () -> pool.metrics().inFlight() == 1);
        // A sync task longer than the stuck-loop grace: the cancel waits for it, and nothing is stuck.
        Task<PythonTask> sync = call("sleep", 2.5);
        assertThatThrownBy(late::join).cause().isInstanceOf(DeadlineExceededException.class);
        assertThat(sync.join()).isEqualTo(2.5);
        eventually(LONG, "the coroutine saw its CancelledError",
                () -> ((List<?>) pool.call("pool_tasks", "cancelled_names")).contains("behind sync"));
        assertThat(pool.metrics().recycled()).as("no interpreter was replaced").isEqualTo(recycledBefore);
    }

    @Test
    void aCoroutineThatCarriesOnAfterItsCancellationIsStoppedWithItsInterpreter() throws Exception {
        long recycledBefore = pool.metrics().recycled();
        Task<PythonTask> stubborn = pool.enqueue(PythonTask.call("pool_tasks", "ignore_cancellation", "stubborn"),
                Deadline.in(Duration.ofMillis(300)));
        assertThatThrownBy(stubborn::join).cause().isInstanceOf(DeadlineExceededException.class);
        eventually(LONG, "its interpreter replaced once it outlived the cancel grace",
                () -> pool.metrics().recycled() == recycledBefore + 1);
        PoolLimitsTest.awaitFullPool(pool);
        assertThat(pool.call("pool_tasks", "echo", "alive")).isEqualTo("alive");
    }

    @Test
    void anErrorRaisedAfterAnAwaitFailsItsTaskWithTheTraceback() {
        assertThatThrownBy(() -> pool.call("pool_tasks", "raises_after_await", "missing"))
                .isInstanceOfSatisfying(PythonException.class, e -> {
                    assertThat(e.pythonType()).isEqualTo("KeyError");
                    assertThat(e.pythonTraceback()).contains("raises_after_await");
                });
    }

    @Test
    void aCoroutineResultThatCannotCrossFailsItsTaskOnly() {
        assertThatThrownBy(() -> pool.eval("import pool_tasks\nasync def f():\n    return object()\nf()"))
                .isInstanceOfSatisfying(PythonException.class, e -> assertThat(e.pythonType()).isEqualTo("TypeError"));
        assertThat(pool.call("pool_tasks", "echo", 1L)).isEqualTo(1L);
    }

    @Test
    void theInFlightLimitKeepsFurtherTasksWaitingInTheQueue() throws Exception {
        try (InterpreterPool two = InterpreterPool.start(PoolFixture.config().size(1).preload("pool_tasks").maxInFlight(2).build())) {
            two.call("pool_tasks", "nap", 0.0, null);
            Task<PythonTask> a = two.enqueue(PythonTask.call("pool_tasks", "at_gate", "a"), Deadline.none());
            Task<PythonTask> b = two.enqueue(PythonTask.call("pool_tasks", "at_gate", "b"), Deadline.none());
            Task<PythonTask> c = two.enqueue(PythonTask.call("pool_tasks", "at_gate", "c"), Deadline.none());
            eventually(LONG, "two in flight, one waiting", two::metrics, m -> m.inFlight() == 2 && m.tasks().queued() == 1);
            assertThat(c.isRunning()).isFalse();
            a.cancel();
            b.cancel();
            eventually(LONG, "the third one started once a slot was free", c::isRunning);
            assertThat(two.call("pool_tasks", "open_gate")).isEqualTo("open");
            assertThat(c.join()).isEqualTo("c");
        }
    }
}
