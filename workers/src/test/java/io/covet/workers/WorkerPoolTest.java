package io.covet.workers;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.covet.tasks.ClosedException;
import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.Task;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerPoolTest {

    private static final String TASKS = "worker_tasks";
    private final List<WorkerPool> pools = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void closePools() {
        pools.forEach(p -> p.shutdown(Duration.ZERO));
    }

    private WorkerPool pool(int workers) {
        return pool(config(workers).build());
    }

    private WorkerPool pool(WorkerConfig config) {
        WorkerPool pool = WorkerPool.start(config);
        pools.add(pool);
        return pool;
    }

    private static WorkerConfig.Builder config(int workers) {
        return WorkerConfig.builder().workers(workers).pythonPath(List.of(tasksDir())).taskTimeout(Duration.ofSeconds(60));
    }

    private static Path tasksDir() {
        try {
            return Path.of(WorkerPoolTest.class.getResource("/pytasks/worker_tasks.py").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object call(WorkerPool pool, String function, Object... args) throws Exception {
        return pool.submit(WorkerCall.of(TASKS, function, args)).get(60, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<Object> future) throws Exception {
        try {
            future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the task succeeded: " + future.getNow(null));
    }

    private static void awaitBusy(WorkerPool pool, int busy) {
        eventually(Duration.ofSeconds(30), busy + " workers busy", () -> pool.metrics().busy() >= busy);
    }

    @Test
    void everyPlainValueTypeRoundTripsThroughAWorker() throws Exception {
        WorkerPool pool = pool(1);
        assertThat(call(pool, "echo", (Object) null)).isNull();
        assertThat(call(pool, "echo", true)).isEqualTo(true);
        assertThat(call(pool, "echo", 42)).isEqualTo(42);
        assertThat(call(pool, "echo", 1L << 40)).isEqualTo(1L << 40);
        BigInteger huge = BigInteger.TWO.pow(100).negate();
        assertThat(call(pool, "echo", huge)).isEqualTo(huge);
        assertThat(call(pool, "echo", -2.5)).isEqualTo(-2.5);
        assertThat((Double) call(pool, "echo", Double.NaN)).isNaN();
        assertThat(call(pool, "echo", "héllo, 世界 \uD83D\uDE00")).isEqualTo("héllo, 世界 \uD83D\uDE00");
        byte[] bytes = new byte[70_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        assertThat((byte[]) call(pool, "echo", (Object) bytes)).isEqualTo(bytes);
        assertThat(call(pool, "type_name", (Object) bytes)).isEqualTo("bytes");
        assertThat(call(pool, "echo", List.of(new int[] {1, -2}, new long[] {1L << 40}, new float[] {0.5f})).toString())
                .startsWith("[[I@");  // array.array('i'), ('q'), ('f') come back as Java arrays
        assertThat((int[]) ((List<?>) call(pool, "echo", List.of((Object) new int[] {1, -2}))).getFirst()).containsExactly(1, -2);
        assertThat(call(pool, "echo", List.of(1, "two", 3.0))).isEqualTo(List.of(1, "two", 3.0));
        assertThat((Object[]) call(pool, "echo", (Object) new Object[] {1, "x"})).containsExactly(1, "x");
        assertThat(call(pool, "type_name", (Object) new Object[] {1, "x"})).isEqualTo("tuple");
        Map<String, Object> map = new HashMap<>();
        map.put("a", List.of(1, 2));
        map.put("b", null);
        assertThat(call(pool, "echo", map)).isEqualTo(map);
        assertThat(call(pool, "echo", Set.of(1, 2, 3))).isEqualTo(new HashSet<>(List.of(1, 2, 3)));
        double[] doubles = {1.5, -2.25, 1e300};
        assertThat(call(pool, "type_name", (Object) doubles)).isEqualTo("array");
        assertThat((double[]) call(pool, "echo", (Object) doubles)).containsExactly(doubles);
        assertThat(call(pool, "echo", List.of(List.of(), Map.of("k", List.of(true))))).isEqualTo(List.of(List.of(), Map.of("k", List.of(true))));
        assertThat(pool.submit(WorkerCall.of(TASKS, "add", List.of(2, 3), Map.of("scale", 10))).get()).isEqualTo(50);
    }

    @Test
    void argumentsThatAreNotPlainValuesAreRefusedAtTheCall() {
        assertThatThrownBy(() -> WorkerCall.of(TASKS, "echo", new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 0 of worker_tasks.echo()")
                .hasMessageContaining("java.lang.Object cannot be sent to a CPython worker");
        assertThatThrownBy(() -> WorkerCall.of("not a module", "echo"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dotted Python name");
    }

    @Test
    void aTaskThatRaisesFailsWithItsTypeMessageAndTraceback() throws Exception {
        WorkerPool pool = pool(1);
        Throwable error = failure(pool.submit(WorkerCall.of(TASKS, "fail", "bad input")));
        assertThat(error).isInstanceOf(WorkerTaskException.class).hasMessageContaining("ValueError: bad input");
        WorkerTaskException task = (WorkerTaskException) error;
        assertThat(task.pythonType()).isEqualTo("ValueError");
        assertThat(task.pythonMessage()).isEqualTo("bad input");
        assertThat(task.pythonTraceback())
                .contains("worker_tasks.py", "in fail", "raise ValueError(message)")
                .doesNotContain("covet_worker");
        assertThat(task.pickledException()).isNotEmpty();
        // The worker survives its task's exception (SystemExit included) and runs the next one.
        assertThat(failure(pool.submit(WorkerCall.of(TASKS, "system_exit")))).hasMessageContaining("SystemExit: 4");
        assertThat(call(pool, "echo", 7)).isEqualTo(7);
        assertThat(pool.metrics().started()).isEqualTo(1);
        assertThat(failure(pool.submit(WorkerCall.of(TASKS, "no_such_function"))))
                .hasMessageContaining("AttributeError").hasMessageContaining("no_such_function");
        assertThat(failure(pool.submit(WorkerCall.of(TASKS, "unpicklable"))))
                .hasMessageContaining("cannot be sent back").hasMessageContaining("Unpicklable");
    }

    @Test
    void aWorkerKilledWithSigkillMidTaskFailsOnlyThatTaskAndIsReplaced() throws Exception {
        WorkerPool pool = pool(1);
        long pid = pool.pids().getFirst();
        CompletableFuture<Object> running = pool.submit(WorkerCall.of(TASKS, "sleep", 30));
        awaitBusy(pool, 1);
        CompletableFuture<Object> waiting = pool.submit(WorkerCall.of(TASKS, "echo", "next"));
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        Throwable error = failure(running);
        assertThat(error).isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("pid " + pid)
                .hasMessageContaining("was killed by signal 9 (SIGKILL")
                .hasMessageContaining("while running worker_tasks.sleep()");
        assertThat(((WorkerCrashedException) error).exitStatus()).isEqualTo(128 + 9);
        assertThat(waiting.get(60, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(pool.pids()).hasSize(1).doesNotContain(pid);
        assertThat(pool.metrics().crashed()).isEqualTo(1);
    }

    @Test
    void aWorkerThatExitsOrSegfaultsMidTaskReportsTheExitCause() throws Exception {
        WorkerPool pool = pool(1);
        assertThat(failure(pool.submit(WorkerCall.of(TASKS, "exit_now", 3))))
                .isInstanceOf(WorkerCrashedException.class).hasMessageContaining("exited with status 3 while running worker_tasks.exit_now()");
        Throwable segfault = failure(pool.submit(WorkerCall.of(TASKS, "segfault")));
        assertThat(segfault).isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("signal 11 (SIGSEGV, a segmentation fault)")
                .hasMessageContaining("Fatal Python error: Segmentation fault");  // faulthandler's report, from stderr
        assertThat(call(pool, "echo", "still serving")).isEqualTo("still serving");
        assertThat(pool.metrics().started()).isEqualTo(3);
    }

    @Test
    void aTaskPastItsTimeoutKillsItsWorkerWhichIsReplaced() throws Exception {
        WorkerPool pool = pool(2);
        List<Long> before = pool.pids();
        long started = System.nanoTime();
        Throwable error = failure(pool.submit(WorkerCall.of(TASKS, "sleep", 30).withTimeout(Duration.ofMillis(300))));
        assertThat(error).isInstanceOfSatisfying(DeadlineExceededException.class,
                e -> assertThat(e.phase()).isEqualTo(DeadlineExceededException.Phase.RUNNING))
                .hasMessageContaining("worker_tasks.sleep() ran past its time limit of 300 ms in the CPython worker pool");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(call(pool, "echo", 1)).isEqualTo(1);
        eventually(Duration.ofSeconds(30), "both workers ready again", () -> pool.metrics().ready() == 2
                && pool.pids().size() == 2 && pool.pids().stream().filter(before::contains).count() == 1);
        assertThat(pool.metrics().tasks().timedOut()).isEqualTo(1);
    }

    @Test
    void cancellingARunningTaskStopsItsWorker() throws Exception {
        WorkerPool pool = pool(1);
        long pid = pool.pids().getFirst();
        CompletableFuture<Object> running = pool.submit(WorkerCall.of(TASKS, "sleep", 30));
        awaitBusy(pool, 1);
        running.cancel(true);
        assertThat(call(pool, "echo", "after")).isEqualTo("after");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(pool.metrics().tasks().cancelled()).isEqualTo(1);
    }

    @Test
    void aQueuedTaskCanBeWithdrawnButARunningOneCannot() throws Exception {
        WorkerPool pool = pool(1);
        Task<WorkerCall> running = pool.enqueue(WorkerCall.of(TASKS, "sleep", 30), Deadline.none());
        awaitBusy(pool, 1);
        Task<WorkerCall> queued = pool.enqueue(WorkerCall.of(TASKS, "echo", 1), Deadline.none());
        assertThat(pool.withdraw(running)).isFalse();
        assertThat(pool.withdraw(queued)).isTrue();
        assertThat(pool.withdraw(queued)).as("only once").isFalse();
        running.cancel();
        assertThat(call(pool, "echo", 2)).isEqualTo(2);
        assertThat(queued.future()).as("the caller took it back: it is cancelled, it never ran").isCancelled();
    }

    @Test
    void processesATaskLeftBehindDieWithItsWorker() throws Exception {
        WorkerPool pool = pool(1);
        Path pidFile = tmp.resolve("orphan.pid");
        assertThat(failure(pool.submit(WorkerCall.of(TASKS, "spawn_then_exit", pidFile.toString()))))
                .isInstanceOf(WorkerCrashedException.class).hasMessageContaining("exited with status 1");
        long orphan = Long.parseLong(Files.readString(pidFile).strip());
        eventually(Duration.ofSeconds(10), "the dead worker's child process killed", () -> !alive(orphan));
    }

    @Test
    void tasksWaitingWhenNoWorkerCanStartFailInsteadOfHanging() throws Exception {
        Path flag = Files.createFile(tmp.resolve("python-is-here"));
        Path wrapper = tmp.resolve("python3-while-flag");
        Files.writeString(wrapper, "#!/bin/sh\n[ -f '" + flag + "' ] || { echo 'python3 is gone' >&2; exit 127; }\nexec python3 \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        WorkerPool pool = pool(config(2).python3(wrapper.toString()).build());
        Files.delete(flag);
        CompletableFuture<Object> first = pool.submit(WorkerCall.of(TASKS, "exit_now", 1));
        CompletableFuture<Object> second = pool.submit(WorkerCall.of(TASKS, "exit_now", 1));
        assertThat(failure(first)).isInstanceOf(WorkerCrashedException.class);
        assertThat(failure(second)).isInstanceOf(WorkerCrashedException.class);
        Throwable waiting = failure(pool.submit(WorkerCall.of(TASKS, "echo", 1)));
        assertThat(waiting).isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("no CPython worker is running to take worker_tasks.echo()")
                .hasMessageContaining("python3 is gone");
    }

    @Test
    void aWorkerIsReplacedAfterItsTaskLimit() throws Exception {
        WorkerPool pool = pool(config(1).maxTasksPerWorker(2).build());
        List<Object> pids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            pids.add(call(pool, "pid"));
        }
        assertThat(pids.get(0)).isEqualTo(pids.get(1));
        assertThat(pids.get(2)).isEqualTo(pids.get(3)).isNotEqualTo(pids.get(1));
        assertThat(pids.get(4)).isEqualTo(pids.get(5)).isNotEqualTo(pids.get(3));
        assertThat(pool.metrics().recycled()).isEqualTo(3);
    }

    @Test
    void manyConcurrentTasksAllCompleteWithTheirOwnResults() throws Exception {
        WorkerPool pool = pool(2);
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(pool.submit(WorkerCall.of(TASKS, "add", i, i)));
        }
        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(2 * i);
        }
        assertThat(pool.metrics().tasks().completed()).isEqualTo(300);
        assertThat(pool.metrics().tasks().queued()).isZero();
    }

    @Test
    void shutdownLeavesNoChildProcessBehind() throws Exception {
        WorkerPool pool = pool(2);
        List<Long> workers = pool.pids();
        Path pidFile = tmp.resolve("grandchild.pid");
        CompletableFuture<Object> running = pool.submit(WorkerCall.of(TASKS, "spawn_and_sleep", pidFile.toString()));
        eventually(Duration.ofSeconds(30), "the task started its child", () -> Files.exists(pidFile) && pidFile.toFile().length() > 0);
        long grandchild = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(alive(grandchild)).isTrue();

        pool.shutdown(Duration.ZERO);

        assertThat(failure(running)).isInstanceOf(ClosedException.class).hasMessageContaining("was running");
        for (long pid : workers) {
            assertThat(alive(pid)).as("worker " + pid).isFalse();
        }
        assertThat(alive(grandchild)).as("the task's own child process").isFalse();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).as("children in the process table").isEmpty();
        assertThatThrownBy(() -> pool.submit(WorkerCall.of(TASKS, "echo", 1))).isInstanceOf(ClosedException.class);
    }

    /** Alive and not a zombie: a killed process whose parent has not reaped it yet is gone for our purpose. */
    private static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shutdownLetsRunningTasksFinishWithinTheGrace() throws Exception {
        WorkerPool pool = pool(1);
        CompletableFuture<Object> running = pool.submit(WorkerCall.of(TASKS, "sleep", 0.3));
        CompletableFuture<Object> queued = pool.submit(WorkerCall.of(TASKS, "echo", "queued"));
        pool.shutdown(Duration.ofSeconds(30));
        assertThat(running.get()).isEqualTo(0.3);
        assertThat(queued.get()).isEqualTo("queued");
    }

    @Test
    void workerOutputGoesToTheLogTaggedWithTheWorkerId() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger output = Logger.getLogger("io.covet.workers.output");
        output.addHandler(capture);
        try {
            WorkerPool pool = pool(1);
            assertThat(call(pool, "chatter", "hello")).isEqualTo(5);
            eventually(Duration.ofSeconds(10), "both lines logged", () -> lines.size() >= 2);
            assertThat(lines).contains("INFO worker 1 stdout: hello", "WARNING worker 1 stderr: hello to stderr");
        } finally {
            output.removeHandler(capture);
        }
    }

    @Test
    void functionsOfTheMainScriptRunWithoutRerunningItsMainBlock() throws Exception {
        Path marker = tmp.resolve("main-block-ran");
        Path script = tmp.resolve("job.py");
        Files.writeString(script, """
                import sys

                def triple(x):
                    return 3 * x

                def argv():
                    return sys.argv

                if __name__ == "__main__":
                    open(%s, "w").close()
                """.formatted("'" + marker + "'"));
        WorkerPool pool = pool(config(1).mainScript(script, List.of(script.toString(), "--flag")).build());
        assertThat(pool.submit(WorkerCall.of("__main__", "triple", 14)).get()).isEqualTo(42);
        assertThat(pool.submit(WorkerCall.of("__main__", "argv")).get()).isEqualTo(List.of(script.toString(), "--flag"));
        assertThat(marker).doesNotExist();
    }

    @Test
    void aMissingInterpreterIsAClearErrorAtStart() {
        assertThatThrownBy(() -> WorkerPool.start(config(1).python3("no-such-python3-for-covet").build()))
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("no 'no-such-python3-for-covet' on PATH");
        assertThatThrownBy(() -> WorkerPool.start(config(1).python3(tmp.resolve("python3").toString()).build()))
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("is not an executable file");
    }

    @Test
    void anInterpreterThatCannotRunTheWorkerIsAClearErrorAtStart() throws Exception {
        Path fake = tmp.resolve("fake-python");
        Files.writeString(fake, "#!/bin/sh\necho 'this is not python' >&2\nexit 3\n");
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        assertThatThrownBy(() -> WorkerPool.start(config(1).python3(fake.toString()).build()))
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("exited with status 3 before it was ready")
                .hasMessageContaining("this is not python");
    }

    @Test
    void numpyRunsInsideAWorker() throws Exception {
        Process probe = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes());
        assumeTrue(probe.waitFor() == 0, "numpy is not installed for the python3 on PATH, so this test cannot run: " + out.strip());
        WorkerPool pool = pool(1);
        assertThat((Double) call(pool, "numpy_mean", List.of(1.0, 2.0, 4.5))).isCloseTo(2.5, within(1e-12));
        assertThat((Double) call(pool, "numpy_mean", (Object) new double[] {2, 4})).isCloseTo(3.0, within(1e-12));
    }

    @Test
    void metricsCountTasksByOutcome() throws Exception {
        WorkerPool pool = pool(1);
        call(pool, "echo", 1);
        failure(pool.submit(WorkerCall.of(TASKS, "fail", "x")));
        WorkerMetrics m = pool.metrics();
        assertThat(m.size()).isEqualTo(1);
        assertThat(m.ready()).isEqualTo(1);
        assertThat(m.busy()).isZero();
        assertThat(m.tasks().completed()).isEqualTo(1);
        assertThat(m.tasks().failed()).isEqualTo(1);
        assertThat(Arrays.asList(m.crashed(), m.tasks().timedOut(), m.tasks().cancelled(), m.recycled())).containsOnly(0L);
    }
}
