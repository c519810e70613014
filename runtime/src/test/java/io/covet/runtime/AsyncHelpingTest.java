package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.covet.interpreters.PythonTask;
import io.covet.tasks.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Coroutine tasks that await sub-tasks of the same pool cannot deadlock it: with every
 * interpreter's in-flight slots taken by tasks that await queued sub-tasks, no interpreter could
 * take those sub-tasks from the queue; each runs its own awaited sub-tasks itself instead.
 */
class AsyncHelpingTest {

    @Test
    void coroutinesAwaitingSubTasksFinishWhenEveryInFlightSlotIsTaken() throws Exception {
        try (PerformanceManager runtime = PerformanceManager.start(RuntimeFixture.config().maxInFlight(2).build())) {
            List<CompletableFuture<Object>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {  // 2 interpreters x 2 slots
                tasks.add(runtime.scheduler().submitPython(PythonTask.call("api_checks", "mapped_squares", 12),
                        Deadline.in(Duration.ofSeconds(120))));
            }
            List<Object> squares = LongStream.range(0, 12).mapToObj(x -> (Object) (x * x)).toList();
            for (CompletableFuture<Object> t : tasks) {
                assertThat(t.get(150, TimeUnit.SECONDS)).isEqualTo(squares);
            }
        }
    }
}
