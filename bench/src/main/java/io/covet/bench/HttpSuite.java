package io.covet.bench;

import io.covet.database.DatabaseUrl;
import io.covet.database.LocalPostgres;
import io.covet.runtime.JitCompiler;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code covet bench http}: apps served by Covet's web layer, loaded over loopback from a separate
 * process ({@link LoadGenerator}: wrk, else a Java client), side by side in the same run with
 * CPython's servers running the same Python, the same number of workers as interpreters.
 * <p>{@link App#EXAMPLE}, the example app ({@code covet run}'s own API), against the same handlers
 * under gunicorn's sync workers and, for the trivial and the waiting handler, uvicorn's workers
 * (uvloop, httptools):
 * <ul>
 *   <li>a trivial JSON handler ({@code GET /hello}) at 16, 256 and 1,024 connections: the cost of
 *       the request path itself;</li>
 *   <li>a CPU-bound pure-Python handler ({@code GET /fib/20}) and {@code POST /compute/sum} of
 *       10,000 numbers, at 16 connections, also with 1 interpreter (scaling);</li>
 *   <li>a handler that waits ({@code GET /io/sleep}: {@code await asyncio.sleep(0.05)}; under
 *       gunicorn {@code time.sleep}) at 200 connections, against the limit sleep time alone sets;</li>
 *   <li>then a saturation run of the CPU-bound handler (60 s, many connections) on Covet with N,
 *       counting errors, and the heap after a full GC before and after it.</li>
 * </ul>
 * <p>{@link App#FLASK} and {@link App#STARLETTE}: one unchanged Flask app, under Covet and under
 * gunicorn, and one Starlette app, under Covet and under uvicorn (Debian's packages): a trivial
 * JSON route, fib(20) in Python, and a route that reads a JSON order and answers its total.
 * <p>{@link App#POSTGRES}: one Flask app on a throwaway PostgreSQL server ({@link LocalPostgres}),
 * reading one row by primary key and inserting one: under Covet on {@code covet.db} with a pool of
 * half as many connections as interpreters, under gunicorn on psycopg2 (a connection per worker).
 * The server's own count of client connections is sampled during each ({@link ServerConnections}).
 */
public final class HttpSuite {

    public static final String SUITE = "http";
    static final int SUM_N = 10_000;
    static final int SLEEP_MS = 50;

    /** Number of lines in the JSON order the framework apps' {@code POST /orders} totals. */
    static final int ORDER_LINES = 40;

    /**
     * An app Covet serves, and the script each peer serves in its place (null: that peer does not
     * serve it). {@code script}: the bench's own resource Covet serves, null for the --app file.
     */
    public enum App {
        EXAMPLE(null, "wsgi_peer_app.py", "asgi_peer_app.py", null),
        FLASK("flask_bench_app.py", "flask_bench_app.py", null, "flask"),
        STARLETTE("starlette_bench_app.py", null, "starlette_bench_app.py", "starlette"),
        POSTGRES("postgres_bench_app.py", "postgres_bench_app.py", null, "flask");

        final String script;
        final String gunicornScript;
        final String uvicornScript;
        /** The package this app imports from {@link Options#packages()}, null for none. */
        final String needs;

        App(String script, String gunicornScript, String uvicornScript, String needs) {
            this.script = script;
            this.gunicornScript = gunicornScript;
            this.uvicornScript = uvicornScript;
            this.needs = needs;
        }
    }

    /**
     * One measurement: a handler of an app at a number of connections. {@code body} is POSTed as
     * JSON when not null; {@code single}: also measured with one interpreter; {@code asgi}: uvicorn
     * serves it too (gunicorn serves every case of an app it has a script for).
     */
    record Case(String name, App app, String path, String body, long size, int connections, boolean single, boolean asgi) {
        boolean wsgi() {
            return app.gunicornScript != null;
        }
    }

    /**
     * In this order: with N interpreters, the trivial handler at 16 connections comes after the two
     * larger loads have warmed its path (with one interpreter it comes first, so its scaling figure
     * includes warm-up; only fib's and sum's scaling are meant).
     */
    static final List<Case> CASES = List.of(
            new Case("hello_json_c256", App.EXAMPLE, "/hello", null, 1, 256, false, true),
            new Case("hello_json_c1024", App.EXAMPLE, "/hello", null, 1, 1024, false, true),
            new Case("hello_json", App.EXAMPLE, "/hello", null, 1, 16, true, true),
            new Case("cpu_fib20", App.EXAMPLE, "/fib/20", null, 20, 16, true, false),
            new Case("compute_sum", App.EXAMPLE, "/compute/sum", sumBody(), SUM_N, 16, true, false),
            new Case("async_sleep_c200", App.EXAMPLE, "/io/sleep?ms=" + SLEEP_MS, null, SLEEP_MS, 200, false, true),
            new Case("flask_hello", App.FLASK, "/hello", null, 1, 64, false, false),
            new Case("flask_fib20", App.FLASK, "/fib/20", null, 20, 16, false, false),
            new Case("flask_orders", App.FLASK, "/orders", orderBody(), ORDER_LINES, 16, false, false),
            new Case("starlette_hello", App.STARLETTE, "/hello", null, 1, 64, false, true),
            new Case("starlette_fib20", App.STARLETTE, "/fib/20", null, 20, 16, false, true),
            new Case("starlette_orders", App.STARLETTE, "/orders", orderBody(), ORDER_LINES, 16, false, true),
            new Case("pg_read", App.POSTGRES, "/items/42", null, 1, 16, false, false),
            new Case("pg_insert", App.POSTGRES, "/items", "{\"name\":\"widget\",\"price\":\"9.99\"}", 1, 16, false, false));

    /** Rows of the database app's table before a run. */
    static final int PG_ROWS = 1_000;

    public HttpSuite() {
    }

    /**
     * @param app          the example app to serve (the project's examples/app.py)
     * @param apps         which apps to measure
     * @param packages     the directory Flask and Starlette are imported from, by Covet (as
     *                     {@code --python-path}) and by the peers' CPython (Debian's dist-packages)
     * @param threads      interpreters (and gunicorn and uvicorn workers) for the N runs
     * @param settleLimit  most warm-up load of one case on a Covet server: its rounds go on until
     *                     GraalPy's JIT has settled (see {@link #warmThenMeasure}), which on 2 cores takes
     *                     minutes for a fresh Flask app (the compilers were still busy after 150 s of
     *                     its trivial route, and the route's rate nearly doubled after they stopped);
     *                     past the limit the case is measured anyway, and its settle record says so
     * @param warmup       one warm-up round: load before a measurement, not counted; rounds repeat
     *                     until two in a row differ by at most 5%
     * @param minRounds    fewest warm-up rounds (GraalPy's JIT improves slowly enough on 2 cores for
     *                     two early rounds to agree while it is still compiling)
     * @param warmupRounds most warm-up rounds of a peer before measuring anyway (CPython has no JIT
     *                     to wait for)
     * @param measure      length of each measurement
     * @param saturation   length of the saturation run
     * @param gunicorn     gunicorn executable for the WSGI peer, null to skip the peers
     * @param python3      the CPython whose uvicorn (with uvloop and httptools) is the ASGI peer
     */
    public record Options(Path app, Set<App> apps, Path packages, int threads, Duration settleLimit, Duration warmup,
                          int minRounds, int warmupRounds, Duration measure, Duration saturation, String gunicorn,
                          String python3) {
        public static final Path DEBIAN_PACKAGES = Path.of("/usr/lib/python3/dist-packages");

        public Options {
            Objects.requireNonNull(app, "app");
            apps = Set.copyOf(apps);
            if (apps.isEmpty()) {
                throw new IllegalArgumentException("--apps names no app; choose from " + java.util.Arrays.toString(App.values()));
            }
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            if (apps.contains(App.EXAMPLE) && !Files.isRegularFile(app)) {
                throw new IllegalArgumentException("--app " + app + ": no such file");
            }
        }

        public static Options full(Path app, Set<App> apps, Path packages, int threads, String gunicorn, String python3) {
            return new Options(app, apps, packages, threads, Duration.ofSeconds(420), Duration.ofSeconds(5), 4, 12,
                    Duration.ofSeconds(15), Duration.ofSeconds(60), gunicorn, python3);
        }

        /** Shorter warm-up and measurements; the saturation run keeps its 60 s. */
        public static Options quick(Path app, Set<App> apps, Path packages, int threads, String gunicorn, String python3) {
            return new Options(app, apps, packages, threads, Duration.ofSeconds(60), Duration.ofSeconds(4), 3, 6,
                    Duration.ofSeconds(5), Duration.ofSeconds(60), gunicorn, python3);
        }
    }

    /** What one server did for each case it was measured on. */
    record Results(String server, Map<String, LoadResult> byCase) {

        /** One peer's results over several apps: {@code more}'s cases added to {@code all}'s (either may be null). */
        static Results merge(Results all, Results more) {
            if (all == null || more == null) {
                return all == null ? more : all;
            }
            Map<String, LoadResult> both = new LinkedHashMap<>(all.byCase());
            both.putAll(more.byCase());
            return new Results(all.server(), both);
        }
    }

    public List<BenchRecord> run(Options options, ComputeSuite.Listener listener) throws IOException, InterruptedException {
        LoadGenerator load = LoadGenerator.find();
        if (load instanceof LoadGenerator.Java) {
            listener.peerSkipped("wrk is not installed; loading with " + load.describe());
        }
        List<App> apps = new ArrayList<>();
        for (App app : App.values()) {
            if (!options.apps().contains(app)) {
                continue;
            }
            if (app.needs != null && !Files.isDirectory(options.packages().resolve(app.needs))) {
                listener.peerSkipped(app.name().toLowerCase(Locale.ROOT) + " skipped: no " + app.needs + " in "
                        + options.packages() + " (install Debian's python3-" + app.needs + ")");
                continue;
            }
            apps.add(app);
        }
        LocalPostgres postgres = null;
        DatabaseUrl database = null;
        if (apps.contains(App.POSTGRES)) {
            try {
                postgres = LocalPostgres.start();
                database = DatabaseUrl.parse(postgres.url());
                seed(database);
            } catch (IOException | IllegalStateException | SQLException e) {
                listener.peerSkipped("postgres skipped: no PostgreSQL server could be started (" + e.getMessage()
                        + "); install Debian's postgresql");
                apps.remove(App.POSTGRES);
                if (postgres != null) {
                    postgres.close();
                    postgres = null;
                }
            }
        }
        try {
            return run(options, listener, load, apps, database);
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    private List<BenchRecord> run(Options options, ComputeSuite.Listener listener, LoadGenerator load, List<App> apps,
                                  DatabaseUrl database) throws IOException, InterruptedException {
        int n = options.threads();
        boolean peers = options.gunicorn() != null;
        List<Case> cases = CASES.stream().filter(c -> apps.contains(c.app())).toList();
        long singles = n > 1 ? cases.stream().filter(Case::single).count() : 0;
        long peerCases = peers ? cases.stream().filter(Case::wsgi).count() + cases.stream().filter(Case::asgi).count() : 0;
        int total = (int) (singles + cases.size() + (apps.contains(App.EXAMPLE) ? 1 : 0) + peerCases);
        int[] step = {0};
        Map<String, LoadResult> one = new LinkedHashMap<>();
        Map<String, LoadResult> many = new LinkedHashMap<>();
        Map<String, Warmed> warmups = new LinkedHashMap<>();   // Covet's, of the N-interpreter run (it comes last)
        Saturation saturation = null;
        Results wsgi = null;
        Results asgi = null;
        Map<String, Integer> connections = new LinkedHashMap<>();
        for (App app : apps) {
            List<Case> ofApp = cases.stream().filter(c -> c.app() == app).toList();
            Path script = app.script == null ? options.app().toAbsolutePath() : extract(app.script);
            List<Path> path = app.needs == null ? List.of(script.getParent()) : List.of(script.getParent(), options.packages());
            boolean saturate = app == App.EXAMPLE;
            DatabaseUrl db = app == App.POSTGRES ? database : null;
            if (n > 1 && ofApp.stream().anyMatch(Case::single)) {
                measureCovet(options, script, path, load, 1, ofApp.stream().filter(Case::single).toList(), one, warmups,
                        listener, step, total, false, null);
            }
            Saturation s;
            try (ServerConnections held = sampler(db)) {
                s = measureCovet(options, script, path, load, n, ofApp, many, warmups, listener, step, total, saturate, db);
                if (held != null) {
                    connections.put("covet", held.max());
                }
            }
            if (saturate) {
                saturation = s;
            }
            if (n == 1) {
                ofApp.stream().filter(Case::single).forEach(c -> one.put(c.name(), many.get(c.name())));
            }
            if (peers) {
                try (ServerConnections held = sampler(db)) {
                    wsgi = Results.merge(wsgi, gunicorn(options, app, ofApp, load, listener, step, total,
                            db == null ? Map.of() : Map.of("DATABASE_URL", database.withPassword())));
                    if (held != null) {
                        connections.put("gunicorn", held.max());
                    }
                }
                asgi = Results.merge(asgi, uvicorn(options, app, ofApp, load, listener, step, total));
            }
        }
        listener.step(total, total, "done");
        List<BenchRecord> out = records(n, cases, one, many, wsgi, asgi, saturation, options.saturation());
        out.addAll(warmupRecords(n, warmups));
        if (connections.containsKey("covet")) {
            // The database's side of the DB-bound cases: the most client connections it held while each server ran them.
            Integer peer = connections.get("gunicorn");
            out.add(new BenchRecord(SUITE, "pg_server_connections", 0, n, "connections", BenchRecord.LOWER, connections.get("covet"),
                    peer == null ? null : wsgi.server(), peer == null ? null : (double) peer, peer == null ? null : n));
        }
        return out;
    }

    /** A sampler of {@code database}'s connections, or null without one. */
    private static ServerConnections sampler(DatabaseUrl database) throws IOException {
        try {
            return database == null ? null : new ServerConnections(database);
        } catch (SQLException e) {
            throw new IOException("cannot watch the bench database's connections: " + e.getMessage(), e);
        }
    }

    /** The database app's table, {@link #PG_ROWS} rows. */
    private static void seed(DatabaseUrl database) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", database.user());
        credentials.setProperty("password", database.password());
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), credentials); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE bench_items (id serial PRIMARY KEY, name text NOT NULL, price numeric(10, 2) NOT NULL)");
            st.execute("INSERT INTO bench_items (name, price) SELECT 'item ' || g, g * 0.25 FROM generate_series(1, " + PG_ROWS + ") g");
        }
    }

    /** A bench script in a temporary directory of its own, as the Covet server and the peers import it. */
    private static Path extract(String script) throws IOException {
        Path dir = Files.createTempDirectory("covet-bench-http-");
        dir.toFile().deleteOnExit();
        return ChildProcess.extract("python/" + script, dir.resolve(script));
    }

    /** Errors over the saturation run and the heap (after a full GC) before and after it, in MB. */
    record Saturation(long requests, long errors, double heapBeforeMb, double heapAfterMb) {
    }

    private Saturation measureCovet(Options options, Path app, List<Path> pythonPath, LoadGenerator load, int interpreters,
                                    List<Case> cases, Map<String, LoadResult> into, Map<String, Warmed> warmups,
                                    ComputeSuite.Listener listener,
                                    int[] step, int total, boolean saturate, DatabaseUrl database)
            throws IOException, InterruptedException {
        String who = "covet, " + app.getFileName() + ", " + interpreters + " interpreter" + (interpreters == 1 ? "" : "s");
        listener.step(step[0], total, "starting " + who);
        PerformanceConfig.Builder builder = PerformanceConfig.builder().pythonInterpreters(interpreters).cpuThreads(options.threads())
                .pythonPath(pythonPath).allowedHosts(Set.of("127.0.0.1", "localhost"));
        if (database != null) {
            // Half the connections gunicorn's workers hold (one each): the pool is shared by every interpreter.
            builder.database(database).databasePool(Math.max(1, interpreters / 2));
        }
        PerformanceConfig config = builder.build();
        try (PerformanceManager runtime = PerformanceManager.start(config)) {
            CovetServer server = CovetServer.start(runtime, WebConfig.of(app).withPort(0).withAccessLog(false));
            try {
                String base = "http://127.0.0.1:" + server.port();
                for (Case c : cases) {
                    listener.step(step[0], total, who + ": " + c.name() + " until the JIT has settled (at most "
                            + options.settleLimit().toSeconds() + " s)");
                    Warmed warmed = warmThenMeasure(caseLoad(load, base, c), options, JitCompiler::cpuNanos);
                    if (!warmed.settled()) {
                        listener.note(who + ": " + c.name() + ": the JIT was still compiling after "
                                + options.settleLimit().toSeconds() + " s of load; measured anyway");
                    }
                    into.put(c.name(), warmed.result());
                    warmups.put(c.name(), warmed);
                    step[0]++;
                }
                if (!saturate) {
                    return null;
                }
                double before = heapAfterGcMb();
                listener.step(step[0], total, who + ": " + options.saturation().toSeconds() + " s saturation of cpu_fib20");
                Case fib = CASES.stream().filter(c -> c.name().equals("cpu_fib20")).findFirst().orElseThrow();
                LoadResult sat = load.run(base + fib.path(), fib.body(), fib.connections() * 4, options.saturation());
                step[0]++;
                double after = heapAfterGcMb();
                return new Saturation(sat.requests(), sat.errors(), before, after);
            } finally {
                server.stop(Duration.ofSeconds(30));
            }
        }
    }

    /**
     * A case's measurement, and its warm-up: the seconds of load before it, and whether the JIT had
     * settled by then (always true for a peer).
     */
    record Warmed(LoadResult result, double warmupSeconds, boolean settled) {
    }

    /** A case's load for a given time. */
    interface CaseLoad {
        LoadResult run(Duration duration) throws IOException, InterruptedException;
    }

    /** {@code c} on the server at {@code base}. */
    private static CaseLoad caseLoad(LoadGenerator load, String base, Case c) {
        return duration -> load.run(base + c.path(), c.body(), c.connections(), duration);
    }

    /**
     * Warm-up rounds, then the measurement. A round ends the warm-up when its rate is within 5% of
     * the round before's (after {@code minRounds}); for a Covet server ({@code compilerNanos} not
     * null) only a round in which GraalPy's compiler was idle ({@link JitCompiler#idle}) does, so
     * what is measured is the compiled code rather than a mix of it and the compiler's work, up to
     * {@code settleLimit} of load; a peer stops after {@code warmupRounds}.
     */
    static Warmed warmThenMeasure(CaseLoad load, Options options, LongSupplier compilerNanos)
            throws IOException, InterruptedException {
        double previous = 0;
        double warmed = 0;
        boolean covet = compilerNanos != null;
        boolean settled = !covet;
        for (int round = 0; covet ? warmed < options.settleLimit().toSeconds() : round < options.warmupRounds(); round++) {
            long compiling = covet ? compilerNanos.getAsLong() : 0;
            LoadResult r = load.run(options.warmup());
            warmed += options.warmup().toMillis() / 1000.0;   // as asked: a round that reports no time still counts
            boolean idle = !covet || JitCompiler.idle(compilerNanos.getAsLong() - compiling, r.seconds());
            double rate = r.requestsPerSecond();
            if (round + 1 >= options.minRounds() && idle && Math.abs(rate - previous) <= 0.05 * previous) {
                settled = true;
                break;
            }
            previous = rate;
        }
        return new Warmed(load.run(options.measure()), warmed, settled);
    }

    private static double heapAfterGcMb() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed() / 1e6;
    }

    /** {@code app}'s WSGI script under gunicorn's N sync workers, loaded the same way; null if gunicorn serves none of it. */
    private Results gunicorn(Options options, App app, List<Case> cases, LoadGenerator load, ComputeSuite.Listener listener,
                             int[] step, int total, Map<String, String> env) throws IOException, InterruptedException {
        List<Case> served = cases.stream().filter(Case::wsgi).toList();
        if (served.isEmpty()) {
            return null;
        }
        String version;
        try {
            ChildProcess.Finished v = ChildProcess.run(List.of(options.gunicorn(), "--version"), null, Set.of(), Map.of(), 30, TimeUnit.SECONDS);
            version = v == null ? "?" : v.stdout().replaceAll("[^0-9.]", "").strip();
        } catch (IOException e) {
            listener.peerSkipped("gunicorn could not be started (" + e.getMessage() + "); install Debian's gunicorn");
            step[0] += served.size();
            return null;
        }
        String name = "gunicorn " + version + " (" + options.threads() + " sync workers, CPython)";
        String module = app.gunicornScript.replace(".py", "");
        return new Results(name, peer(name, app.gunicornScript, port -> List.of(options.gunicorn(), "--workers",
                String.valueOf(options.threads()), "--bind", "127.0.0.1:" + port, "--log-level", "warning", module + ":app"),
                env, served, options, load, listener, step, total));
    }

    /** {@code app}'s ASGI script under uvicorn's N workers with uvloop and httptools; null if uvicorn serves none of it. */
    private Results uvicorn(Options options, App app, List<Case> cases, LoadGenerator load, ComputeSuite.Listener listener,
                            int[] step, int total) throws IOException, InterruptedException {
        List<Case> served = cases.stream().filter(Case::asgi).toList();
        if (served.isEmpty()) {
            return null;
        }
        ChildProcess.Finished v;
        try {
            v = ChildProcess.run(List.of(options.python3(), "-c", "import uvicorn, uvloop, httptools; print(uvicorn.__version__)"),
                    null, Set.of(), Map.of(), 30, TimeUnit.SECONDS);
        } catch (IOException e) {
            v = null;
        }
        if (v == null || v.exitCode() != 0) {
            listener.peerSkipped("uvicorn with uvloop and httptools is not importable by " + options.python3()
                    + "; install Debian's python3-uvicorn python3-uvloop python3-httptools");
            step[0] += served.size();
            return null;
        }
        String name = "uvicorn " + v.stdout().strip() + " (" + options.threads() + " workers, uvloop, httptools, CPython)";
        String module = app.uvicornScript.replace(".py", "");
        return new Results(name, peer(name, app.uvicornScript, port -> List.of(options.python3(), "-m", "uvicorn", "--workers",
                String.valueOf(options.threads()), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                "--log-level", "warning", "--host", "127.0.0.1", "--port", String.valueOf(port), module + ":app"),
                Map.of(), served, options, load, listener, step, total));
    }

    /** Starts a peer server on a free port in a temporary directory holding {@code script}, and loads it: its results by case. */
    private Map<String, LoadResult> peer(String name, String script, java.util.function.IntFunction<List<String>> command,
                                         Map<String, String> env, List<Case> cases, Options options, LoadGenerator load, ComputeSuite.Listener listener,
                                         int[] step, int total) throws IOException, InterruptedException {
        Map<String, LoadResult> results = new LinkedHashMap<>();
        Path dir = extract(script).getParent();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        listener.step(step[0], total, "starting " + name + ", " + script);
        ProcessBuilder builder = new ProcessBuilder(command.apply(port)).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");   // nothing left in the temp directory
        builder.environment().put("PYTHONPATH", options.packages().toString());
        builder.environment().putAll(env);
        Process server = builder.start();
        try {
            if (!awaitListening(port, server, Duration.ofSeconds(30))) {
                listener.peerFailed(name, "it did not listen on port " + port + " within 30 s");
                step[0] += cases.size();
                return results;
            }
            String base = "http://127.0.0.1:" + port;
            for (Case c : cases) {
                listener.step(step[0], total, name + ": " + c.name());
                results.put(c.name(), warmThenMeasure(caseLoad(load, base, c), options, null).result());
                step[0]++;
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
        return results;
    }

    private static boolean awaitListening(int port, Process server, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && server.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(100);  // a child process's start: nothing to wait on but its port
            }
        }
        return false;
    }

    /**
     * How long each Covet case was loaded before it was measured: {@code _jit_settled_after} when
     * GraalPy's JIT had settled by then, {@code _jit_unsettled_after} when the limit came first.
     */
    static List<BenchRecord> warmupRecords(int n, Map<String, Warmed> warmups) {
        List<BenchRecord> out = new ArrayList<>();
        warmups.forEach((name, w) -> out.add(new BenchRecord(SUITE, name + (w.settled() ? "_jit_settled_after" : "_jit_unsettled_after"),
                0, n, "s", BenchRecord.LOWER, w.warmupSeconds(), null, null, null)));
        return out;
    }

    /**
     * Records of the measured cases: each against gunicorn where gunicorn served it, else against
     * uvicorn; {@code _vs_uvicorn} where both did. No saturation records without a saturation run.
     */
    static List<BenchRecord> records(int n, List<Case> cases, Map<String, LoadResult> one, Map<String, LoadResult> many,
                                     Results wsgi, Results asgi, Saturation saturation, Duration saturationLength) {
        List<BenchRecord> out = new ArrayList<>();
        for (Case c : cases) {
            LoadResult all = many.get(c.name());
            if (all == null) {
                continue;
            }
            LoadResult single = one.get(c.name());
            LoadResult g = wsgi == null ? null : wsgi.byCase().get(c.name());
            LoadResult u = asgi == null ? null : asgi.byCase().get(c.name());
            LoadResult p = g != null ? g : u;
            String peer = g != null ? wsgi.server() : u != null ? asgi.server() : null;
            if (single != null && single != all) {
                out.add(new BenchRecord(SUITE, c.name() + "_rps", c.size(), 1, "req/s", BenchRecord.HIGHER,
                        single.requestsPerSecond(), null, null, null));
                out.add(new BenchRecord(SUITE, c.name() + "_scaling", c.size(), n, "x", BenchRecord.HIGHER,
                        all.requestsPerSecond() / single.requestsPerSecond(), "covet, 1 interpreter", 1.0, 1));
            }
            out.add(new BenchRecord(SUITE, c.name() + "_rps", c.size(), n, "req/s", BenchRecord.HIGHER, all.requestsPerSecond(),
                    peer, p == null ? null : p.requestsPerSecond(), p == null ? null : n));
            out.add(new BenchRecord(SUITE, c.name() + "_p50", c.size(), n, "ms", BenchRecord.LOWER, all.p50Ms(),
                    peer, p == null ? null : p.p50Ms(), p == null ? null : n));
            out.add(new BenchRecord(SUITE, c.name() + "_p99", c.size(), n, "ms", BenchRecord.LOWER, all.p99Ms(),
                    peer, p == null ? null : p.p99Ms(), p == null ? null : n));
            out.add(new BenchRecord(SUITE, c.name() + "_errors", c.size(), n, "responses", BenchRecord.LOWER, all.errors(),
                    peer, p == null ? null : (double) p.errors(), p == null ? null : n));
            if (single != null && single != all) {
                out.add(new BenchRecord(SUITE, c.name() + "_errors", c.size(), 1, "responses", BenchRecord.LOWER,
                        single.errors(), null, null, null));
            }
            if (g != null && u != null) {
                out.add(new BenchRecord(SUITE, c.name() + "_rps_vs_uvicorn", c.size(), n, "req/s", BenchRecord.HIGHER,
                        all.requestsPerSecond(), asgi.server(), u.requestsPerSecond(), n));
                out.add(new BenchRecord(SUITE, c.name() + "_p99_vs_uvicorn", c.size(), n, "ms", BenchRecord.LOWER,
                        all.p99Ms(), asgi.server(), u.p99Ms(), n));
            }
            if (c.name().startsWith("async_sleep")) {
                // Each connection can do at most one request per sleep: the ceiling no server can pass.
                double ceiling = c.connections() * 1000.0 / SLEEP_MS;
                out.add(new BenchRecord(SUITE, c.name() + "_of_ceiling", c.size(), n, "req/s", BenchRecord.HIGHER,
                        all.requestsPerSecond(), "sleep-time limit (" + c.connections() + " connections / " + SLEEP_MS + " ms)",
                        ceiling, n));
            }
        }
        if (saturation != null) {
            out.add(new BenchRecord(SUITE, "saturation_errors", saturationLength.toSeconds(), n, "responses",
                    BenchRecord.LOWER, saturation.errors(), null, null, null));
            out.add(new BenchRecord(SUITE, "saturation_rps", saturationLength.toSeconds(), n, "req/s", BenchRecord.HIGHER,
                    saturation.requests() / (double) saturationLength.toSeconds(), null, null, null));
            out.add(new BenchRecord(SUITE, "heap_after_gc", 0, n, "MB", BenchRecord.LOWER, saturation.heapAfterMb(),
                    "covet, before the saturation run", saturation.heapBeforeMb(), n));
        }
        return out;
    }

    /** A JSON order of {@link #ORDER_LINES} lines (about 3 KB), the same every run. */
    private static String orderBody() {
        StringJoiner lines = new StringJoiner(",", "[", "]");
        for (int i = 1; i <= ORDER_LINES; i++) {
            lines.add(String.format(Locale.ROOT,
                    "{\"sku\":\"SKU-%05d\",\"name\":\"Item number %d\",\"quantity\":%d,\"unit_price\":%.2f}",
                    i * 37, i, 1 + i % 5, 0.99 + i * 1.25));
        }
        return "{\"id\":\"order-20261201-0001\",\"customer\":{\"id\":4711,\"email\":\"ada@example.com\"},"
                + "\"currency\":\"EUR\",\"lines\":" + lines + "}";
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
