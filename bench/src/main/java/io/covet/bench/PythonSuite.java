package io.covet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.interpreters.InterpreterPool;
import io.covet.interpreters.PoolConfig;
import io.covet.interpreters.PythonTask;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code covet bench python}: pure-Python CPU workloads as batches of tasks through Covet's
 * interpreter pool (1 interpreter and N), and in the same run through CPython single-threaded,
 * with a ThreadPoolExecutor of N and with a ProcessPoolExecutor of N (start-up excluded and
 * included). Also the pool's cold start, memory per interpreter and warm per-task latency.
 *
 * <p>Both sides run the same file, {@code covet_bench_workloads.py}.
 */
public final class PythonSuite {

    public PythonSuite() {
    }

    public static final String SUITE = "python";
    public static final List<String> WORKLOADS = List.of("fib27", "json_roundtrip", "json_small", "json_unicode", "nbody", "spectral_norm");
    /** What the cold-start pool imports in every interpreter (the figure the target names). */
    public static final List<String> COLD_START_PRELOAD = List.of("json", "re", "dataclasses", "typing");

    private static final long PEER_MINUTES = 10;
    /** Longest warm-up of one workload on one pool before it is measured anyway. */
    private static final Duration MAX_WARMUP = Duration.ofSeconds(90);

    /**
     * @param warmup     how long each pool runs a workload before it is measured (GraalPy's JIT needs seconds)
     * @param samples    timed samples per figure; the median is reported
     * @param minSample  shortest timed sample
     * @param python     CPython for the peers, or null for none
     */
    public record Options(Duration warmup, int samples, Duration minSample, int threads, String python, List<String> workloads) {

        public Options {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            for (String w : workloads) {
                if (!WORKLOADS.contains(w)) {
                    throw new IllegalArgumentException("unknown workload '" + w + "'; valid: " + String.join(", ", WORKLOADS));
                }
            }
            workloads = workloads.isEmpty() ? WORKLOADS : List.copyOf(workloads);
        }

        /**
         * Warm-up of at least 15 s per workload and pool: in a JVM that has just started, GraalPy
         * was seen to run fib27 50x slower than when warm for the first 15-25 s, while the Graal
         * compiler is itself being compiled and works through the start-up's compilations.
         */
        public static Options quick(int threads, String python, List<String> workloads) {
            return new Options(Duration.ofSeconds(15), 3, Duration.ofSeconds(1), threads, python, workloads);
        }

        public static Options full(int threads, String python, List<String> workloads) {
            return new Options(Duration.ofSeconds(30), 5, Duration.ofSeconds(2), threads, python, workloads);
        }
    }


    public List<BenchRecord> run(Options options, ComputeSuite.Listener listener) throws IOException {
        Path dir = Files.createTempDirectory("covet-bench-python-");
        dir.toFile().deleteOnExit();
        ChildProcess.extract("python/covet_bench_workloads.py", dir.resolve("covet_bench_workloads.py"));
        Path peerScript = ChildProcess.extract("python/cpython_peer.py", dir.resolve("cpython_peer.py"));
        int n = options.threads();
        int total = 2 + options.workloads().size() * 3;
        int done = 0;
        List<BenchRecord> records = new ArrayList<>();

        // Cold start first, while this JVM has run no Python yet: start to N interpreters ready with
        // the preloads imported, then the first result.
        listener.step(done, total, "cold start of " + n + " interpreters");
        Memory before = Memory.now();
        long t0 = System.nanoTime();
        PoolConfig configN = PoolConfig.builder().size(n).pythonPath(dir)
                .preload(concat(COLD_START_PRELOAD, "covet_bench_workloads")).taskTimeout(Duration.ofMinutes(5)).build();
        InterpreterPool poolN = InterpreterPool.start(configN);
        poolN.eval("1");
        double coldStart = (System.nanoTime() - t0) / 1e9;
        Memory after = Memory.now();
        listener.step(++done, total, "cold start " + String.format(java.util.Locale.ROOT, "%.1f s", coldStart));

        Map<String, JsonNode> peers = new java.util.LinkedHashMap<>();
        try (poolN; InterpreterPool pool1 = InterpreterPool.start(PoolConfig.builder().size(1).pythonPath(dir)
                .preload("covet_bench_workloads").taskTimeout(Duration.ofMinutes(5)).build())) {
            listener.step(++done, total, "pools ready");
            for (String workload : options.workloads()) {
                listener.step(done, total, workload + " (covet, " + n + " interpreters)");
                double rateN = rate(poolN, workload, n, options);
                listener.step(++done, total, workload + " (covet, 1 interpreter)");
                double rate1 = rate(pool1, workload, 1, options);
                double latency = latencyMs(pool1, workload, options);
                listener.step(++done, total, workload + " (cpython peers)");
                JsonNode peer = options.python() == null ? null : peer(options, peerScript, workload, listener);
                if (peer != null) {
                    peers.put(workload, peer);
                }
                listener.step(++done, total, workload);
                records.addAll(workloadRecords(workload, n, rate1, rateN, latency, peer));
            }
        }
        JsonNode anyPeer = peers.values().stream().findFirst().orElse(null);
        records.add(new BenchRecord(SUITE, "cold_start", n, n, "s", BenchRecord.LOWER, coldStart,
                anyPeer == null ? null : "cpython-processpool-startup (" + anyPeer.get("peer").asText() + ", same imports)",
                anyPeer == null ? null : anyPeer.get("cold_start_s").asDouble(), anyPeer == null ? null : n));
        records.add(new BenchRecord(SUITE, "heap_per_interpreter", n, n, "MB", BenchRecord.LOWER,
                (after.heapMb() - before.heapMb()) / n, null, null, null));
        records.add(new BenchRecord(SUITE, "rss_per_interpreter", n, n, "MB", BenchRecord.LOWER,
                (after.rssMb() - before.rssMb()) / n,
                anyPeer == null ? null : "cpython-processpool worker RSS (" + anyPeer.get("peer").asText() + ")",
                anyPeer == null || !anyPeer.has("worker_rss_mb") ? null : anyPeer.get("worker_rss_mb").asDouble(),
                anyPeer == null ? null : 1));
        return records;
    }

