package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PoolThreadsTest {

    @Test
    void joiningReturnsOnlyOnceEveryStartedThreadHasEnded() throws Exception {
        PoolThreads threads = new PoolThreads("covet-test");
        CountDownLatch running = new CountDownLatch(2);
        Thread slow = threads.interpreterThread(() -> {
            running.countDown();
            sleep(300);  // stands for an interpreter's last steps after it told the pool it exited
        });
        Thread quick = threads.interpreterThread(running::countDown);
        Thread neverStarted = threads.interpreterThread(() -> { });
        slow.start();
        quick.start();
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

        threads.joinAll(TimeUnit.SECONDS.toNanos(30));

        assertThat(slow.isAlive()).isFalse();
        assertThat(quick.isAlive()).isFalse();
        assertThat(neverStarted.getState()).isEqualTo(Thread.State.NEW);
    }

    @Test
    void joiningWaitsForAnExecutorsThreadsThatOutliveItsTermination() throws Exception {
        PoolThreads threads = new PoolThreads("covet-test");
        var lifecycle = threads.lifecycle();
        CountDownLatch ran = new CountDownLatch(1);
        lifecycle.execute(ran::countDown);
        assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
        lifecycle.shutdown();
        assertThat(lifecycle.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        threads.joinAll(TimeUnit.SECONDS.toNanos(30));

        assertThat(Thread.getAllStackTraces().keySet()).as("the executor's thread has ended, not only its tasks")
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("covet-test-lifecycle"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
