package io.covet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.interpreters.PythonTask;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code covet bench runtime}: the Python {@code covet} API as Python code sees it, measured from
 * inside a pooled interpreter, against CPython on the same machine in the same run:
 * <ul>
 *   <li>{@code parallel_map} of a pure-Python function over N interpreters vs a plain loop in one,
 *       and vs CPython's {@code ProcessPoolExecutor(N).map} on the same data and chunk size;</li>
 *   <li>{@code perf.sum_array} of 1e7 floats (from an {@code array.array} and from a list) vs
 *       CPython's built-in {@code sum()} on a list, and vs numpy's {@code sum} when installed;</li>
 *   <li>the per-call overhead of a trivial {@code @perf.cpu_intensive} function vs
 *       {@code ProcessPoolExecutor.submit(...).result()};</li>
 *   <li>covet.Array, resident in Java memory: {@code perf.sum_array} and
 *       {@code transform_array(..., 'sqrt')} of 1e7 float64 vs CPython's {@code sum()} and
 *       {@code [math.sqrt(x) for x in xs]}, and numpy; a CPython worker's numpy reaching a shared
 *       array of 1e6 and 1e7 elements vs a numpy array sent to a {@code ProcessPoolExecutor}.</li>
 * </ul>
 * Both sides run the same workload file, {@code covet_bench_runtime.py}.
 */
public final class RuntimeSuite {

    public RuntimeSuite() {
    }

    public static final String SUITE = "runtime";
    public static final int SUM_N = 10_000_000;
    /** Array sizes a CPython worker reaches (the same time at each: no copy). */
    static final List<Integer> WORKER_SIZES = List.of(1_000_000, 10_000_000);
    /** Items per parallel_map call (MAP_ITEMS in covet_bench_runtime.py). */
    static final int MAP_ITEMS = 64;
    private static final long PEER_MINUTES = 10;

    /** Reuses the python suite's timing options (warm-up, samples, sample length, N, CPython). */
    public List<BenchRecord> run(PythonSuite.Options options, ComputeSuite.Listener listener) throws IOException {
        Path dir = Files.createTempDirectory("covet-bench-runtime-");
        dir.toFile().deleteOnExit();
        ChildProcess.extract("python/covet_bench_runtime.py", dir.resolve("covet_bench_runtime.py"));
        Path peerScript = ChildProcess.extract("python/cpython_runtime_peer.py", dir.resolve("cpython_runtime_peer.py"));
        int n = options.threads();
        int total = 6;
        listener.step(0, total, "starting a runtime of " + n + " interpreters");
        PerformanceConfig.Builder builder = PerformanceConfig.builder().pythonInterpreters(n).cpuThreads(n)
                .pythonPath(List.of(dir)).taskTimeout(Duration.ofMinutes(10)).cpythonWorkers(1);
        if (options.python() != null) {
            builder.python3(options.python());
        }
        PerformanceConfig config = builder.build();
        Map<?, ?> map;
        Map<?, ?> sum;
        Map<?, ?> overhead;
        Map<?, ?> arrays;
        try (PerformanceManager runtime = PerformanceManager.start(config)) {
            listener.step(1, total, "parallel_map (covet, " + n + " interpreters and 1)");
            map = (Map<?, ?>) measure(runtime, "measure_parallel_map", options.warmup().toSeconds(), options.samples(),
                    options.minSample().toNanos() / 1e9);
            listener.step(2, total, "sum_array of " + SUM_N + " floats (covet)");
            sum = (Map<?, ?>) measure(runtime, "measure_sum_array", (long) SUM_N, options.samples() * 3);
            listener.step(3, total, "cpu_intensive call overhead (covet)");
            overhead = (Map<?, ?>) measure(runtime, "measure_call_overhead", options.samples() * 100L);
            listener.step(4, total, "covet.Array in Java memory: sum, sqrt, a worker's numpy (covet)");
            arrays = (Map<?, ?>) measure(runtime, "measure_java_arrays", (long) SUM_N, options.samples() * 3,
                    WORKER_SIZES.stream().map(Integer::longValue).toList());
        }
        listener.step(5, total, "cpython peers");
        JsonNode peer = options.python() == null ? null : peer(options, peerScript, listener);
        listener.step(6, total, "done");
        List<BenchRecord> out = records(n, map, sum, overhead, peer);
        out.addAll(arrayRecords(n, arrays, peer));
        return out;
    }

    private static Object measure(PerformanceManager runtime, String function, Object... args) {
        return runtime.interpreters().run(PythonTask.call("covet_bench_runtime", function, args).withoutTimeout());
    }