    private static List<BenchRecord> workloadRecords(String workload, int n, double rate1, double rateN, double latencyMs,
                                                     JsonNode peer) {
        List<BenchRecord> out = new ArrayList<>();
        String version = peer == null ? null : peer.get("peer").asText();
        out.add(record(workload, 1, "tasks/s", BenchRecord.HIGHER, rate1, peer, "cpython", version, 1));
        out.add(record(workload, n, "tasks/s", BenchRecord.HIGHER, rateN, peer, "cpython-threads", version, n));
        out.add(record(workload, n, "tasks/s", BenchRecord.HIGHER, rateN, peer, "cpython-processpool", version, n));
        out.add(record(workload, n, "tasks/s", BenchRecord.HIGHER, rateN, peer, "cpython-processpool-startup", version, n));
        out.add(new BenchRecord(SUITE, workload + "_latency", 1, 1, "ms", BenchRecord.LOWER, latencyMs,
                peer == null ? null : "cpython (" + version + ")", peer == null ? null : peer.get("latency_ms").asDouble(),
                peer == null ? null : 1));
        out.add(new BenchRecord(SUITE, workload + "_scaling", n, n, "x", BenchRecord.HIGHER, rateN / rate1, null, null, null));
        return out;
    }

    private static BenchRecord record(String workload, int threads, String unit, String better, double covet, JsonNode peer,
                                      String mode, String version, int peerThreads) {
        JsonNode value = peer == null ? null : peer.get("results").get(mode);
        return new BenchRecord(SUITE, workload, threads, threads, unit, better, covet,
                value == null ? null : mode + " (" + version + ")", value == null ? null : value.asDouble(),
                value == null ? null : peerThreads);
    }

    /**
     * Median tasks/s of batches of {@code 2 * size} tasks, after warming every interpreter up:
     * GraalPy's JIT needs from a few to tens of seconds (more in a JVM that has just started, while
     * the Graal compiler itself is still being compiled), so the warm-up runs at least
     * {@code options.warmup()} and then until two successive one-second windows agree within 10%
     * (at most {@link #MAX_WARMUP}).
     */
    private static double rate(InterpreterPool pool, String workload, int size, Options options) {
        int batch = 2 * size;
        long start = System.nanoTime();
        long minEnd = start + options.warmup().toNanos();
        long maxEnd = start + MAX_WARMUP.toNanos();
        double previous = 0;
        while (true) {
            double current = windowRate(pool, workload, batch, 1_000_000_000L);
            long now = System.nanoTime();
            boolean steady = previous > 0 && Math.abs(current - previous) <= 0.1 * previous;
            if (now >= maxEnd || (now >= minEnd && steady)) {
                break;
            }
            previous = current;
        }
        double[] rates = new double[options.samples()];
        for (int s = 0; s < rates.length; s++) {
            rates[s] = windowRate(pool, workload, batch, options.minSample().toNanos());
        }
        return median(rates);
    }

    /** Tasks/s over whole batches lasting at least {@code nanos}. */
    private static double windowRate(InterpreterPool pool, String workload, int batch, long nanos) {
        long start = System.nanoTime();
        long tasks = 0;
        long elapsed;
        do {
            runBatch(pool, workload, batch);
            tasks += batch;
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        return tasks / (elapsed / 1e9);
    }

    private static void runBatch(InterpreterPool pool, String workload, int tasks) {
        List<CompletableFuture<Object>> futures = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            futures.add(pool.submit(PythonTask.call("covet_bench_workloads", "run", workload)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    }

    /** Median time of one task on a warm, idle interpreter, in milliseconds (submission to result). */
    private static double latencyMs(InterpreterPool pool, String workload, Options options) {
        double[] ms = new double[Math.max(9, options.samples() * 3)];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            pool.call("covet_bench_workloads", "run", workload);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return median(ms);
    }

    private static JsonNode peer(Options options, Path script, String workload, ComputeSuite.Listener listener) {
        Map<String, Object> request = Map.of("workload", workload, "workers", options.threads(),
                "warmup_s", 1.0, "samples", options.samples(),
                "min_sample_s", options.minSample().toMillis() / 1000.0,
                "modes", List.of("cpython", "cpython-threads", "cpython-processpool", "cpython-processpool-startup"));
        return ChildProcess.runPythonPeer(options.python(), script, request, PEER_MINUTES, "cpython peers for " + workload, listener);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static List<String> concat(List<String> list, String extra) {
        List<String> out = new ArrayList<>(list);
        out.add(extra);
        return out;
    }

    /** Heap in use after a GC, and the process's resident set, in MB. */
    private record Memory(double heapMb, double rssMb) {

        static Memory now() {
            System.gc();
            double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
            double rss = 0;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                rss = Double.NaN;
            }
            return new Memory(heap, rss);
        }
    }
}
