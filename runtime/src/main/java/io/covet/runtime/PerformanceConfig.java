package io.covet.runtime;

import io.covet.database.DatabaseUrl;
import io.covet.interpreters.PoolConfig;
import io.covet.interpreters.SandboxPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How Covet's runtime is shaped: ADR-007's {@code PerformanceConfig} plus what the JVM needs.
 * Build one with {@link #builder()}; unset settings come from the machine.
 *
 * <h2>Tunable settings</h2>
 * The ADR's settings ({@link #TUNABLE}) may come from four places; a later one overrides an
 * earlier one, setting by setting:
 * <ol>
 *   <li>the defaults below, from the machine;</li>
 *   <li>a configuration file ({@code covet exec --config FILE}, JSON with the same names);</li>
 *   <li>the app's own {@code PerformanceConfig(...)} in Python, applied when it creates a
 *       {@code PerformanceManager} (the pools resize to it);</li>
 *   <li>command-line flags ({@code --interpreters N} ...), so an operator always has the last word.</li>
 * </ol>
 * The sandbox, python path and allowed hosts are not tunable from Python: an app cannot grant
 * itself permissions.
 *
 * @param enableCompute         perf.sum_array and friends use the Java compute engine (ADR: enable_rust_compute);
 *                              off, they run in plain Python in the calling interpreter
 * @param enableSubInterpreters parallel_map and the decorators use other interpreters; off, they run in the caller
 * @param cpuThreads            compute engine threads and the CPU lane's limit (default: cores)
 * @param ioThreads             IO lane's concurrency limit (default: min(32, cores + 4), as the ADR)
 * @param pythonInterpreters    interpreters in the pool (default: cores, at least 2)
 * @param maxGilContention      how many interpreters run Python tasks at once (default: pythonInterpreters)
 * @param enableSimd            Vector API kernels (default) or scalar loops
 * @param queueLimit            tasks that may wait in each lane before submissions are rejected
 * @param maxInFlight           tasks one interpreter has in flight at once: coroutines awaiting on its event loop
 *                              and the one whose code runs (default {@link PoolConfig#DEFAULT_MAX_IN_FLIGHT});
 *                              not tunable from Python
 * @param taskTimeout           longest a Python task may run (a request handler, a map chunk)
 * @param pythonPath            extra directories on every interpreter's python path
 * @param sandbox               what Python code may do (strict by default)
 * @param allowedHosts          where {@code covet.http} may connect: {@code HOST} (any port) or {@code HOST:PORT}
 *                              ("*": anywhere); empty: nowhere. Checked on every redirect too
 * @param maxHttpResponse       largest response body {@code covet.http} accepts, in bytes (default
 *                              {@link #DEFAULT_MAX_HTTP_RESPONSE}); a larger one fails the call
 * @param mainScript            the script {@code covet exec} runs, importable as {@code __mp_main__} elsewhere
 * @param cpythonWorkers        CPython worker processes of lane PROCESS (0, the default: no such lane). They run
 *                              outside the sandbox, with this process's permissions, so only an operator turns
 *                              them on ({@code --cpython-workers N}); an app cannot
 * @param python3               the CPython the workers run: a path, or a command looked up on PATH
 * @param cpythonMaxTasks       tasks a CPython worker runs before it is replaced (0: no limit)
 * @param mainArgv              the main script's {@code sys.argv}, which CPython workers get too (as
 *                              multiprocessing's spawn gives its children the parent's)
 * @param environment           what {@code os.environ} holds in every interpreter ({@code --env}); the
 *                              process's own environment is not passed on unless the sandbox allows everything
 * @param siteDirs              site directories, as a virtualenv's site-packages ({@code --venv}): on every
 *                              interpreter's python path after {@code pythonPath}, their {@code .pth} files
 *                              honoured as CPython's {@code site} module does (paths added, import lines run)
 * @param database              the operator's PostgreSQL database ({@code --database URL}, {@code DATABASE_URL}), which
 *                              {@code covet.db.connect()} reaches without {@code --allow-net}; its password never shows
 * @param databasePool          connections per database pool, shared by every interpreter (default: the interpreter
 *                              count at start, at least 2)
 */
// Its API names pool types (PythonTask, SandboxPolicy ...): a module that uses them requires the
// pool's module itself. Not 'requires transitive', so the web layer cannot reach past the runtime.
@SuppressWarnings("exports")
public record PerformanceConfig(boolean enableCompute, boolean enableSubInterpreters, int cpuThreads, int ioThreads,
                                int pythonInterpreters, int maxGilContention, boolean enableSimd, int queueLimit,
                                int maxInFlight, Duration taskTimeout, List<Path> pythonPath, SandboxPolicy sandbox,
                                Set<String> allowedHosts, long maxHttpResponse, Optional<Path> mainScript, int cpythonWorkers,
                                String python3, int cpythonMaxTasks, List<String> mainArgv, Map<String, String> environment,
                                List<Path> siteDirs, Optional<DatabaseUrl> database, int databasePool) {

    /** The settings an app, a file or a flag may set, by their ADR (Python) names. */
    public static final Set<String> TUNABLE = Set.of("enable_rust_compute", "enable_sub_interpreters", "cpu_threads",
            "io_threads", "python_interpreters", "max_gil_contention", "enable_simd", "queue_limit", "task_timeout");

    /** covet.http's response size limit unless configured: 16 MiB. */
    public static final long DEFAULT_MAX_HTTP_RESPONSE = 16L << 20;
    /** The largest limit there can be: the body becomes one Java array, then one Python bytes. */
    public static final long MAX_HTTP_RESPONSE_LIMIT = Integer.MAX_VALUE - 8;

    public PerformanceConfig {
        requireAtLeast("cpu_threads", cpuThreads, 1);
        requireAtLeast("io_threads", ioThreads, 1);
        requireAtLeast("python_interpreters", pythonInterpreters, 1);
        requireAtLeast("max_gil_contention", maxGilContention, 1);
        requireAtLeast("queue_limit", queueLimit, 0);
        requireAtLeast("max_in_flight", maxInFlight, 1);
        if (taskTimeout == null || taskTimeout.isNegative() || taskTimeout.isZero()) {
            throw new IllegalArgumentException("task_timeout must be a positive duration, got " + taskTimeout);
        }
        pythonPath = List.copyOf(pythonPath);
        Objects.requireNonNull(sandbox, "sandbox");
        allowedHosts = Set.copyOf(allowedHosts);
        allowedHosts.forEach(AllowedHosts::entry);
        if (maxHttpResponse < 1 || maxHttpResponse > MAX_HTTP_RESPONSE_LIMIT) {
            throw new IllegalArgumentException("max_http_response must be from 1 to " + MAX_HTTP_RESPONSE_LIMIT + " bytes, got " + maxHttpResponse);
        }
        Objects.requireNonNull(mainScript, "mainScript");
        requireAtLeast("cpython_workers", cpythonWorkers, 0);
        requireAtLeast("cpython_max_tasks", cpythonMaxTasks, 0);
        mainArgv = List.copyOf(mainArgv);
        environment = Map.copyOf(environment);
        siteDirs = List.copyOf(siteDirs);
        Objects.requireNonNull(database, "database");
        requireAtLeast("database_pool", databasePool, 1);
        if (python3 == null || python3.isBlank()) {
            throw new IllegalArgumentException("python3 must name a Python interpreter, got '" + python3 + "'");
        }
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The tunable settings by their ADR names (what Python's {@code perf.config} shows). */
    public Map<String, Object> settings() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enable_rust_compute", enableCompute);
        out.put("enable_sub_interpreters", enableSubInterpreters);
        out.put("cpu_threads", cpuThreads);
        out.put("io_threads", ioThreads);
        out.put("python_interpreters", pythonInterpreters);
        out.put("max_gil_contention", maxGilContention);
        out.put("enable_simd", enableSimd);
        out.put("queue_limit", queueLimit);
        out.put("task_timeout", taskTimeout.toNanos() / 1e9);
        return out;
    }

    /** A builder holding exactly this config's settings (derived defaults included, as they are now). */
    public Builder toBuilder() {
        return new Builder().enableCompute(enableCompute).enableSubInterpreters(enableSubInterpreters).cpuThreads(cpuThreads)
                .ioThreads(ioThreads).pythonInterpreters(pythonInterpreters).maxGilContention(maxGilContention)
                .enableSimd(enableSimd).queueLimit(queueLimit).maxInFlight(maxInFlight).taskTimeout(taskTimeout).pythonPath(pythonPath)
                .sandbox(sandbox).allowedHosts(allowedHosts).maxHttpResponse(maxHttpResponse).mainScript(mainScript.orElse(null))
                .cpythonWorkers(cpythonWorkers).python3(python3).cpythonMaxTasks(cpythonMaxTasks).mainArgv(mainArgv)
                .environment(environment).siteDirs(siteDirs).database(database.orElse(null)).databasePool(databasePool);
    }

    public static final class Builder {
        private static final int CORES = Runtime.getRuntime().availableProcessors();

        private boolean enableCompute = true;
        private boolean enableSubInterpreters = true;
        private Integer cpuThreads;
        private Integer ioThreads;
        private Integer pythonInterpreters;
        private Integer maxGilContention;
        private boolean enableSimd = true;
        private int queueLimit = 1024;
        private int maxInFlight = PoolConfig.DEFAULT_MAX_IN_FLIGHT;
        private Duration taskTimeout = Duration.ofSeconds(60);
        private List<Path> pythonPath = List.of();
        private SandboxPolicy sandbox = SandboxPolicy.strict();
        private Set<String> allowedHosts = Set.of();
        private long maxHttpResponse = DEFAULT_MAX_HTTP_RESPONSE;
        private Optional<Path> mainScript = Optional.empty();
        private int cpythonWorkers;
        private String python3 = "python3";
        private int cpythonMaxTasks;
        private List<String> mainArgv = List.of();
        private Map<String, String> environment = Map.of();
        private List<Path> siteDirs = List.of();
        private DatabaseUrl database;
        private Integer databasePool;

        private Builder() {
        }

        public Builder enableCompute(boolean on) { this.enableCompute = on; return this; }
        public Builder enableSubInterpreters(boolean on) { this.enableSubInterpreters = on; return this; }
        public Builder cpuThreads(int n) { this.cpuThreads = n; return this; }
        public Builder ioThreads(int n) { this.ioThreads = n; return this; }
        public Builder pythonInterpreters(int n) { this.pythonInterpreters = n; return this; }
        public Builder maxGilContention(int n) { this.maxGilContention = n; return this; }
        public Builder enableSimd(boolean on) { this.enableSimd = on; return this; }
        public Builder queueLimit(int n) { this.queueLimit = n; return this; }
        public Builder maxInFlight(int n) { this.maxInFlight = n; return this; }
        public Builder taskTimeout(Duration timeout) { this.taskTimeout = timeout; return this; }
        public Builder pythonPath(List<Path> dirs) { this.pythonPath = dirs; return this; }
        public Builder sandbox(SandboxPolicy policy) { this.sandbox = policy; return this; }
        public Builder allowedHosts(Set<String> hosts) { this.allowedHosts = hosts; return this; }
        public Builder maxHttpResponse(long bytes) { this.maxHttpResponse = bytes; return this; }
        public Builder mainScript(Path script) { this.mainScript = Optional.ofNullable(script); return this; }
        public Builder cpythonWorkers(int n) { this.cpythonWorkers = n; return this; }
        public Builder python3(String pathOrCommand) { this.python3 = pathOrCommand; return this; }
        public Builder cpythonMaxTasks(int n) { this.cpythonMaxTasks = n; return this; }
        public Builder mainArgv(List<String> argv) { this.mainArgv = argv; return this; }
        public Builder environment(Map<String, String> variables) { this.environment = variables; return this; }
        public Builder siteDirs(List<Path> dirs) { this.siteDirs = dirs; return this; }
        public Builder database(DatabaseUrl url) { this.database = url; return this; }
        public Builder databasePool(int n) { this.databasePool = n; return this; }

        /** An independent copy, for layering settings over the same base more than once. */
        public Builder copy() {
            Builder b = new Builder();
            b.enableCompute = enableCompute;
            b.enableSubInterpreters = enableSubInterpreters;
            b.cpuThreads = cpuThreads;
            b.ioThreads = ioThreads;
            b.pythonInterpreters = pythonInterpreters;
            b.maxGilContention = maxGilContention;
            b.enableSimd = enableSimd;
            b.queueLimit = queueLimit;
            b.maxInFlight = maxInFlight;
            b.taskTimeout = taskTimeout;
            b.pythonPath = pythonPath;
            b.sandbox = sandbox;
            b.allowedHosts = allowedHosts;
            b.maxHttpResponse = maxHttpResponse;
            b.mainScript = mainScript;
            b.cpythonWorkers = cpythonWorkers;
            b.python3 = python3;
            b.cpythonMaxTasks = cpythonMaxTasks;
            b.mainArgv = mainArgv;
            b.environment = environment;
            b.siteDirs = siteDirs;
            b.database = database;
            b.databasePool = databasePool;
            return b;
        }

        /**
         * Applies settings by their ADR names (from a file, the app or flags). A {@code null}
         * value leaves a setting as it is, as the ADR's {@code None} defaults do.
         */
        public Builder apply(Map<String, ?> settings) {
            for (Map.Entry<String, ?> e : settings.entrySet()) {
                String name = e.getKey();
                Object v = e.getValue();
                if (v == null) {
                    continue;
                }
                switch (name) {
                    case "enable_rust_compute", "enable_compute" -> enableCompute = bool(name, v);
                    case "enable_sub_interpreters" -> enableSubInterpreters = bool(name, v);
                    case "cpu_threads" -> cpuThreads = integer(name, v);
                    case "io_threads" -> ioThreads = integer(name, v);
                    case "python_interpreters" -> pythonInterpreters = integer(name, v);
                    case "max_gil_contention" -> maxGilContention = integer(name, v);
                    case "enable_simd" -> enableSimd = bool(name, v);
                    case "queue_limit" -> queueLimit = integer(name, v);
                    case "task_timeout" -> {
                        if (!(v instanceof Number n) || v instanceof Boolean || !(n.doubleValue() > 0)) {
                            throw new IllegalArgumentException("task_timeout must be a positive number of seconds, got " + v);
                        }
                        taskTimeout = Duration.ofNanos((long) (n.doubleValue() * 1e9));
                    }
                    default -> throw new IllegalArgumentException("unknown performance setting '" + name + "'; known: "
                            + String.join(", ", new java.util.TreeSet<>(TUNABLE)));
                }
            }
            return this;
        }

        private static boolean bool(String name, Object v) {
            if (v instanceof Boolean b) {
                return b;
            }
            throw new IllegalArgumentException(name + " must be true or false, got " + v);
        }

        private static int integer(String name, Object v) {
            if (v instanceof Number n && !(v instanceof Boolean) && n.doubleValue() == Math.rint(n.doubleValue())
                    && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
                return n.intValue();
            }
            throw new IllegalArgumentException(name + " must be a whole number, got " + v);
        }

        public PerformanceConfig build() {
            int interpreters = pythonInterpreters != null ? pythonInterpreters : Math.max(2, CORES);
            return new PerformanceConfig(enableCompute, enableSubInterpreters,
                    cpuThreads != null ? cpuThreads : CORES,
                    ioThreads != null ? ioThreads : Math.min(32, CORES + 4),
                    interpreters,
                    maxGilContention != null ? maxGilContention : interpreters,
                    enableSimd, queueLimit, maxInFlight, taskTimeout, pythonPath, sandbox, allowedHosts, maxHttpResponse, mainScript,
                    cpythonWorkers, python3, cpythonMaxTasks, mainArgv, environment, siteDirs, Optional.ofNullable(database),
                    databasePool != null ? databasePool : Math.max(2, interpreters));
        }
    }
}
