package io.covet.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * {@code covet bench startup}: how soon a server answers, side by side with CPython's servers,
 * each started as a new process the way its users start it:
 * <ul>
 *   <li>the time from the command to the first 200 on the app's route, for the example app
 *       (Covet vs gunicorn's sync workers and uvicorn's) and a Flask app (vs gunicorn); for Covet
 *       also the time until {@code /readyz} says every interpreter has the app;</li>
 *   <li>the warm-up curve: requests/s second by second under load (wrk, 16 connections) from the
 *       first 200 on, for {@code /hello} and {@code /fib/20} of the example app, Covet vs gunicorn,
 *       each on a freshly started server; and when Covet reached 90% of its own last ten seconds;</li>
 *   <li>the same for Covet started with {@code --warmup /hello --warmup /fib/20}, loaded from when
 *       {@code /readyz} says ready (as behind a load balancer that follows it), and that time.</li>
 * </ul>
 * Covet's child runs {@code io.covet.cli.Main} in a JVM with this one's flags and class path (the
 * {@code covet} launcher without its bash). Times are medians of {@code runs} starts.
 */
public final class StartupSuite {

    public static final String SUITE = "startup";
    /** Connections of the warm-up load: enough to keep every interpreter and worker busy. */
    static final int CURVE_CONNECTIONS = 16;
    /** Seconds of the curve reported as records (when the curve is that long). */
    private static final int[] REPORTED_SECONDS = {1, 2, 5, 10, 20, 30, 60};
    private static final Duration START_LIMIT = Duration.ofSeconds(180);
    /** The route whose first 200 counts: every app measured has it (a small JSON answer). */
    private static final String ROUTE = "/hello";

    /**
     * @param exampleApp the project's examples/app.py
     * @param packages   where Flask is imported from (Debian's dist-packages), for the Flask app
     * @param flask      measure the Flask app too
     * @param threads    interpreters, and gunicorn and uvicorn workers
     * @param runs       starts per server for the start-up times (median)
     * @param curve      length of each warm-up curve (zero: none)
     * @param covet      the command that runs {@code covet}, arguments to follow
     * @param gunicorn   gunicorn executable, null to skip the peers
     * @param python3    the CPython whose uvicorn is the ASGI peer
     */
    public record Options(Path exampleApp, Path packages, boolean flask, int threads, int runs, Duration curve,
                          List<String> covet, String gunicorn, String python3) {
        public Options {
            Objects.requireNonNull(exampleApp, "exampleApp");
            if (threads < 1 || runs < 1) {
                throw new IllegalArgumentException("threads and runs must be at least 1");
            }
            covet = List.copyOf(covet);
        }
    }

    /**
     * How to start one server on a port, and how to tell it has every worker up ({@code readyPath},
     * null: its first 200); {@code loadWhenReady}: its warm-up curve starts there, not at the first 200.
     */
    private record Server(String name, IntFunction<List<String>> command, Path dir, Map<String, String> env, String readyPath,
                          boolean loadWhenReady) {
    }

