package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.covet.interpreters.PythonException;
import io.covet.interpreters.PythonTask;
import io.covet.tasks.Deadline;
import io.covet.workers.WorkerCall;
import io.covet.workers.WorkerCrashedException;
import io.covet.workers.WorkerPool;
import io.covet.workers.WorkerStartException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lane PROCESS: a runtime with two CPython workers, driven from Python ({@code
 * src/test/python/cpython_checks.py}, in a pooled GraalPy interpreter) and from Java.
 */
class CpythonLaneTest {

    private static PerformanceManager runtime;

    @BeforeAll
    static void start() {
        runtime = PerformanceManager.start(RuntimeFixture.config().cpythonWorkers(2).build());
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Both workers up and idle: a test before may have had one killed, and its replacement may still start. */
    private static void awaitWorkersIdle() {
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "both workers up and idle",
                () -> workers().metrics().ready() == 2 && workers().metrics().busy() == 0);
    }

    private static void check(String name) {
        assertThatCode(() -> {
            awaitWorkersIdle();
            try {
                runtime.interpreters().run(PythonTask.call("cpython_checks", name));
            } catch (PythonException e) {
                throw new AssertionError(e.getMessage() + "\n" + e.pythonTraceback(), e);
            }
        }).doesNotThrowAnyException();
    }

    private static WorkerPool workers() {
        return runtime.workers().orElseThrow();
    }

    @Test void workRunsInACpythonProcess() { check("check_work_runs_in_a_cpython_process"); }
    @Test void everyValueTypeRoundTripsThroughAWorker() { check("check_every_value_type_round_trips_through_a_worker"); }
    @Test void parallelMapOnTheCpythonLaneKeepsOrderAcrossWorkers() { check("check_parallel_map_on_the_cpython_lane_keeps_order_across_workers"); }
    @Test void aTaskThatRaisesBringsItsExceptionAndTracebackBack() { check("check_a_task_that_raises_brings_its_exception_and_traceback_back"); }
    @Test void aWorkerThatDiesMidTaskFailsThatTaskOnly() { check("check_a_worker_that_dies_mid_task_fails_that_task_only"); }
    @Test void aTaskPastItsTimeoutRaisesTimeoutErrorAndItsWorkerIsReplaced() { check("check_a_task_past_its_timeout_raises_timeout_error_and_its_worker_is_replaced"); }
    @Test void covetWorksInsideAWorker() { check("check_covet_works_inside_a_worker"); }
    @Test void metricsShowTheProcessLaneAndItsWorkers() { check("check_metrics_show_the_process_lane_and_its_workers"); }

    @Test
    void numpyRunsInAWorker() throws Exception {
        Process probe = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes());
        assumeTrue(probe.waitFor() == 0, "numpy is not installed for the python3 on PATH, so this test cannot run: " + out.strip());
        check("check_numpy_runs_in_a_worker");
    }

    @Test
    void javaCallersUseTheLaneWithJavaValues() throws Exception {
        Object value = runtime.scheduler().submitProcess(WorkerCall.of("math", "factorial", 20), Deadline.none()).get(60, TimeUnit.SECONDS);
        assertThat(value).isEqualTo(2432902008176640000L);
        assertThat(runtime.scheduler().configured(Lane.PROCESS)).isTrue();
        assertThat(runtime.scheduler().metrics(Lane.PROCESS).tasks().capacity()).isEqualTo(2);
    }

    @Test
    void aWorkerKilledWithSigkillFailsItsTaskAndTheLaneKeepsServing() throws Exception {
        awaitWorkersIdle();
        CompletableFuture<Object> first = runtime.scheduler().submitProcess(WorkerCall.of("time", "sleep", 30), Deadline.none());
        CompletableFuture<Object> second = runtime.scheduler().submitProcess(WorkerCall.of("time", "sleep", 30), Deadline.none());
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "both workers busy", () -> workers().metrics().busy() >= 2);
        List<Long> before = workers().pids();
        assertThat(before).hasSize(2);
        new ProcessBuilder("kill", "-KILL", Long.toString(before.getFirst())).start().waitFor();
        new ProcessBuilder("kill", "-KILL", Long.toString(before.getLast())).start().waitFor();
        for (CompletableFuture<Object> f : List.of(first, second)) {
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WorkerCrashedException.class).hasMessageContaining("SIGKILL");
        }
        assertThat(runtime.scheduler().submitProcess(WorkerCall.of("operator", "add", 2, 3), Deadline.none()).get(60, TimeUnit.SECONDS))
                .isEqualTo(5);
        assertThat(workers().pids()).doesNotContainAnyElementsOf(before);
    }

    @Test
    void aDeadlineStopsAProcessTaskAndItsWorkerIsReplaced() throws Exception {
        awaitWorkersIdle();  // so the task starts at once, and its deadline passes while it runs
        long startedBefore = workers().metrics().started();
        long t0 = System.nanoTime();
        CompletableFuture<Object> f = runtime.scheduler().submitProcess(WorkerCall.of("time", "sleep", 30), Deadline.in(Duration.ofMillis(500)));
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("time.sleep()");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        // The killed worker counts as busy until its exit is seen; then a fresh one takes its place.
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "a replacement started, both workers up and idle",
                () -> workers().metrics().started() == startedBefore + 1 && workers().metrics().ready() == 2
                        && workers().metrics().busy() == 0);
    }

    @Test
    void functionsOfTheExecScriptRunInWorkersWithoutRerunningItsMainBlock(@TempDir Path dir) throws IOException {
        Path marker = dir.resolve("main-ran");
        Path script = dir.resolve("job.py");
        Files.writeString(script, """
                import sys
                from covet import perf

                @perf.cpu_intensive(use_native=False)
                def where(x):
                    return sys.implementation.name, x * 2, __name__, sys.argv

                if __name__ == "__main__":
                    impl, doubled, name, argv = where(21).result()
                    assert (impl, doubled, name) == ("cpython", 42, "__mp_main__"), (impl, doubled, name)
                    assert argv == sys.argv, (argv, sys.argv)
                    with open(%s, "a") as f:
                        f.write("main block ran\\n")
                """.formatted("'" + marker + "'"));
        PerformanceConfig config = RuntimeFixture.config().cpythonWorkers(1).mainScript(script)
                .mainArgv(List.of(script.toString(), "--flag"))
                .sandbox(io.covet.interpreters.SandboxPolicy.strict().withFileWrites(true)).build();
        try (PerformanceManager exec = PerformanceManager.start(config)) {
            assertThat(exec.exec(script, List.of("--flag"))).isZero();
        }
        assertThat(Files.readString(marker)).isEqualTo("main block ran\n");
    }

    @Test
    void shutdownLeavesNoWorkerProcess() {
        PerformanceManager own = PerformanceManager.start(RuntimeFixture.config().pythonInterpreters(1).cpythonWorkers(2).build());
        List<Long> pids = own.workers().orElseThrow().pids();
        assertThat(pids).hasSize(2);
        own.close();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("worker " + pid).isFalse();
        }
    }

    @Test
    void aMissingPython3IsAClearErrorAtStart() {
        assertThatThrownBy(() -> PerformanceManager.start(RuntimeFixture.config().cpythonWorkers(1).python3("no-such-python-for-covet").build()))
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("no 'no-such-python-for-covet' on PATH");
    }
}
