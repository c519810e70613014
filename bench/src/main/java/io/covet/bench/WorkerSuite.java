package io.covet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.interpreters.PythonTask;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import io.covet.workers.WorkerCall;
import io.covet.workers.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code covet bench workers}: the CPython worker lane against CPython's own
 * {@code ProcessPoolExecutor}, with the same number of worker processes, in the same run:
 * <ul>
 *   <li>empty-task latency: one empty task at a time, submitted and waited for;</li>
 *   <li>empty-task overhead: a batch of empty tasks in flight at once, time per task;</li>
 *   <li>small CPU task throughput: a batch of ~1 ms CPython tasks, tasks per second.</li>
 * </ul>
 * Covet is measured twice: from Python ({@code @perf.cpu_intensive(use_native=False)} in a Covet
 * interpreter, what an app sees) and from Java ({@link WorkerPool#submit} directly: the pool
 * alone, without the interpreter and the scheduler). Both sides run {@code covet_bench_workers.py}.
 */
public final class WorkerSuite {

    public WorkerSuite() {
    }

    public static final String SUITE = "workers";
    /** Empty tasks per batch. */
    static final int BATCH = 2000;
    /** Small CPU tasks per batch, and their size: sum(i*i for i in range(CPU_N)), about 1 ms in CPython here. */
    static final int CPU_TASKS = 200;
    static final int CPU_N = 20_000;
    private static final String MODULE = "covet_bench_workers";
    private static final long PEER_MINUTES = 10;

    public List<BenchRecord> run(PythonSuite.Options options, ComputeSuite.Listener listener) throws IOException {
        Path dir = Files.createTempDirectory("covet-bench-workers-");
        dir.toFile().deleteOnExit();
        Path script = ChildProcess.extract("python/" + MODULE + ".py", dir.resolve(MODULE + ".py"));
        int n = options.threads();
        String python = options.python() == null ? "python3" : options.python();
        double warmup = options.warmup().toSeconds();
        int samples = options.samples();
        int total = 5;
        listener.step(0, total, "starting a runtime with " + n + " CPython workers");
        // BATCH tasks in flight at once: the lane must let them all wait.
        PerformanceConfig config = PerformanceConfig.builder().pythonInterpreters(1).cpuThreads(n).cpythonWorkers(n).queueLimit(2 * BATCH)
                .python3(python).pythonPath(List.of(dir)).taskTimeout(Duration.ofMinutes(10)).build();
        Map<?, ?> fromPython;
        double[] fromJava;
        try (PerformanceManager runtime = PerformanceManager.start(config)) {
            listener.step(1, total, "covet, from Java (the worker pool alone)");
            fromJava = measureFromJava(runtime.workers().orElseThrow(), warmup, samples);
            listener.step(2, total, "covet, from Python (@perf.cpu_intensive(use_native=False))");
            fromPython = (Map<?, ?>) runtime.interpreters().run(PythonTask.call(MODULE, "measure_covet", warmup, samples,
                    BATCH, CPU_TASKS, CPU_N).withoutTimeout());
        }
        listener.step(3, total, "cpython ProcessPoolExecutor(" + n + ")");
        JsonNode peer = options.python() == null ? null : ChildProcess.runPythonPeer(options.python(), script,
                Map.of("workers", n, "warmup_s", warmup, "samples", samples, "batch", BATCH, "cpu_tasks", CPU_TASKS, "cpu_n", CPU_N),
                PEER_MINUTES, "the ProcessPoolExecutor peer", listener);
        listener.step(5, total, "done");
        return records(n, fromPython, fromJava, peer);
    }

    /** {latency ms, overhead µs per task} of empty tasks, and small CPU tasks per second, through the pool, from Java. */
    static double[] measureFromJava(WorkerPool pool, double warmupSeconds, int samples) {
        WorkerCall noop = WorkerCall.of(MODULE, "noop");
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmEnd) {
            join(pool.submit(noop));
        }
        double[] latencies = new double[samples * 200];
        for (int i = 0; i < latencies.length; i++) {
            long t = System.nanoTime();
            join(pool.submit(noop));
            latencies[i] = (System.nanoTime() - t) / 1e6;
        }
        double[] overheads = new double[samples];
        for (int s = -1; s < samples; s++) {  // one untimed batch first
            long t = System.nanoTime();
            List<CompletableFuture<Object>> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                batch.add(pool.submit(noop));
            }
            batch.forEach(WorkerSuite::join);
            if (s >= 0) {
                overheads[s] = (System.nanoTime() - t) / 1e3 / BATCH;
            }
        }
        WorkerCall cpu = WorkerCall.of(MODULE, "small_cpu", CPU_N);
        double[] rates = new double[samples];
        for (int s = -3; s < samples; s++) {  // three untimed batches first
            long t = System.nanoTime();
            List<CompletableFuture<Object>> batch = new ArrayList<>(CPU_TASKS);
            for (int i = 0; i < CPU_TASKS; i++) {
                batch.add(pool.submit(cpu));
            }
            batch.forEach(WorkerSuite::join);
            if (s >= 0) {
                rates[s] = CPU_TASKS / ((System.nanoTime() - t) / 1e9);
            }
        }
        return new double[] {median(latencies), median(overheads), median(rates)};
    }

    private static Object join(CompletableFuture<Object> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an empty task failed in a CPython worker: " + e.getCause(), e.getCause());
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    static List<BenchRecord> records(int n, Map<?, ?> fromPython, double[] fromJava, JsonNode peer) {
        String name = peer == null ? null : peer.get("peer").asText();
        Integer threads = peer == null ? null : n;
        List<BenchRecord> out = new ArrayList<>();
        out.add(new BenchRecord(SUITE, "empty_task_latency", 1, n, "ms", BenchRecord.LOWER, num(fromPython, "empty_latency_ms"),
                name == null ? null : name + " submit().result()", peerValue(peer, "empty_latency_ms"), threads));
        out.add(new BenchRecord(SUITE, "empty_task_latency_java_api", 1, n, "ms", BenchRecord.LOWER, fromJava[0],
                name == null ? null : name + " submit().result()", peerValue(peer, "empty_latency_ms"), threads));
        out.add(new BenchRecord(SUITE, "empty_task_overhead", BATCH, n, "us/task", BenchRecord.LOWER,
                num(fromPython, "empty_overhead_us"), name == null ? null : name + ", " + BATCH + " submits in flight",
                peerValue(peer, "empty_overhead_us"), threads));
        out.add(new BenchRecord(SUITE, "empty_task_overhead_java_api", BATCH, n, "us/task", BenchRecord.LOWER, fromJava[1],
                name == null ? null : name + ", " + BATCH + " submits in flight", peerValue(peer, "empty_overhead_us"), threads));
        out.add(new BenchRecord(SUITE, "small_cpu_task", CPU_N, n, "tasks/s", BenchRecord.HIGHER, num(fromPython, "cpu_tasks_per_s"),
                name == null ? null : name + ", " + CPU_TASKS + " submits in flight", peerValue(peer, "cpu_tasks_per_s"), threads));
        out.add(new BenchRecord(SUITE, "small_cpu_task_java_api", CPU_N, n, "tasks/s", BenchRecord.HIGHER, fromJava[2],
                name == null ? null : name + ", " + CPU_TASKS + " submits in flight", peerValue(peer, "cpu_tasks_per_s"), threads));
        return out;
    }

    private static Double peerValue(JsonNode peer, String key) {
        return peer == null || !peer.hasNonNull(key) ? null : peer.get(key).asDouble();
    }

    private static double num(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number number)) {
            throw new IllegalStateException("the benchmark's Python side returned no '" + key + "': " + m);
        }
        return number.doubleValue();
    }
}