    // HTTP/1.1: an h2c upgrade request (the client's default) is not what users send, and uvicorn does not answer it.
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    public List<BenchRecord> run(Options options, ComputeSuite.Listener listener) throws IOException, InterruptedException {
        LoadGenerator load = LoadGenerator.find();
        if (load instanceof LoadGenerator.Java) {
            listener.peerSkipped("wrk is not installed; loading with " + load.describe());
        }
        int n = options.threads();
        Path example = options.exampleApp().toAbsolutePath();
        Server covetExample = covet(options, example, List.of());
        // The same, warming its routes before /readyz says ready: what a load balancer that follows /readyz sees.
        Server covetWarmed = covet(options, example, List.of("--warmup", "/hello", "--warmup", "/fib/20"));
        Server gunicornExample = null;
        Server uvicornExample = null;
        Server covetFlask = null;
        Server gunicornFlask = null;
        if (options.flask()) {
            Path flask = extract("flask_bench_app.py");
            covetFlask = covet(options, flask, List.of("--python-path", options.packages().toString()));
        }
        if (options.gunicorn() != null) {
            gunicornExample = gunicorn(options, extract("wsgi_peer_app.py"));
            uvicornExample = uvicorn(options, extract("asgi_peer_app.py"));
            if (options.flask()) {
                gunicornFlask = gunicorn(options, extract("flask_bench_app.py"));
            }
        }
        List<Server> servers = new ArrayList<>();
        for (Server s : new Server[]{covetExample, covetWarmed, gunicornExample, uvicornExample, covetFlask, gunicornFlask}) {
            if (s != null) {
                servers.add(s);
            }
        }
        boolean curves = !options.curve().isZero();
        int total = servers.size() * options.runs() + (curves ? 2 * (gunicornExample != null ? 3 : 2) : 0);
        int[] step = {0};

        Map<Server, Starts> starts = new java.util.LinkedHashMap<>();
        for (Server s : servers) {
            starts.put(s, starts(s, options.runs(), listener, step, total));
        }
        List<BenchRecord> out = new ArrayList<>();
        record(out, "first_200_example", n, starts.get(covetExample).first(), gunicornExample, starts.get(gunicornExample));
        record(out, "first_200_example_vs_uvicorn", n, starts.get(covetExample).first(), uvicornExample, starts.get(uvicornExample));
        record(out, "all_ready_example", n, starts.get(covetExample).all(), gunicornExample, starts.get(gunicornExample));
        record(out, "ready_after_warmup_example", n, starts.get(covetWarmed).all(), gunicornExample, starts.get(gunicornExample));
        if (covetFlask != null) {
            record(out, "first_200_flask", n, starts.get(covetFlask).first(), gunicornFlask, starts.get(gunicornFlask));
            record(out, "all_ready_flask", n, starts.get(covetFlask).all(), gunicornFlask, starts.get(gunicornFlask));
        }
        if (curves) {
            for (String path : List.of("/hello", "/fib/20")) {
                String name = path.equals("/hello") ? "hello" : "fib20";
                double[] covetCurve = curve(covetExample, path, options, load, listener, step, total);
                double[] warmedCurve = curve(covetWarmed, path, options, load, listener, step, total);
                double[] peerCurve = gunicornExample == null ? null : curve(gunicornExample, path, options, load, listener, step, total);
                curveRecords(out, name + "_rps_second_", covetCurve, peerCurve, gunicornExample, n);
                curveRecords(out, name + "_after_warmup_rps_second_", warmedCurve, peerCurve, gunicornExample, n);
                out.add(new BenchRecord(SUITE, name + "_seconds_to_90pct_of_own_last_10s", covetCurve.length, n, "s",
                        BenchRecord.LOWER, secondsTo90Percent(covetCurve), null, null, null));
                if (peerCurve != null) {
                    out.add(new BenchRecord(SUITE, name + "_seconds_below_peer", covetCurve.length, n, "s", BenchRecord.LOWER,
                            secondsBelow(covetCurve, peerCurve), null, null, null));
                }
            }
        }
        return out;
    }

    /** The curve's reported seconds, each against the peer's same second. */
    private static void curveRecords(List<BenchRecord> out, String prefix, double[] covet, double[] peer, Server peerServer, int n) {
        for (int second : REPORTED_SECONDS) {
            if (second <= covet.length) {
                boolean withPeer = peer != null && second <= peer.length;
                out.add(new BenchRecord(SUITE, prefix + second, second, n, "req/s", BenchRecord.HIGHER, covet[second - 1],
                        withPeer ? peerServer.name() : null, withPeer ? peer[second - 1] : null, withPeer ? n : null));
            }
        }
    }

    /** Medians of start-up times: to the first 200, and to every interpreter or worker up. */
    private record Starts(double first, double all) {
    }

    private static void record(List<BenchRecord> out, String name, int n, double covet, Server peer, Starts peerStarts) {
        boolean withPeer = peer != null && peerStarts != null && !Double.isNaN(peerStarts.first());
        out.add(new BenchRecord(SUITE, name, 1, n, "s", BenchRecord.LOWER, covet, withPeer ? peer.name() : null,
                withPeer ? peerStarts.first() : null, withPeer ? n : null));
    }

    private Starts starts(Server server, int runs, ComputeSuite.Listener listener, int[] step, int total)
            throws IOException, InterruptedException {
        double[] first = new double[runs];
        double[] all = new double[runs];
        for (int r = 0; r < runs; r++) {
            listener.step(step[0]++, total, "starting " + server.name() + " (" + (r + 1) + "/" + runs + ")");
            Started s = start(server);
            try {
                first[r] = s.firstSeconds();
                all[r] = s.awaitAllReady();
            } finally {
                s.stop();
            }
        }
        return new Starts(Timing.median(first), Timing.median(all));
    }

    /** Requests/s in each second of load from the first 200 on, on a fresh server. */
    private double[] curve(Server server, String path, Options options, LoadGenerator load, ComputeSuite.Listener listener,
                           int[] step, int total) throws IOException, InterruptedException {
        listener.step(step[0]++, total, server.name() + ": warm-up curve of " + path + " (" + options.curve().toSeconds() + " s)");
        Started s = start(server);
        try {
            if (server.loadWhenReady()) {
                s.awaitAllReady();   // behind a load balancer that follows /readyz
            } else {
                s.firstSeconds();   // from the first 200 on, as a deploy's traffic arrives
            }
            int seconds = (int) options.curve().toSeconds();
            double[] rps = new double[seconds];
            for (int i = 0; i < seconds; i++) {
                rps[i] = load.run(s.base() + path, null, CURVE_CONNECTIONS, Duration.ofSeconds(1)).requestsPerSecond();
            }
            return rps;
        } finally {
            s.stop();
        }
    }

