package io.covet.bench;

import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import io.covet.web.CovetServer;
import io.covet.web.WebConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * {@code covet bench http}: the example app served by {@code covet run}, loaded over loopback from
 * a separate process ({@link LoadGenerator}: wrk, else a Java client), side by side with the same
 * handlers under gunicorn's sync workers (CPython processes) in the same run:
 * <ul>
 *   <li>three handlers: a trivial JSON one ({@code GET /hello}), a CPU-bound pure-Python one
 *       ({@code GET /fib/20}) and {@code POST /compute/sum} of 10,000 numbers;</li>
 *   <li>Covet with 1 interpreter and with N; gunicorn with N workers;</li>
 *   <li>then a saturation run of the CPU-bound handler (60 s, many connections) on Covet with N,
 *       counting errors, and the heap after a full GC before and after it.</li>
 * </ul>
 */
public final class HttpSuite {

    public HttpSuite() {
    }

    public static final String SUITE = "http";
    static final int SUM_N = 10_000;

    /** One handler the suite loads; {@code body} is POSTed as JSON when not null. */
    record Handler(String name, String path, String body, long size) {
    }

    static final List<Handler> HANDLERS = List.of(
            new Handler("hello_json", "/hello", null, 1),
            new Handler("cpu_fib20", "/fib/20", null, 20),
            new Handler("compute_sum", "/compute/sum", sumBody(), SUM_N));

    /**
     * @param app         the app to serve (the project's examples/app.py)
     * @param threads     interpreters (and gunicorn workers) for the N runs
     * @param connections requests kept in flight during measurements
     * @param warmup      one warm-up round: load before a measurement, not counted; rounds repeat
     *                    until two in a row differ by at most 5% (the JIT has warmed up)
     * @param warmupRounds most warm-up rounds before measuring anyway
     * @param measure     length of each measurement
     * @param saturation  length of the saturation run
     * @param gunicorn    gunicorn executable for the peer, null to skip it
     */
    public record Options(Path app, int threads, int connections, Duration warmup, int warmupRounds, Duration measure,
                          Duration saturation, String gunicorn) {
        public Options {
            Objects.requireNonNull(app, "app");
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            if (!Files.isRegularFile(app)) {
                throw new IllegalArgumentException("--app " + app + ": no such file");
            }
        }

        public static Options full(Path app, int threads, String gunicorn) {
            return new Options(app, threads, 16, Duration.ofSeconds(5), 12, Duration.ofSeconds(15), Duration.ofSeconds(60), gunicorn);
        }

        /** Shorter warm-up and measurements; the saturation run keeps its 60 s. */
        public static Options quick(Path app, int threads, String gunicorn) {
            return new Options(app, threads, 16, Duration.ofSeconds(4), 6, Duration.ofSeconds(5), Duration.ofSeconds(60), gunicorn);
        }
    }

    public List<BenchRecord> run(Options options, ComputeSuite.Listener listener) throws IOException, InterruptedException {
        LoadGenerator load = LoadGenerator.find();
        if (load instanceof LoadGenerator.Java) {
            listener.peerSkipped("wrk is not installed; loading with " + load.describe());
        }
        int n = options.threads();
        int total = HANDLERS.size() * (n > 1 ? 2 : 1) + 1 + (options.gunicorn() != null ? HANDLERS.size() : 0);
        int[] step = {0};
        Map<String, LoadResult> one = new LinkedHashMap<>();
        Map<String, LoadResult> many = new LinkedHashMap<>();
        Saturation saturation;
        if (n > 1) {
            measureCovet(options, load, 1, one, listener, step, total, false);
            saturation = measureCovet(options, load, n, many, listener, step, total, true);
        } else {
            saturation = measureCovet(options, load, 1, one, listener, step, total, true);
            many = one;
        }
        Map<String, LoadResult> peer = new LinkedHashMap<>();
        String peerName = null;
        if (options.gunicorn() != null) {
            peerName = gunicorn(options, load, peer, listener, step, total);
        }
        listener.step(total, total, "done");
        return records(n, one, many, peer, peerName, saturation, options.saturation());
    }