    static List<BenchRecord> records(int n, Map<?, ?> map, Map<?, ?> sum, Map<?, ?> overhead, JsonNode peer) {
        String version = peer == null ? null : peer.get("peer").asText();
        double parallel = num(map, "parallel_items_per_s");
        double one = num(map, "one_items_per_s");
        List<BenchRecord> out = new ArrayList<>();
        out.add(new BenchRecord(SUITE, "parallel_map_scaling", n, n, "x", BenchRecord.HIGHER, parallel / one,
                "covet, plain loop in 1 interpreter", 1.0, 1));
        out.add(new BenchRecord(SUITE, "parallel_map", MAP_ITEMS, n, "items/s", BenchRecord.HIGHER, parallel,
                peer == null ? null : "cpython-processpool (" + version + ", chunksize " + map.get("chunk_size") + ")",
                peer == null ? null : peer.get("map_processpool_items_per_s").asDouble(), peer == null ? null : n));
        out.add(new BenchRecord(SUITE, "parallel_map", MAP_ITEMS, n, "items/s", BenchRecord.HIGHER, parallel,
                peer == null ? null : "cpython (" + version + ", plain loop)",
                peer == null ? null : peer.get("map_one_items_per_s").asDouble(), peer == null ? null : 1));
        double fromArray = num(sum, "array_ms");
        out.add(new BenchRecord(SUITE, "sum_array_from_array", SUM_N, n, "ms", BenchRecord.LOWER, fromArray,
                peer == null ? null : "cpython sum(list) (" + version + ")",
                peer == null ? null : peer.get("sum_builtin_ms").asDouble(), peer == null ? null : 1));
        if (peer != null && peer.hasNonNull("numpy")) {
            out.add(new BenchRecord(SUITE, "sum_array_from_array", SUM_N, n, "ms", BenchRecord.LOWER, fromArray,
                    "numpy " + peer.get("numpy").asText() + " sum(float64 array)", peer.get("sum_numpy_ms").asDouble(), 1));
        }
        out.add(new BenchRecord(SUITE, "sum_array_from_list", SUM_N, n, "ms", BenchRecord.LOWER, num(sum, "list_ms"),
                peer == null ? null : "cpython sum(list) (" + version + ")",
                peer == null ? null : peer.get("sum_builtin_ms").asDouble(), peer == null ? null : 1));
        out.add(new BenchRecord(SUITE, "sum_array_from_array", SUM_N, n, "ms", BenchRecord.LOWER, fromArray,
                "graalpy sum(list) in the same interpreter", num(sum, "graalpy_builtin_sum_ms"), 1));
        out.add(new BenchRecord(SUITE, "cpu_intensive_call", 1, n, "ms", BenchRecord.LOWER, num(overhead, "per_call_ms"),
                peer == null ? null : "cpython-processpool submit().result() (" + version + ")",
                peer == null ? null : peer.get("submit_overhead_ms").asDouble(), peer == null ? null : n));
        return out;
    }

    static List<BenchRecord> arrayRecords(int n, Map<?, ?> arrays, JsonNode peer) {
        String version = peer == null ? null : peer.get("peer").asText();
        boolean numpy = peer != null && peer.hasNonNull("numpy");
        String numpyName = numpy ? "numpy " + peer.get("numpy").asText() : null;
        List<BenchRecord> out = new ArrayList<>();
        double sum = num(arrays, "resident_sum_ms");
        double sqrt = num(arrays, "resident_sqrt_ms");
        out.add(new BenchRecord(SUITE, "sum_array_resident", SUM_N, n, "ms", BenchRecord.LOWER, sum,
                peer == null ? null : "cpython sum(list) (" + version + ")",
                peer == null ? null : peer.get("sum_builtin_ms").asDouble(), peer == null ? null : 1));
        if (numpy) {
            out.add(new BenchRecord(SUITE, "sum_array_resident", SUM_N, n, "ms", BenchRecord.LOWER, sum,
                    numpyName + " a.sum()", peer.get("sum_numpy_ms").asDouble(), 1));
        }
        out.add(new BenchRecord(SUITE, "transform_sqrt_resident", SUM_N, n, "ms", BenchRecord.LOWER, sqrt,
                peer == null ? null : "cpython [math.sqrt(x) for x in xs] (" + version + ")",
                peer == null ? null : peer.get("sqrt_listcomp_ms").asDouble(), peer == null ? null : 1));
        if (numpy) {
            out.add(new BenchRecord(SUITE, "transform_sqrt_resident", SUM_N, n, "ms", BenchRecord.LOWER, sqrt,
                    numpyName + " numpy.sqrt(a)", peer.get("sqrt_numpy_ms").asDouble(), 1));
        }
        for (int size : WORKER_SIZES) {
            Object touch = arrays.get("worker_touch_" + size + "_ms");
            if (touch instanceof Number ms) {
                String key = "processpool_touch_" + size + "_ms";
                boolean peerHas = numpy && peer.hasNonNull(key);
                out.add(new BenchRecord(SUITE, "worker_numpy_shared_array", size, 1, "ms", BenchRecord.LOWER, ms.doubleValue(),
                        peerHas ? "cpython-processpool, " + numpyName + " array pickled" : null,
                        peerHas ? peer.get(key).asDouble() : null, peerHas ? 1 : null));
            }
        }
        return out;
    }

    private static double num(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number number)) {
            throw new IllegalStateException("the benchmark's Python side returned no '" + key + "': " + m);
        }
        return number.doubleValue();
    }

    private static JsonNode peer(PythonSuite.Options options, Path script, ComputeSuite.Listener listener) {
        Map<String, Object> request = Map.of("workers", options.threads(), "warmup_s", 2.0, "samples", options.samples(),
                "min_sample_s", options.minSample().toMillis() / 1000.0, "sum_n", SUM_N, "worker_sizes", WORKER_SIZES);
        return ChildProcess.runPythonPeer(options.python(), script, request, PEER_MINUTES, "cpython peers for the runtime suite",
                listener);
    }
}
