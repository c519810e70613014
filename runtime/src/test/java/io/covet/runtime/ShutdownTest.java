package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.covet.tasks.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownTest {

    @Test
    void shutdownTellsEveryWaitingAndRunningTaskAndLeavesNoRuntimeThread() throws Exception {
        PerformanceManager runtime = PerformanceManager.start(RuntimeFixture.config().ioThreads(1).build());
        List<CompletableFuture<Object>> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(runtime.scheduler().submitIo(() -> {
                Thread.sleep(60_000);
                return null;
            }, Deadline.none(), "sleeper " + i));
        }
        runtime.shutdown(Duration.ofMillis(200));
        for (CompletableFuture<Object> t : tasks) {
            assertThat(t).isCompletedExceptionally();
            try {
                t.get(1, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(LaneUnavailableException.class).hasMessageContaining("lane IO shut down while sleeper");
            }
        }
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(10), "no runtime thread left", () -> Thread.getAllStackTraces()
                .keySet().stream().map(Thread::getName).noneMatch(n -> n.startsWith("covet-py") || n.startsWith("covet-compute")));
    }
}
