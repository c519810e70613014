package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One lane on its own, where a test can stop a task half-way through being started. */
class LaneExecutorTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** Its own threads: the common pool may have one, which the blocked body then holds. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        timers.shutdownNow();
        threads.shutdownNow();
    }

    @Test
    void aTaskCaughtWhileItsWorkIsHandedOnCanStillBeWithdrawnFromTheInnerQueue() throws Exception {
        LaneExecutor lane = new LaneExecutor(Lane.PYTHON, 1, 10, timers);
        CompletableFuture<Object> inner = new CompletableFuture<>();
        CountDownLatch handingOn = new CountDownLatch(1);
        CountDownLatch handedOn = new CountDownLatch(1);
        // The body stands for pool.submit(): the work sits in the pool's queue once it returns.
        LaneExecutor.Body body = deadline -> {
            handingOn.countDown();
            handedOn.await(30, TimeUnit.SECONDS);
            return inner;
        };
        // A first task holds the only slot, so the second waits and its future is ours at once;
        // completing the first (on another thread) starts the second there.
        CompletableFuture<Object> blocker = new CompletableFuture<>();
        lane.submit(d -> blocker, Deadline.none(), "blocker");
        CompletableFuture<Object> taskFuture = lane.submit(body, Deadline.none(), "sub-task").future;
        CompletableFuture.runAsync(() -> blocker.complete("freed"), threads);
        assertThat(handingOn.await(30, TimeUnit.SECONDS)).isTrue();
        // Called while the body runs: it must wait for the hand-over, not answer "already running",
        // which would leave an interpreter waiting for its own sub-task that no interpreter runs.
        AtomicReference<Thread> withdrawer = new AtomicReference<>();
        CompletableFuture<Boolean> withdrawn = CompletableFuture.supplyAsync(() -> {
            withdrawer.set(Thread.currentThread());
            return lane.withdraw(taskFuture, f -> f == inner);
        }, threads);
        // Until the withdrawing thread parks (or answers), nothing can be concluded.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!withdrawn.isDone() && (withdrawer.get() == null || withdrawer.get().getState() != Thread.State.WAITING)
                && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(withdrawn).as("withdraw answered while the work was still being handed on").isNotDone();
        handedOn.countDown();
        assertThat(withdrawn.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(taskFuture).isCancelled();
        // Its slot is free again: the next task starts without the withdrawn one completing.
        CompletableFuture<Object> next = lane.submit(d -> CompletableFuture.completedFuture("next"), Deadline.none(), "next").future;
        assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(lane.metrics().cancelled()).isEqualTo(1);
    }

    @Test
    void aTaskWhoseWorkAlreadyLeftTheInnerQueueIsNotWithdrawn() throws Exception {
        LaneExecutor lane = new LaneExecutor(Lane.PYTHON, 1, 10, timers);
        CompletableFuture<Object> inner = new CompletableFuture<>();
        CompletableFuture<Object> task = lane.submit(d -> inner, Deadline.none(), "running").future;
        assertThat(lane.withdraw(task, f -> false)).isFalse();
        inner.complete("done");
        assertThat(task.get(30, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(lane.withdraw(task, f -> true)).isFalse();
    }
}