    /** Errors over the saturation run and the heap (after a full GC) before and after it, in MB. */
    record Saturation(long requests, long errors, double heapBeforeMb, double heapAfterMb) {
    }

    private Saturation measureCovet(Options options, LoadGenerator load, int interpreters, Map<String, LoadResult> into,
                                    ComputeSuite.Listener listener, int[] step, int total, boolean saturate)
            throws IOException, InterruptedException {
        listener.step(step[0], total, "starting covet with " + interpreters + " interpreter" + (interpreters == 1 ? "" : "s"));
        PerformanceConfig config = PerformanceConfig.builder().pythonInterpreters(interpreters).cpuThreads(options.threads())
                .pythonPath(List.of(options.app().toAbsolutePath().getParent()))
                .allowedHosts(Set.of("127.0.0.1", "localhost")).build();
        try (PerformanceManager runtime = PerformanceManager.start(config)) {
            CovetServer server = CovetServer.start(runtime, WebConfig.of(options.app()).withPort(0).withAccessLog(false));
            try {
                String base = "http://127.0.0.1:" + server.port();
                for (Handler h : HANDLERS) {
                    listener.step(step[0], total, "covet, " + interpreters + " interpreter" + (interpreters == 1 ? "" : "s") + ": " + h.name());
                    into.put(h.name(), warmThenMeasure(load, base, h, options));
                    step[0]++;
                }
                if (!saturate) {
                    return null;
                }
                double before = heapAfterGcMb();
                listener.step(step[0], total, "covet, " + interpreters + " interpreters: " + options.saturation().toSeconds()
                        + " s saturation of cpu_fib20");
                Handler fib = HANDLERS.get(1);
                LoadResult sat = load.run(base + fib.path(), fib.body(), options.connections() * 4, options.saturation());
                step[0]++;
                double after = heapAfterGcMb();
                return new Saturation(sat.requests(), sat.errors(), before, after);
            } finally {
                server.stop(Duration.ofSeconds(30));
            }
        }
    }

    /** Warm-up rounds until the rate is stable (GraalPy's JIT takes a while on few cores), then the measurement. */
    private static LoadResult warmThenMeasure(LoadGenerator load, String base, Handler h, Options options)
            throws IOException, InterruptedException {
        double previous = 0;
        for (int round = 0; round < options.warmupRounds(); round++) {
            double rate = load.run(base + h.path(), h.body(), options.connections(), options.warmup()).requestsPerSecond();
            if (round > 0 && Math.abs(rate - previous) <= 0.05 * previous) {
                break;
            }
            previous = rate;
        }
        return load.run(base + h.path(), h.body(), options.connections(), options.measure());
    }

