package io.covet.tasks;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TaskQueueTest {

    private static final Duration LONG = Duration.ofSeconds(10);

    @Test
    void tasksStartInTheOrderTheyWereSubmitted() {
        TaskQueue<Integer> q = new TaskQueue<>("q", 1, 10);
        for (int i = 0; i < 5; i++) {
            q.submit(i, Deadline.none(), null, "t" + i);
        }
        List<Integer> order = new ArrayList<>();
        for (Task<Integer> t; (t = q.poll()) != null; ) {
            order.add(t.work());
            t.complete(null);
        }
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aFullQueueRefusesAtTheDoorCountingFreeSlots() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 0);
        q.submit("a", Deadline.none(), null, "a");   // the free slot
        assertThatThrownBy(() -> q.submit("b", Deadline.none(), null, "b"))
                .isInstanceOf(OverloadedException.class).hasMessageContaining("the pool is overloaded");
        Task<String> a = q.poll();
        assertThatThrownBy(() -> q.submit("b", Deadline.none(), null, "b")).isInstanceOf(OverloadedException.class);
        a.complete("done");
        q.submit("c", Deadline.none(), null, "c");
        assertThat(q.metrics().rejected()).isEqualTo(2);
    }

    @Test
    void aTaskPastItsDeadlineWhileWaitingFailsAndNeverRuns() throws Exception {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> t = q.submit("x", Deadline.in(Duration.ofMillis(30)), null, "x()");
        assertThatThrownBy(t::join).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DeadlineExceededException.class).hasMessageContaining("did not run")
                .satisfies(e -> assertThat(((DeadlineExceededException) e).phase()).isEqualTo(DeadlineExceededException.Phase.WAITING));
        assertThat(q.poll()).isNull();
        assertThat(q.metrics().timedOut()).isEqualTo(1);
    }

    @Test
    void aRunningTaskPastItsRunLimitFailsAndItsWorkIsStoppedOnce() throws Exception {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> t = q.submit("x", Deadline.none(), Duration.ofMillis(30), "x()");
        AtomicInteger stops = new AtomicInteger();
        Task<String> running = q.poll();
        running.onStop(task -> stops.incrementAndGet());
        assertThatThrownBy(t::join).cause().isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("ran past its time limit of 30 ms");
        // The ending thread settles the task, then stops its work: a joiner may wake in between.
        eventually(Duration.ofSeconds(10), "the work stopped", () -> stops.get() == 1);
        assertThat(running.complete("late")).as("the executor's late answer is ignored").isFalse();
        assertThat(q.running()).isZero();
    }

    @Test
    void theEarlierOfDeadlineAndRunLimitApplies() throws Exception {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> t = q.submit("x", Deadline.in(Duration.ofMillis(40)), Duration.ofSeconds(30), "x()");
        q.poll();
        long t0 = System.nanoTime();
        assertThatThrownBy(t::join).cause().isInstanceOf(DeadlineExceededException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(t.remaining()).hasValue(Duration.ZERO);
    }

    @Test
    void anExtendedDeadlineOutlivesTheFirstAndStillStopsTheTaskWhenItPasses() throws Exception {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> t = q.submit("x", Deadline.in(Duration.ofMillis(100)), null, "x()");
        AtomicInteger stops = new AtomicInteger();
        q.poll().onStop(task -> stops.incrementAndGet());
        assertThat(t.extendDeadline(Deadline.in(Duration.ofMillis(50)))).as("never earlier").isFalse();
        assertThat(t.extendDeadline(Deadline.in(Duration.ofMillis(600)))).isTrue();
        assertThat(t.remaining().orElseThrow()).isGreaterThan(Duration.ofMillis(300));
        assertThatThrownBy(() -> t.join(Duration.ofMillis(300))).as("still running past its first deadline")
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThatThrownBy(t::join).cause().isInstanceOf(DeadlineExceededException.class);
        eventually(Duration.ofSeconds(10), "the work stopped", () -> stops.get() == 1);
        assertThat(t.extendDeadline(Deadline.in(LONG))).as("a settled task has nothing to extend").isFalse();
        Task<String> none = q.submit("y", Deadline.none(), null, "y()");
        q.poll();
        assertThat(none.extendDeadline(Deadline.in(LONG))).as("no deadline stays none").isFalse();
        assertThat(none.remaining()).isEmpty();
    }

    @Test
    void aStopActionSetAfterTheTaskEndedRunsAtOnce() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        q.submit("x", Deadline.none(), null, "x()");
        Task<String> t = q.poll();
        assertThat(t.cancel()).isTrue();
        AtomicInteger stops = new AtomicInteger();
        t.onStop(task -> stops.incrementAndGet());
        assertThat(stops.get()).isEqualTo(1);
    }

    @Test
    void aTaskTheExecutorCompletedIsNotStopped() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        q.submit("x", Deadline.none(), null, "x()");
        Task<String> t = q.poll();
        AtomicInteger stops = new AtomicInteger();
        t.onStop(task -> stops.incrementAndGet());
        assertThat(t.complete(1)).isTrue();
        assertThat(t.cancel()).isFalse();
        assertThat(stops.get()).isZero();
    }

    @Test
    void withdrawTakesBackOnlyWaitingTasks() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> a = q.submit("a", Deadline.none(), null, "a");
        Task<String> b = q.submit("b", Deadline.none(), null, "b");
        assertThat(q.poll()).isSameAs(a);
        assertThat(q.withdraw(a)).isFalse();
        assertThat(q.withdraw(b)).isTrue();
        assertThat(b.future()).isCancelled();
        assertThat(q.poll()).isNull();
        assertThat(new TaskQueue<String>("other", 1, 1).withdraw(a)).isFalse();
    }

    @Test
    void aRequeuedTaskIsTakenFirstAgain() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> a = q.submit("a", Deadline.none(), null, "a");
        q.submit("b", Deadline.none(), null, "b");
        assertThat(q.poll()).isSameAs(a);
        q.requeue(a);
        assertThat(q.running()).isZero();
        assertThat(q.poll()).isSameAs(a);
    }

    @Test
    void aRequeuedTaskIsStoppedByTheExecutorThatTookItNextNotTheOneBefore() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> t = q.submit("a", Deadline.none(), null, "a");
        List<String> stopped = new ArrayList<>();
        q.poll().onStop(x -> stopped.add("first"));
        q.requeue(t);
        q.poll().onStop(x -> stopped.add("second"));
        assertThat(t.cancel()).isTrue();
        assertThat(stopped).containsExactly("second");
    }

    @Test
    void futuresCompleteOnACallbackThreadAndJoinSeesTheValue() throws Exception {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> t = q.submit("a", Deadline.none(), null, "a");
        CompletableFuture<String> thread = t.future().thenApply(v -> Thread.currentThread().getName());
        Thread settler = Thread.ofPlatform().name("executor-thread").start(() -> q.poll().complete("v"));
        settler.join();
        assertThat(t.join()).isEqualTo("v");
        assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo("covet-callback");
        assertThat(q.submit("b", Deadline.none(), null, "b").future()).isNotDone();
    }

    @Test
    void cancellingTheFutureCancelsTheTaskAndStopsItsWork() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> t = q.submit("a", Deadline.none(), null, "a");
        Task<String> running = q.poll();
        AtomicInteger stops = new AtomicInteger();
        running.onStop(task -> stops.incrementAndGet());
        t.future().cancel(true);
        eventually(LONG, "the task cancelled and its work stopped", () -> t.isDone() && stops.get() == 1);
        assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void abandonSettlesEverythingLeftAndStopsWhatRuns() {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        Task<String> running = q.submit("a", Deadline.none(), null, "a");
        Task<String> waiting = q.submit("b", Deadline.none(), null, "b");
        q.poll();
        AtomicInteger stops = new AtomicInteger();
        running.onStop(task -> stops.incrementAndGet());
        q.close();
        assertThat(q.awaitQuiet(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
        q.abandon(t -> new ClosedException(t.description() + " did not run"), t -> new ClosedException(t.description() + " was stopped"));
        assertThatThrownBy(waiting::join).cause().hasMessage("b did not run");
        assertThatThrownBy(running::join).cause().hasMessage("a was stopped");
        assertThat(stops.get()).isEqualTo(1);
        assertThatThrownBy(() -> q.submit("c", Deadline.none(), null, "c")).isInstanceOf(ClosedException.class)
                .hasMessageContaining("the pool is shut down; c was not accepted");
    }

    @Test
    void awaitQuietReturnsOnceTheLastTaskEnds() throws Exception {
        TaskQueue<String> q = new TaskQueue<>("the pool", 1, 10);
        q.submit("a", Deadline.none(), null, "a");
        Task<String> a = q.poll();
        q.close();
        Thread.ofVirtual().start(() -> a.complete(null));
        assertThat(q.awaitQuiet(System.nanoTime() + LONG.toNanos())).isTrue();
    }

    /**
     * The executor's answer, the deadline, the caller's cancellation and shutdown race on many
     * tasks: each task is settled exactly once, and the counters add up to what was accepted.
     */
    @Test
    void everyAcceptedTaskIsSettledExactlyOnceHoweverTheEndingsRace() throws Exception {
        TaskQueue<Integer> q = new TaskQueue<>("the pool", 4, 100_000);
        int n = 4000;
        List<Task<Integer>> tasks = new ArrayList<>();
        AtomicInteger settles = new AtomicInteger();
        AtomicInteger stops = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            Deadline d = i % 3 == 0 ? Deadline.in(Duration.ofNanos(ThreadLocalRandom.current().nextLong(2_000_000))) : Deadline.none();
            Task<Integer> t = q.submit(i, d, i % 5 == 0 ? Duration.ofNanos(100_000) : null, "t" + i);
            AtomicReference<Object> once = new AtomicReference<>();
            t.whenSettled(() -> {
                settles.incrementAndGet();
                assertThat(once.compareAndSet(null, "settled")).isTrue();
            });
            tasks.add(t);
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            threads.add(Thread.ofPlatform().start(() -> {
                await(go);
                for (Task<Integer> t; (t = q.poll()) != null; ) {
                    t.onStop(x -> stops.incrementAndGet());
                    if (t.work() % 2 == 0) {
                        t.complete(t.work());
                    } else {
                        t.fail(new IllegalStateException("boom"));
                    }
                }
            }));
        }
        threads.add(Thread.ofPlatform().start(() -> {
            await(go);
            for (int i = n - 1; i >= 0; i -= 7) {
                tasks.get(i).cancel();
            }
        }));
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        q.abandon(t -> new ClosedException("left"), t -> new ClosedException("stopped"));
        eventually(LONG, "every task settled", () -> tasks.stream().allMatch(Task::isDone));
        assertThat(settles.get()).isEqualTo(n);
        QueueMetrics m = q.metrics();
        assertThat(m.completed() + m.failed() + m.cancelled()).isEqualTo(n);
        assertThat(m.queued()).isZero();
        assertThat(m.running()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
