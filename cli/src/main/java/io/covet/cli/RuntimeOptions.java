package io.covet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.covet.database.DatabaseUrl;
import io.covet.interpreters.SandboxPolicy;
import io.covet.runtime.PerformanceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The runtime's flags, shared by {@code covet exec} and {@code covet run} (a picocli mixin):
 * pool and lane sizes, the sandbox's grants and a settings file. Settings given as flags win over
 * the file and over the app's own {@code PerformanceConfig}.
 */
final class RuntimeOptions {

    @Option(names = {"--interpreters", "-w", "--workers"}, paramLabel = "N",
            description = "interpreters in the pool, each serving requests as a gunicorn or uvicorn worker would (default: cores, at least 2)")
    Integer interpreters;

    @Option(names = "--cpu-threads", paramLabel = "N", description = "compute engine threads (default: cores)")
    Integer cpuThreads;

    @Option(names = "--io-threads", paramLabel = "N", description = "IO lane concurrency (default: min(32, cores + 4))")
    Integer ioThreads;

    @Option(names = "--max-gil-contention", paramLabel = "N", description = "interpreters running Python at once (default: interpreters)")
    Integer maxGilContention;

    @Option(names = "--max-in-flight", paramLabel = "N",
            description = "tasks one interpreter has in flight: async handlers awaiting on its event loop (default: 128)")
    Integer maxInFlight;

    @Option(names = "--task-timeout", paramLabel = "SECONDS", description = "longest one task in another interpreter may run (default: 60)")
    Double taskTimeout;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings by their PerformanceConfig names")
    Path configFile;

    @Option(names = "--allow-net", paramLabel = "HOST", split = ",",
            description = "where covet.http and Python's own TCP sockets (http.client, urllib, redis-py ...) may connect: "
                    + "HOST (any port) or HOST:PORT ('*': anywhere); repeatable")
    List<String> allowNet = new ArrayList<>();

    @Option(names = "--max-http-response", paramLabel = "BYTES",
            description = "largest response body covet.http accepts (default: 16777216, 16 MiB)")
    Long maxHttpResponse;

    @Option(names = "--allow-read", paramLabel = "DIR",
            description = "a directory Python may read and list, besides the script's own and the python path; repeatable")
    List<Path> allowRead = new ArrayList<>();

    @Option(names = "--python-path", paramLabel = "DIR",
            description = "put DIR on every interpreter's sys.path (and make it readable); repeatable, e.g. /usr/lib/python3/dist-packages")
    List<Path> pythonPath = new ArrayList<>();

    @Option(names = "--venv", paramLabel = "DIR", defaultValue = "${env:VIRTUAL_ENV}",
            description = "a virtualenv whose site-packages every interpreter imports from (its .pth files honoured, "
                    + "what they name readable); default: $VIRTUAL_ENV, if set")
    Path venv;

    @Option(names = "--env", paramLabel = "NAME[=VALUE]",
            description = "put NAME into Python's os.environ, with VALUE or with this process's value of NAME; repeatable. "
                    + "Only what is named gets in (all of it with --trusted)")
    List<String> env = new ArrayList<>();

    @Option(names = "--allow-write", paramLabel = "DIR",
            description = "let Python create, write, rename and delete files below DIR (and read them); repeatable")
    List<Path> allowWrite = new ArrayList<>();

    @Option(names = "--database", paramLabel = "URL",
            description = "the PostgreSQL database covet.db.connect() and postgresql+covet:// reach, "
                    + "postgresql://user:password@host:port/db (default: $DATABASE_URL, if set); no --allow-net needed for it")
    String database;

    @Option(names = "--db-pool", paramLabel = "N",
            description = "server connections per database, shared by every interpreter (default: the interpreter count, at least 2)")
    Integer dbPool;

    @Option(names = "--allow-threads", description = "let Python start threads")
    boolean allowThreads;

    @Option(names = "--trusted", description = "turn the sandbox off: Java classes, native code, processes, files, network, threads")
    boolean trusted;

    @Option(names = "--cpython-workers", paramLabel = "N",
            description = "CPython worker processes for code that needs CPython (@perf.cpu_intensive(use_native=False),"
                    + " parallel_map(..., lane=\"cpython\")). They run outside the sandbox, with this process's"
                    + " permissions. Default: 0, no such lane")
    Integer cpythonWorkers;

    @Option(names = "--python3", paramLabel = "PATH", description = "the CPython the workers run (default: python3 on PATH)")
    String python3;

    @Option(names = "--cpython-max-tasks", paramLabel = "N",
            description = "tasks a CPython worker runs before a fresh one replaces it (default: 0, no limit)")
    Integer cpythonMaxTasks;

    @Option(names = {"-v", "--verbose"}, description = "log the runtime's start-up and configuration to stderr")
    boolean verbose;

