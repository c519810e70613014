package io.covet.runtime;

import io.covet.compute.ComputeEngine;
import io.covet.database.Databases;
import io.covet.database.PoolStats;
import io.covet.interpreters.InterpreterPool;
import io.covet.interpreters.PoolConfig;
import io.covet.interpreters.PoolMetrics;
import io.covet.interpreters.PythonTask;
import io.covet.tasks.QueueMetrics;
import io.covet.workers.WorkerConfig;
import io.covet.workers.WorkerPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.logging.Logger;

/**
 * Covet's runtime, ADR-007's {@code PerformanceManager} on the JVM: the compute engine, the
 * interpreter pool (with the {@code covet} Python package on its path and {@code _covet_host}
 * wired to this runtime), the CPython worker pool when the operator asks for one, the HTTP gateway
 * and the {@link Scheduler} over them. Python code reaches it as {@code covet.perf}.
 */
// Its API names pool types (PythonTask, SandboxPolicy ...): a module that uses them requires the
// pool's module itself. Not 'requires transitive', so the web layer cannot reach past the runtime.
@SuppressWarnings("exports")
public final class PerformanceManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PerformanceManager.class.getName());
    /** The longest {@code covet.db} waits for a pooled connection (a task's deadline may cut it shorter). */
    static final Duration DATABASE_WAIT = Duration.ofSeconds(5);

    private final PerformanceConfig.Builder base;
    private final Map<String, ?> pinned;
    private volatile PerformanceConfig config;
    private final RuntimeThreads threads = new RuntimeThreads();
    private volatile ComputeEngine compute;
    private final InterpreterPool pool;
    private final WorkerPool workers;
    private final Scheduler scheduler;
    private final AllowedHosts allowedHosts;
    private final HttpGateway http;
    private final SocketGateway sockets;
    private final DatabaseGateway databases;
    private final WebExchanges exchanges = new WebExchanges();
    private boolean closed;
    private volatile List<Object> mainArgv = List.of();

    private PerformanceManager(PerformanceConfig.Builder base, Map<String, ?> pinned, IntConsumer onReady, int waitFor) {
        this.base = base.copy();
        this.pinned = Map.copyOf(pinned);
        this.config = base.copy().apply(pinned).build();
        this.compute = newEngine(config);
        this.allowedHosts = new AllowedHosts(config.allowedHosts());
        this.http = new HttpGateway(threads.io, allowedHosts, config.maxHttpResponse());
        this.sockets = new SocketGateway(allowedHosts);
        this.databases = new DatabaseGateway(new Databases(config.database().orElse(null), config.databasePool(), DATABASE_WAIT,
                address -> {
                    int colon = address.lastIndexOf(':');
                    return allowedHosts.allows(address.substring(0, colon).replace("[", "").replace("]", ""),
                            Integer.parseInt(address.substring(colon + 1)));
                }));
        try {
            // Workers first: a missing python3 should fail before interpreters spend seconds starting.
            this.workers = config.cpythonWorkers() > 0 ? WorkerPool.start(workerConfig(config)) : null;
        } catch (RuntimeException e) {
            compute.close();
            threads.close();
            throw e;
        }
        try {
            this.pool = InterpreterPool.start(poolConfig(config, new PythonBridge(this)), onReady, waitFor);
        } catch (RuntimeException e) {
            if (workers != null) {
                workers.shutdown(Duration.ZERO);
            }
            compute.close();
            threads.close();
            throw e;
        }
        pool.setMaxBusy(config.maxGilContention());
        this.scheduler = new Scheduler(threads, () -> compute, pool, workers, () -> this.config);
    }

    /** Starts a runtime with exactly {@code config} (an app may still retune it from Python). */
    public static PerformanceManager start(PerformanceConfig config) {
        return new PerformanceManager(config.toBuilder(), Map.of(), n -> { }, config.pythonInterpreters());
    }

    /**
     * Starts a runtime from {@code base} (defaults and a config file) with {@code pinned} settings
     * (command-line flags, by their ADR names) applied over it and over anything the app sets
     * later; returns once {@code waitFor} interpreters are ready (the others join as they become
     * ready: {@code covet run} serves and {@code covet exec} runs its script from the first);
     * {@code onReady} hears each interpreter that becomes ready.
     */
    public static PerformanceManager start(PerformanceConfig.Builder base, Map<String, ?> pinned, IntConsumer onReady,
                                           int waitFor) {
        return new PerformanceManager(base, pinned, onReady, waitFor);
    }

    private static ComputeEngine newEngine(PerformanceConfig config) {
        return ComputeEngine.builder().threads(config.cpuThreads()).simd(config.enableSimd()).build();
    }

    /** The covet package, the main script's directory, the configured python path, then the site directories. */
    private static List<Path> pythonPath(PerformanceConfig config) {
        List<Path> path = new ArrayList<>();
        path.add(PythonPackage.directory());
        config.mainScript().ifPresent(script -> path.add(script.toAbsolutePath().getParent()));
        path.addAll(config.pythonPath());
        path.addAll(config.siteDirs());
        return path;
    }

    /** What each interpreter runs before it takes work: the site directories' .pth files, by CPython's site module. */
    private static String siteSetup(PerformanceConfig config) {
        if (config.siteDirs().isEmpty()) {
            return "";
        }
        StringBuilder code = new StringBuilder("import site\n");
        for (Path dir : config.siteDirs()) {
            code.append("site.addsitedir(").append(WebApp.pyString(dir.toAbsolutePath().toString())).append(")\n");
        }
        return code.toString();
    }

    /** CPython workers see the same python path as the interpreters, and the main script as {@code __mp_main__}. */
    private static WorkerConfig workerConfig(PerformanceConfig config) {
        WorkerConfig.Builder b = WorkerConfig.builder()
                .python3(config.python3())
                .workers(config.cpythonWorkers())
                .maxTasksPerWorker(config.cpythonMaxTasks())
                .taskTimeout(config.taskTimeout())
                .queueLimit(config.queueLimit())
                .pythonPath(pythonPath(config));
        config.mainScript().ifPresent(script -> b.mainScript(script.toAbsolutePath(),
                config.mainArgv().isEmpty() ? List.of(script.toString()) : config.mainArgv()));
        return b.build();
    }

    private static PoolConfig poolConfig(PerformanceConfig config, PythonBridge bridge) {
        return PoolConfig.builder()
                .size(config.pythonInterpreters())
                .pythonPath(pythonPath(config))
                .preload("covet")
                .warmup(siteSetup(config))
                .sandbox(config.sandbox())
                .environment(config.environment())
                .taskTimeout(config.taskTimeout())
                .queueLimit(config.queueLimit())
                .maxInFlight(config.maxInFlight())
                .hostFunctions(bridge.functions())
                .build();
    }

    public PerformanceConfig config() {
        return config;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public ComputeEngine compute() {
        return compute;
    }

    public InterpreterPool interpreters() {
        return pool;
    }

    /** The CPython worker pool (lane PROCESS), if this runtime has one. */
    public java.util.Optional<WorkerPool> workers() {
        return java.util.Optional.ofNullable(workers);
    }

    HttpGateway http() {
        return http;
    }

    DatabaseGateway databases() {
        return databases;
    }

    SocketGateway sockets() {
        return sockets;
    }

    WebExchanges exchanges() {
        return exchanges;
    }

    /**
     * Lets {@code covet.http} and Python's sockets reach {@code host:port} from now on, besides
     * the configured hosts: how a web server allows its app to call the server's own address,
     * once it knows its port.
     */
    public void allowNetTo(String host, int port) {
        allowedHosts.allow(host, port);
    }

    /**
     * Applies an app's {@code PerformanceConfig} (ADR names): its settings go over the base, and
     * the pinned settings (flags) over them. The pool resizes, lane limits change, and a new
     * compute engine replaces the old when its threads or SIMD setting change.
     *
     * @return the configuration now in effect
     */
    public synchronized PerformanceConfig reconfigure(Map<String, ?> appSettings) {
        for (String name : appSettings.keySet()) {
            if (!PerformanceConfig.TUNABLE.contains(name) && !name.equals("enable_compute")) {
                throw new IllegalArgumentException("unknown performance setting '" + name + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(PerformanceConfig.TUNABLE)));
            }
        }
        PerformanceConfig old = config;
        PerformanceConfig next = base.copy().apply(appSettings).apply(pinned).build();
        config = next;
        if (next.pythonInterpreters() != old.pythonInterpreters()) {
            pool.resize(next.pythonInterpreters());
        }
        pool.setMaxBusy(next.maxGilContention());
        scheduler.setConcurrency(Lane.IO, next.ioThreads());
        scheduler.setConcurrency(Lane.CPU, next.cpuThreads());
        scheduler.setQueueLimit(next.queueLimit());
        if (next.cpuThreads() != old.cpuThreads() || next.enableSimd() != old.enableSimd()) {
            ComputeEngine previous = compute;
            compute = newEngine(next);
            // close() waits for kernels still running on the old engine; nobody should wait for that.
            threads.inBackground("covet-compute-retire", previous::close);
        }
        if (!next.equals(old)) {
            LOG.info(() -> "runtime reconfigured by the app: " + next.settings());
        }
        return next;
    }

    /**
     * Runs a script as {@code python script.py args...} would, in one interpreter of the pool
     * (with no time limit), and returns its exit status: 0, the {@code SystemExit} code, or 1 after
     * printing an uncaught exception's traceback to stderr.
     */
    public int exec(Path script, List<String> args) {
        List<Object> argv = new ArrayList<>();
        argv.add(script.toString());
        argv.addAll(args);
        mainArgv = List.copyOf(argv);
        Object status = pool.run(PythonTask.call("covet._runtime", "run_main", script.toAbsolutePath().toString(), argv)
                .withoutTimeout());
        return ((Number) status).intValue();
    }

    /** (path, argv) of the script {@code exec} runs, for other interpreters to import it; null if none. */
    Object mainScript() {
        return config.mainScript()
                .map(p -> (Object) io.covet.interpreters.PyTuple.of(p.toAbsolutePath().toString(), mainArgv))
                .orElse(null);
    }

    /**
     * Loads a web app (Covet or WSGI) into every interpreter (see {@link WebApp#load}).
     *
     * @throws WebApp.LoadException if it cannot be loaded (the message carries the Python traceback)
     */
    public WebApp loadWebApp(AppTarget target, boolean debug, String rootPath) {
        return WebApp.load(this, target, debug, rootPath);
    }

    /** Every lane's queue, the interpreters and the CPython workers, now. */
    public RuntimeMetrics metrics() {
        Optional<RuntimeMetrics.Workers> cpython = Optional.ofNullable(workers).map(WorkerPool::metrics)
                .map(w -> new RuntimeMetrics.Workers(w.size(), w.ready(), w.busy(), w.started(), w.crashed(),
                        w.tasks().timedOut(), w.recycled()));
        return new RuntimeMetrics(scheduler.metrics(), interpreterGauges(), cpython);
    }

    /** The interpreters' gauges alone: cheaper than {@link #metrics()} (no latency histograms copied). */
    public RuntimeMetrics.Interpreters interpreterGauges() {
        PoolMetrics p = pool.metrics();
        return new RuntimeMetrics.Interpreters(p.size(), p.ready(), p.starting(), p.busy(), p.inFlight(), p.recycled());
    }

    /** Each database pool opened so far ({@code covet.db}), now: its connections lent, idle, awaited, and borrows that timed out. */
    public List<PoolStats> databasePools() {
        return databases.databases().stats();
    }

    /** {@link #metrics()} as Python sees it ({@code perf.metrics()}). */
    Map<String, Object> metricsAsMap() {
        RuntimeMetrics metrics = metrics();
        Map<String, Object> out = new LinkedHashMap<>();
        metrics.lanes().forEach((lane, lm) -> {
            QueueMetrics m = lm.tasks();
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("concurrency", m.capacity());
            l.put("queue_limit", m.queueLimit());
            l.put("queued", m.queued());
            l.put("running", m.running());
            l.put("completed", m.completed());
            l.put("failed", m.failed());
            l.put("timed_out", m.timedOut());
            l.put("cancelled", m.cancelled());
            l.put("rejected", m.rejected());
            l.put("wait_p50_ms", m.waitTime().p50().toNanos() / 1e6);
            l.put("run_p50_ms", m.runTime().p50().toNanos() / 1e6);
            out.put(lane.name().toLowerCase(java.util.Locale.ROOT), l);
        });
        RuntimeMetrics.Interpreters p = metrics.interpreters();
        Map<String, Object> interpreters = new LinkedHashMap<>();
        interpreters.put("size", p.size());
        interpreters.put("ready", p.ready());
        interpreters.put("busy", p.busy());
        interpreters.put("in_flight", p.inFlight());
        interpreters.put("max_in_flight", config.maxInFlight());
        interpreters.put("recycled", p.recycled());
        out.put("interpreters", interpreters);
        List<Object> pools = new ArrayList<>();
        for (PoolStats d : databasePools()) {
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("database", d.database());
            pool.put("size", d.size());
            pool.put("active", d.active());
            pool.put("idle", d.idle());
            pool.put("waiting", d.waiting());
            pool.put("timeouts", d.timeouts());
            pools.add(pool);
        }
        out.put("database_pools", pools);
        metrics.workers().ifPresent(w -> {
            Map<String, Object> cpython = new LinkedHashMap<>();
            cpython.put("size", w.size());
            cpython.put("ready", w.ready());
            cpython.put("busy", w.busy());
            cpython.put("started", w.started());
            cpython.put("crashed", w.crashed());
            cpython.put("timed_out", w.timedOut());
            cpython.put("recycled", w.recycled());
            out.put("cpython_workers", cpython);
        });
        return out;
    }

    /** Lets running and queued work finish for up to {@code grace}, then stops everything. Idempotent. */
    public void shutdown(Duration grace) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        // Python first: its tasks may still need the workers and the Java lanes while they finish.
        pool.shutdown(grace);
        if (workers != null) {
            workers.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        scheduler.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        sockets.close();
        databases.close();
        compute.close();
        threads.close();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }
}