    /** The first second (1-based) from which the curve stays at or above 90% of its last ten seconds' median. */
    static double secondsTo90Percent(double[] curve) {
        double target = 0.9 * Timing.median(java.util.Arrays.copyOfRange(curve, Math.max(0, curve.length - 10), curve.length));
        int from = curve.length;
        while (from > 0 && curve[from - 1] >= target) {
            from--;
        }
        return from + 1;
    }

    /** Seconds in which Covet served fewer requests than the peer. */
    static double secondsBelow(double[] covet, double[] peer) {
        int below = 0;
        for (int i = 0; i < Math.min(covet.length, peer.length); i++) {
            if (covet[i] < peer[i]) {
                below++;
            }
        }
        return below;
    }

    // ---- servers ------------------------------------------------------------------------------

    private static Server covet(Options options, Path app, List<String> extra) {
        List<String> args = new ArrayList<>(options.covet());
        args.addAll(List.of("run", app.toString(), "--interpreters", Integer.toString(options.threads()), "--no-access-log"));
        args.addAll(extra);
        boolean warms = extra.contains("--warmup");
        return new Server("covet (" + options.threads() + " interpreters" + (warms ? ", --warmup" : "") + "), " + app.getFileName(),
                port -> {
                    List<String> c = new ArrayList<>(args);
                    c.addAll(List.of("--port", Integer.toString(port)));
                    return c;
                }, app.getParent(), Map.of(), "/readyz", warms);
    }

    private static Server gunicorn(Options options, Path script) {
        String module = script.getFileName().toString().replace(".py", "");
        return new Server("gunicorn (" + options.threads() + " sync workers), " + script.getFileName(),
                port -> List.of(options.gunicorn(), "--workers", Integer.toString(options.threads()), "--bind",
                        "127.0.0.1:" + port, module + ":app"),
                script.getParent(), Map.of("PYTHONPATH", options.packages().toString()), null, false);
    }

    private static Server uvicorn(Options options, Path script) {
        String module = script.getFileName().toString().replace(".py", "");
        return new Server("uvicorn (" + options.threads() + " workers, uvloop, httptools), " + script.getFileName(),
                port -> List.of(options.python3(), "-m", "uvicorn", "--workers", Integer.toString(options.threads()),
                        "--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--port", Integer.toString(port),
                        module + ":app"),
                script.getParent(), Map.of(), null, false);
    }

    private static Path extract(String script) throws IOException {
        Path dir = Files.createTempDirectory("covet-bench-startup-");
        dir.toFile().deleteOnExit();
        return ChildProcess.extract("python/" + script, dir.resolve(script));
    }

    /** A server started now: when it first answered 200 on its route. */
    private final class Started {
        private final Server server;
        private final Process process;
        private final long startNanos;
        private final String base;
        private final String route;
        private double firstSeconds = Double.NaN;
        /** Kills the server if the bench itself is stopped (Ctrl-C) while it runs. */
        private final Thread killer;

        Started(Server server, Process process, long startNanos, String base, String route) {
            this.server = server;
            this.process = process;
            this.killer = new Thread(() -> {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            });
            Runtime.getRuntime().addShutdownHook(killer);
            this.startNanos = startNanos;
            this.base = base;
            this.route = route;
        }

        String base() {
            return base;
        }

        double firstSeconds() throws InterruptedException {
            if (Double.isNaN(firstSeconds)) {
                awaitStatus(route, 200);
                firstSeconds = (System.nanoTime() - startNanos) / 1e9;
            }
            return firstSeconds;
        }

        /** Seconds from the command until every interpreter has the app ({@code /readyz}); the first 200 for the peers. */
        double awaitAllReady() throws InterruptedException {
            double first = firstSeconds();
            if (server.readyPath() == null) {
                return first;
            }
            awaitStatus(server.readyPath(), 200);
            return (System.nanoTime() - startNanos) / 1e9;
        }

        /** Polls {@code path} until it answers {@code status}; the server's start is what is timed, so no back-off. */
        private void awaitStatus(String path, int status) throws InterruptedException {
            long deadline = startNanos + START_LIMIT.toNanos();
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build();
            while (System.nanoTime() - deadline < 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(server.name() + " exited with status " + process.exitValue() + " while starting");
                }
                try {
                    if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == status) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException(server.name() + " did not answer " + status + " on " + path + " within "
                    + START_LIMIT.toSeconds() + " s");
        }

        /** Stops the server and what it started (gunicorn's and uvicorn's workers too). */
        void stop() throws InterruptedException {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs
            }
        }
    }

    private Started start(Server server) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(server.command().apply(port)).directory(server.dir().toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().putAll(server.env());
        long t0 = System.nanoTime();
        Process process = builder.start();
        return new Started(server, process, t0, "http://127.0.0.1:" + port, ROUTE);
    }
}