    private static double heapAfterGcMb() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed() / 1e6;
    }

    /** Serves the WSGI twin of the handlers with gunicorn's N sync workers and loads it the same way. */
    private String gunicorn(Options options, LoadGenerator load, Map<String, LoadResult> into, ComputeSuite.Listener listener,
                            int[] step, int total) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("covet-bench-http-");
        dir.toFile().deleteOnExit();
        ChildProcess.extract("python/wsgi_peer_app.py", dir.resolve("wsgi_peer_app.py"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String version;
        try {
            ChildProcess.Finished v = ChildProcess.run(List.of(options.gunicorn(), "--version"), null, Set.of(), Map.of(), 30, TimeUnit.SECONDS);
            version = v == null ? "?" : v.stdout().replaceAll("[^0-9.]", "").strip();
        } catch (IOException e) {
            listener.peerSkipped("gunicorn could not be started (" + e.getMessage() + "); install Debian's gunicorn");
            return null;
        }
        listener.step(step[0], total, "starting gunicorn with " + options.threads() + " sync workers");
        ProcessBuilder gunicorn = new ProcessBuilder(options.gunicorn(), "--workers", String.valueOf(options.threads()),
                "--bind", "127.0.0.1:" + port, "--chdir", dir.toString(), "--log-level", "warning", "wsgi_peer_app:app")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        gunicorn.environment().put("PYTHONDONTWRITEBYTECODE", "1");   // nothing left in the temp directory
        Process server = gunicorn.start();
        try {
            if (!awaitListening(port, server, Duration.ofSeconds(30))) {
                listener.peerFailed("gunicorn", "it did not listen on port " + port + " within 30 s");
                return null;
            }
            String base = "http://127.0.0.1:" + port;
            for (Handler h : HANDLERS) {
                listener.step(step[0], total, "gunicorn, " + options.threads() + " workers: " + h.name());
                into.put(h.name(), warmThenMeasure(load, base, h, options));
                step[0]++;
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
        return "gunicorn " + version + " (" + options.threads() + " sync workers, CPython)";
    }

    private static boolean awaitListening(int port, Process server, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && server.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    static List<BenchRecord> records(int n, Map<String, LoadResult> one, Map<String, LoadResult> many, Map<String, LoadResult> peer,
                                     String peerName, Saturation saturation, Duration saturationLength) {
        List<BenchRecord> out = new ArrayList<>();
        for (Handler h : HANDLERS) {
            LoadResult single = one.get(h.name());
            LoadResult all = many.get(h.name());
            LoadResult p = peer.get(h.name());
            out.add(new BenchRecord(SUITE, h.name() + "_rps", h.size(), 1, "req/s", BenchRecord.HIGHER, single.requestsPerSecond(),
                    null, null, null));
            out.add(new BenchRecord(SUITE, h.name() + "_rps", h.size(), n, "req/s", BenchRecord.HIGHER, all.requestsPerSecond(),
                    p == null ? null : peerName, p == null ? null : p.requestsPerSecond(), p == null ? null : n));
            out.add(new BenchRecord(SUITE, h.name() + "_scaling", h.size(), n, "x", BenchRecord.HIGHER,
                    all.requestsPerSecond() / single.requestsPerSecond(), "covet, 1 interpreter", 1.0, 1));
            out.add(new BenchRecord(SUITE, h.name() + "_p50", h.size(), n, "ms", BenchRecord.LOWER, all.p50Ms(),
                    p == null ? null : peerName, p == null ? null : p.p50Ms(), p == null ? null : n));
            out.add(new BenchRecord(SUITE, h.name() + "_p99", h.size(), n, "ms", BenchRecord.LOWER, all.p99Ms(),
                    p == null ? null : peerName, p == null ? null : p.p99Ms(), p == null ? null : n));
            long errors = single.errors() + all.errors();
            out.add(new BenchRecord(SUITE, h.name() + "_errors", h.size(), n, "responses", BenchRecord.LOWER, errors,
                    p == null ? null : peerName, p == null ? null : (double) p.errors(), p == null ? null : n));
        }
        out.add(new BenchRecord(SUITE, "saturation_errors", saturationLength.toSeconds(), n, "responses", BenchRecord.LOWER,
                saturation.errors(), null, null, null));
        out.add(new BenchRecord(SUITE, "saturation_rps", saturationLength.toSeconds(), n, "req/s", BenchRecord.HIGHER,
                saturation.requests() / (double) saturationLength.toSeconds(), null, null, null));
        out.add(new BenchRecord(SUITE, "heap_after_gc", 0, n, "MB", BenchRecord.LOWER, saturation.heapAfterMb(),
                "covet, before the saturation run", saturation.heapBeforeMb(), n));
        return out;
    }

    /** 10,000 numbers as a JSON array, the same every run. */
    private static String sumBody() {
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (int i = 0; i < SUM_N; i++) {
            j.add(String.format(Locale.ROOT, "%.2f", (i % 1000) * 0.25));
        }
        return j.toString();
    }
}