    /** The runtime's base settings (defaults, then the file) for a program in {@code script}'s directory. */
    PerformanceConfig.Builder base(CommandSpec spec, Path script) {
        for (Path dir : allowRead) {
            if (!Files.isDirectory(dir)) {
                throw new ParameterException(spec.commandLine(), "--allow-read " + dir + ": not a directory");
            }
        }
        for (Path dir : pythonPath) {
            if (!Files.isDirectory(dir)) {
                throw new ParameterException(spec.commandLine(), "--python-path " + dir + ": not a directory");
            }
        }
        for (Path dir : allowWrite) {
            if (!Files.isDirectory(dir)) {
                throw new ParameterException(spec.commandLine(), "--allow-write " + dir + ": not a directory");
            }
        }
        VirtualEnv virtualEnv;
        try {
            virtualEnv = venv == null ? null : VirtualEnv.open(venv);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Set<String> hosts = new LinkedHashSet<>(allowNet.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        PerformanceConfig.Builder base = PerformanceConfig.builder().sandbox(sandbox(virtualEnv)).allowedHosts(hosts)
                .pythonPath(pythonPath.stream().map(p -> p.toAbsolutePath().normalize()).toList())
                .siteDirs(virtualEnv == null ? List.of() : virtualEnv.sitePackages())
                .environment(environment(spec));
        if (maxHttpResponse != null) {
            base.maxHttpResponse(maxHttpResponse);
        }
        database(spec, base);
        if (maxInFlight != null) {
            if (maxInFlight < 1) {
                throw new ParameterException(spec.commandLine(), "--max-in-flight must be at least 1, got " + maxInFlight);
            }
            base.maxInFlight(maxInFlight);
        }
        workers(spec, base);
        if (configFile != null) {
            base.apply(readConfig(spec, configFile));
        }
        try {
            base.copy().apply(pinned()).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return base;
    }

    /** --database (else $DATABASE_URL) and --db-pool, checked; a bad URL is named without its password. */
    private void database(CommandSpec spec, PerformanceConfig.Builder base) {
        String url = database != null ? database : System.getenv("DATABASE_URL");
        String from = database != null ? "--database" : "DATABASE_URL";
        if (url != null && !url.isBlank()) {
            try {
                base.database(DatabaseUrl.parse(url));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), from + ": " + e.getMessage());
            }
        }
        if (dbPool != null) {
            if (dbPool < 1) {
                throw new ParameterException(spec.commandLine(), "--db-pool must be at least 1, got " + dbPool);
            }
            base.databasePool(dbPool);
        }
    }

    /** The variables --env names, with their values. */
    private Map<String, String> environment(CommandSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : env) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            if (name.isEmpty() || name.indexOf('\0') >= 0) {
                throw new ParameterException(spec.commandLine(), "--env " + entry + ": give NAME or NAME=VALUE");
            }
            String value = eq < 0 ? System.getenv(name) : entry.substring(eq + 1);
            if (value == null) {
                throw new ParameterException(spec.commandLine(), "--env " + name + ": " + name
                        + " is not set in this environment (give its value: --env " + name + "=VALUE)");
            }
            out.put(name, value);
        }
        return out;
    }

    /** The CPython worker flags, checked: the interpreter's path is checked when the workers start. */
    private void workers(CommandSpec spec, PerformanceConfig.Builder base) {
        int n = cpythonWorkers == null ? 0 : cpythonWorkers;
        if (n < 0) {
            throw new ParameterException(spec.commandLine(), "--cpython-workers must be at least 0, got " + n);
        }
        if (n == 0 && (python3 != null || cpythonMaxTasks != null)) {
            throw new ParameterException(spec.commandLine(), (python3 != null ? "--python3" : "--cpython-max-tasks")
                    + " configures CPython workers, but there are none: add --cpython-workers N");
        }
        if (cpythonMaxTasks != null && cpythonMaxTasks < 0) {
            throw new ParameterException(spec.commandLine(), "--cpython-max-tasks must be at least 0 (0: no limit), got " + cpythonMaxTasks);
        }
        base.cpythonWorkers(n);
        if (python3 != null) {
            base.python3(python3);
        }
        if (cpythonMaxTasks != null) {
            base.cpythonMaxTasks(cpythonMaxTasks);
        }
    }

    /** Held so the level set on it stays: JUL keeps loggers only weakly. */
    private static final Logger COVET_LOG = Logger.getLogger("io.covet");

    /** Quiets the runtime's start-up logging unless -v. */
    void configureLogging() {
        COVET_LOG.setLevel(verbose ? Level.INFO : Level.WARNING);
    }

    private SandboxPolicy sandbox(VirtualEnv virtualEnv) {
        if (trusted) {
            return SandboxPolicy.trusted();
        }
        SandboxPolicy policy = SandboxPolicy.strict().withThreads(allowThreads);
        if (virtualEnv != null) {
            for (Path dir : virtualEnv.pthDirs()) {
                policy = policy.withReadable(dir);   // site-packages itself is on the python path, readable as such
            }
        }
        for (Path dir : allowRead) {
            policy = policy.withReadable(dir);
        }
        for (Path dir : allowWrite) {
            policy = policy.withWritable(dir);
        }
        return policy;
    }

    /** Settings given as flags, by their PerformanceConfig names: they win over the file and the app. */
    Map<String, Object> pinned() {
        Map<String, Object> pinned = new LinkedHashMap<>();
        if (interpreters != null) {
            pinned.put("python_interpreters", interpreters);
        }
        if (cpuThreads != null) {
            pinned.put("cpu_threads", cpuThreads);
        }
        if (ioThreads != null) {
            pinned.put("io_threads", ioThreads);
        }
        if (maxGilContention != null) {
            pinned.put("max_gil_contention", maxGilContention);
        }
        if (taskTimeout != null) {
            pinned.put("task_timeout", taskTimeout);
        }
        return pinned;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readConfig(CommandSpec spec, Path file) {
        try {
            Object parsed = new ObjectMapper().readValue(file.toFile(), Object.class);
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new ParameterException(spec.commandLine(), "--config " + file + ": expected a JSON object of settings");
            }
            PerformanceConfig.builder().apply((Map<String, Object>) map);
            return (Map<String, Object>) map;
        } catch (IOException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--config " + file + ": " + e.getMessage());
        }
    }
}
