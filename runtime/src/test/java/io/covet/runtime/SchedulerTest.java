package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.covet.interpreters.PythonTask;
import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.OverloadedException;
import io.covet.tasks.QueueMetrics;
import io.covet.tasks.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lanes: limits, rejection at the door, deadlines, withdrawal, and no accepted task lost. */
class SchedulerTest {

    private static PerformanceManager runtime;
    private static Scheduler scheduler;

    @BeforeAll
    static void start() {
        runtime = PerformanceManager.start(RuntimeFixture.config().ioThreads(2).queueLimit(8).build());
        scheduler = runtime.scheduler();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a task was never answered", e);
        }
    }

    @Test
    void aLaneRunsNoMoreThanItsLimitAtOnce() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(scheduler.submitIo(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.sleep(30);
                running.decrementAndGet();
                return null;
            }, Deadline.none(), "sleep"));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(peak.get()).isEqualTo(2);
    }

    @Test
    void aFullQueueRejectsAtTheDoorNamingTheLaneAndItsLimits() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Object>> accepted = new ArrayList<>();
        try {
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    accepted.add(scheduler.submitIo(() -> release.await(30, TimeUnit.SECONDS), Deadline.none(), "blocker"));
                }
            }).isInstanceOf(OverloadedException.class)
                    .hasMessage("lane IO is overloaded: 2 tasks running and 8 waiting (its queue limit); the task was not accepted,"
                            + " retry later");
            assertThat(accepted).hasSize(10);
        } finally {
            release.countDown();
        }
        for (CompletableFuture<Object> f : accepted) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(true);
        }
    }

    @Test
    void aTaskPastItsDeadlineWhileWaitingFailsWithoutRunning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        List<CompletableFuture<Object>> blockers = List.of(
                scheduler.submitIo(() -> release.await(30, TimeUnit.SECONDS), Deadline.none(), "blocker"),
                scheduler.submitIo(() -> release.await(30, TimeUnit.SECONDS), Deadline.none(), "blocker"));
        CompletableFuture<Object> late = scheduler.submitIo(() -> ran.getAndSet(true), Deadline.in(Duration.ofMillis(100)), "late task");
        Throwable e = failure(late);
        release.countDown();
        assertThat(e).isInstanceOf(DeadlineExceededException.class).hasMessageStartingWith("late task waited")
                .hasMessageEndingWith("for its turn in lane IO and reached its deadline; it did not run");
        assertThat(((DeadlineExceededException) e).phase()).isEqualTo(DeadlineExceededException.Phase.WAITING);
        for (CompletableFuture<Object> b : blockers) {
            b.get(30, TimeUnit.SECONDS);
        }
        assertThat(ran).isFalse();
    }

    @Test
    void aRunningTaskPastItsDeadlineIsToldAndInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CompletableFuture<Object> f = scheduler.submitIo(() -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return null;
        }, Deadline.in(Duration.ofMillis(200)), "sleeper");
        assertThat(failure(f)).isInstanceOf(DeadlineExceededException.class)
                .hasMessageStartingWith("sleeper ran past its time limit of").hasMessageEndingWith("in lane IO; it was stopped");
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aPythonTaskGetsTheTimeLeftToItsDeadlineAsItsRunLimit() throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<Object> f = scheduler.submitPython(PythonTask.eval("while True: pass"), Deadline.in(Duration.ofMillis(1500)));
        Throwable e = failure(f);
        assertThat(e).isInstanceOfSatisfying(DeadlineExceededException.class,
                d -> assertThat(d.phase()).isEqualTo(DeadlineExceededException.Phase.RUNNING));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "the stopped interpreter replaced",
                () -> runtime.interpreters().metrics().ready() == 2);
        assertThat(scheduler.submitPython(PythonTask.eval("6 * 7"), Deadline.none()).get(30, TimeUnit.SECONDS)).isEqualTo(42L);
    }

    @Test
    void theProcessLaneSaysItIsNotConfiguredWithoutCpythonWorkers() {
        assertThatThrownBy(() -> scheduler.submitProcess(io.covet.workers.WorkerCall.of("m", "f"), Deadline.none()))
                .isInstanceOf(LaneUnavailableException.class)
                .hasMessageContaining("lane PROCESS is not configured")
                .hasMessageContaining("--cpython-workers N");
        assertThat(scheduler.configured(Lane.PROCESS)).isFalse();
    }

    @Test
    void aWithdrawnTaskNeverRunsAndItsFutureIsCancelled() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        List<CompletableFuture<Object>> blockers = List.of(
                scheduler.submitIo(() -> release.await(30, TimeUnit.SECONDS), Deadline.none(), "blocker"),
                scheduler.submitIo(() -> release.await(30, TimeUnit.SECONDS), Deadline.none(), "blocker"));
        Task<?> queued = scheduler.io(() -> ran.getAndSet(true), Deadline.none(), "queued");
        assertThat(scheduler.withdraw(Lane.IO, queued)).isTrue();
        assertThat(scheduler.withdraw(Lane.IO, queued)).isFalse();
        release.countDown();
        for (CompletableFuture<Object> b : blockers) {
            b.get(30, TimeUnit.SECONDS);
        }
        assertThat(queued.future()).isCancelled();
        assertThat(ran).isFalse();
        Task<?> done = scheduler.io(() -> 1, Deadline.none(), "done");
        done.join();
        assertThat(scheduler.withdraw(Lane.IO, done)).isFalse();
    }

    @Test
    void underSaturationEveryAcceptedTaskIsAnsweredExactlyOnce() throws Exception {
        int before = (int) totalAnswered(scheduler.metrics(Lane.CPU).tasks());
        List<CompletableFuture<Object>> accepted = new ArrayList<>();
        int rejected = 0;
        for (int i = 0; i < 3000; i++) {
            int n = i;
            try {
                Deadline d = n % 7 == 0 ? Deadline.in(Duration.ofNanos(ThreadLocalRandom.current().nextLong(1, 2_000_000))) : Deadline.none();
                CompletableFuture<Object> f = scheduler.submitCpu(() -> {
                    if (n % 11 == 0) {
                        throw new IllegalStateException("task " + n + " fails");
                    }
                    long x = 0;
                    for (int k = 0; k < 20_000; k++) {
                        x += k * (long) n;
                    }
                    return x;
                }, d, "task " + n);
                accepted.add(f);
                if (n % 13 == 0) {
                    f.cancel(true);
                }
            } catch (OverloadedException e) {
                rejected++;
            }
        }
        int values = 0;
        int errors = 0;
        for (CompletableFuture<Object> f : accepted) {
            Throwable e = failure(f);
            if (e == null) {
                values++;
            } else {
                errors++;
            }
        }
        assertThat(values + errors).isEqualTo(accepted.size());
        assertThat(rejected).isGreaterThan(0);
        QueueMetrics m = scheduler.metrics(Lane.CPU).tasks();
        assertThat(m.rejected()).isGreaterThanOrEqualTo(rejected);
        assertThat(m.queued()).isZero();
        assertThat(m.running()).isZero();
        assertThat(totalAnswered(m) - before).isEqualTo(accepted.size());
    }

    private static long totalAnswered(QueueMetrics m) {
        return m.completed() + m.failed() + m.cancelled();
    }

    @Test
    void metricsCountWhatHappened() throws Exception {
        QueueMetrics before = scheduler.metrics(Lane.IO).tasks();
        scheduler.submitIo(() -> 1, Deadline.none(), "ok").get(30, TimeUnit.SECONDS);
        failure(scheduler.submitIo(() -> {
            throw new IllegalStateException("boom");
        }, Deadline.none(), "boom"));
        QueueMetrics after = scheduler.metrics(Lane.IO).tasks();
        assertThat(after.completed() - before.completed()).isEqualTo(1);
        assertThat(after.failed() - before.failed()).isEqualTo(1);
        assertThat(after.waitTime().count()).isGreaterThan(before.waitTime().count());
        Map<Lane, LaneMetrics> all = scheduler.metrics();
        assertThat(all).containsKeys(Lane.IO, Lane.CPU, Lane.PYTHON).doesNotContainKey(Lane.PROCESS);
    }
}
