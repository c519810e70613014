package io.covet.interpreters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How an {@link InterpreterPool} is shaped. Build one with {@link #builder()}; every setting has
 * a default taken from the machine.
 *
 * @param size                   interpreters kept ready (default: available processors)
 * @param pythonPath             directories user modules are imported from (readable in the sandbox)
 * @param preload                modules each interpreter imports before it takes work
 * @param warmup                 Python source each new interpreter runs once before it takes work
 *                               (empty: none), e.g. a loop over the hot functions to start the JIT
 * @param maxTasksPerInterpreter an interpreter is replaced after this many tasks (0: never)
 * @param maxAge                 an interpreter is replaced when this old ({@link Duration#ZERO}: never)
 * @param queueLimit             tasks that may wait for an interpreter; beyond it submission is rejected
 *                               (how long one may wait is its caller's deadline: {@link InterpreterPool#enqueue})
 * @param maxInFlight            tasks one interpreter has in flight at once: those awaiting on its event
 *                               loop (coroutines) and the one whose code runs now
 * @param taskTimeout            longest a task may run before it is stopped (its interpreter is replaced)
 * @param shutdownGrace          how long {@link InterpreterPool#close()} lets queued and running tasks finish
 * @param sandbox                what Python code may do ({@link SandboxPolicy#strict()} by default)
 * @param bytecodeCache          where compiled {@code .pyc} files are kept between runs (empty: no cache),
 *                               one directory below it per python path and policy; only Covet's compiler
 *                               writes it for a sandboxed pool ({@code BytecodeCache})
 * @param hostFunctions          Java functions Python code may call as {@code _covet_host.NAME(...)}
 *                               (see {@link HostFunction}); this is how upper layers reach Python
 * @param environment            what {@code os.environ} holds in every interpreter (the process's own
 *                               environment is not passed on unless the policy allows everything)
 */
public record PoolConfig(int size, List<Path> pythonPath, List<String> preload, String warmup,
                         int maxTasksPerInterpreter, Duration maxAge, int queueLimit,
                         int maxInFlight, Duration taskTimeout, Duration shutdownGrace,
                         SandboxPolicy sandbox, Optional<Path> bytecodeCache,
                         Map<String, HostFunction> hostFunctions, Map<String, String> environment) {

    public PoolConfig {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, got " + size);
        }
        if (maxTasksPerInterpreter < 0) {
            throw new IllegalArgumentException("maxTasksPerInterpreter must be >= 0 (0: never replace), got " + maxTasksPerInterpreter);
        }
        if (queueLimit < 0) {
            throw new IllegalArgumentException("queueLimit must be >= 0, got " + queueLimit);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        requireNonNegative("maxAge", maxAge);
        requirePositive("taskTimeout", taskTimeout);
        requireNonNegative("shutdownGrace", shutdownGrace);
        pythonPath = List.copyOf(pythonPath);
        preload = List.copyOf(preload);
        environment = Map.copyOf(environment);
        for (String module : preload) {
            if (!module.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
                throw new IllegalArgumentException("preload: '" + module + "' is not a Python module name");
            }
        }
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(bytecodeCache, "bytecodeCache");
        hostFunctions = Map.copyOf(hostFunctions);
        for (String name : hostFunctions.keySet()) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("host function name '" + name + "' is not a Python identifier");
            }
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }

    private static void requireNonNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }

    /**
     * Tasks in flight per interpreter unless configured: enough for a few hundred connections that
     * mostly await on two cores (each in-flight coroutine costs a few kilobytes).
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 128;

    public static Builder builder() {
        return new Builder();
    }

    /** Where the bytecode cache lives unless configured: {@code $XDG_CACHE_HOME/covet/pyc} or {@code ~/.cache/covet/pyc}. */
    public static Path defaultBytecodeCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("covet").resolve("pyc");
    }

    public static final class Builder {
        private int size = Runtime.getRuntime().availableProcessors();
        private List<Path> pythonPath = List.of();
        private List<String> preload = List.of();
        private String warmup = "";
        private int maxTasksPerInterpreter = 0;
        private Duration maxAge = Duration.ZERO;
        private int queueLimit = 1024;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private Duration taskTimeout = Duration.ofSeconds(60);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private SandboxPolicy sandbox = SandboxPolicy.strict();
        private Optional<Path> bytecodeCache = Optional.of(defaultBytecodeCache());
        private final Map<String, HostFunction> hostFunctions = new LinkedHashMap<>();
        private Map<String, String> environment = Map.of();

        private Builder() {
        }

        public Builder size(int size) { this.size = size; return this; }
        public Builder pythonPath(List<Path> dirs) { this.pythonPath = dirs; return this; }
        public Builder pythonPath(Path... dirs) { return pythonPath(List.of(dirs)); }
        public Builder preload(List<String> modules) { this.preload = modules; return this; }
        public Builder preload(String... modules) { return preload(List.of(modules)); }
        public Builder warmup(String source) { this.warmup = source; return this; }
        public Builder maxTasksPerInterpreter(int tasks) { this.maxTasksPerInterpreter = tasks; return this; }
        public Builder maxAge(Duration age) { this.maxAge = age; return this; }
        public Builder queueLimit(int tasks) { this.queueLimit = tasks; return this; }
        public Builder maxInFlight(int tasks) { this.maxInFlight = tasks; return this; }
        public Builder taskTimeout(Duration timeout) { this.taskTimeout = timeout; return this; }
        public Builder shutdownGrace(Duration grace) { this.shutdownGrace = grace; return this; }
        public Builder sandbox(SandboxPolicy policy) { this.sandbox = policy; return this; }
        /** {@code null} turns the cache off: every interpreter then parses each module it imports. */
        public Builder bytecodeCache(Path dir) { this.bytecodeCache = Optional.ofNullable(dir); return this; }

        /** Makes {@code function} callable from Python as {@code _covet_host.<name>(...)}. */
        public Builder hostFunction(String name, HostFunction function) {
            hostFunctions.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(function, "function"));
            return this;
        }

        public Builder environment(Map<String, String> variables) { this.environment = variables; return this; }

        public Builder hostFunctions(Map<String, HostFunction> functions) {
            functions.forEach(this::hostFunction);
            return this;
        }

        public PoolConfig build() {
            return new PoolConfig(size, pythonPath, preload, warmup, maxTasksPerInterpreter, maxAge, queueLimit,
                    maxInFlight, taskTimeout, shutdownGrace, sandbox, bytecodeCache, hostFunctions, environment);
        }
    }
}
