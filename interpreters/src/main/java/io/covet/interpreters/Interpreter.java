package io.covet.interpreters;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * One GraalPy context and the platform thread that owns it. Only that thread enters the context:
 * it builds it (sandbox, helper module, preloads, warm-up), then takes tasks from the pool until
 * the pool retires it, closes, or it is killed. Other threads only ever {@link #kill()} it.
 */
final class Interpreter implements Runnable {

    private static final String HELPER_SOURCE = loadHelper();
    private static final String LOADER = """
            def _covet_load(src):
                import sys, types
                module = types.ModuleType('_covet_pool')
                exec(compile(src, '<covet_pool>', 'exec'), module.__dict__)
                sys.modules['_covet_pool'] = module
                return module
            _covet_load
            """;

    private final InterpreterPool pool;
    private final PoolConfig config;
    private final Engine engine;
    final long createdNanos = System.nanoTime();
    /** Completes when the interpreter is ready to serve, or exceptionally if it could not start. */
    final CompletableFuture<Void> startedFuture = new CompletableFuture<>();
    /** Set once the interpreter should stop taking tasks (replaced ahead of need, or pool closed). */
    volatile boolean retiring;
    /** A replacement was already started for this interpreter; never start a second. */
    volatile boolean replaced;
    /** The task now running, or null when idle. */
    volatile PendingTask current;
    private volatile Context context;
    private volatile boolean killed;
    private Value call;
    private Value evaluate;
    private Value describe;
    private Boundary boundary;
    private final InterpreterSession session;
    private volatile Thread owner;
    int tasksRun;
    /** How many of the pool's setups this interpreter has run (read by the pool under its lock). */
    volatile int setupsRun;
    /** True while a setup or teardown runs: no task is current, yet the interpreter is busy. */
    volatile boolean inHook;
    /** Set once the owner closes its own context on the way out: nothing left to stop. */
    volatile boolean closing;
    /** Teardowns of the setups run, in order; run backwards when the interpreter stops normally. */
    private final List<String> teardowns = new ArrayList<>();
    private boolean initialized;
    private RuntimeException lastSetupFailure;

    Interpreter(InterpreterPool pool, PoolConfig config, Engine engine, int id) {
        this.pool = pool;
        this.config = config;
        this.engine = engine;
        this.session = new InterpreterSession(id, this);
    }

    @Override
    public void run() {
        owner = Thread.currentThread();
        try {
            try {
                initialize();
            } catch (RuntimeException | Error e) {
                pool.interpreterFailed(this, killed ? null : e);
                return;
            }
            if (!pool.interpreterReady(this)) {
                return;
            }
            PendingTask task;
            while ((task = pool.nextTask(this)) != null) {
                if (task == PendingTask.SETUP) {
                    if (!runSetups() && !killed) {
                        // A failed setup leaves the interpreter half-prepared: let a fresh one take over.
                        pool.replace(this, false);
                        pool.retire(this);
                    }
                    if (killed) {
                        return;
                    }
                    continue;
                }
                execute(task);
                if (killed) {
                    return;
                }
                tasksRun++;
                pool.taskEnded(this);
            }
        } finally {
            try {
                if (initialized && !killed) {
                    runTeardowns();
                }
                closing = true;
                closeContext(false);
            } finally {
                // Whatever happened above, the pool must hear that this interpreter is gone.
                pool.interpreterExited(this);
            }
        }
    }

    /**
     * Runs the pool's setups this interpreter has not run yet, reporting each outcome to the
     * pool; stops at the first failure and returns false.
     */
    private boolean runSetups() {
        for (InterpreterPool.Setup setup : pool.setupsFrom(setupsRun)) {
            setupsRun++;
            RuntimeException failure = null;
            inHook = true;
            try {
                context.eval(Source.create("python", setup.setup()));
                if (setup.teardown() != null) {
                    teardowns.add(setup.teardown());
                }
            } catch (PolyglotException e) {
                failure = killed || e.isCancelled() ? new PoolClosedException("stopped while running a setup")
                        : e.isGuestException() && !e.isInternalError() && e.getGuestObject() != null ? toPythonException(e)
                        : new PythonException("SystemError", "setup failed: " + e.getMessage(), "");
            } finally {
                inHook = false;
            }
            pool.setupRan(this, setup, failure);
            if (failure != null) {
                lastSetupFailure = failure;
                return false;
            }
        }
        return true;
    }

    /** Runs the teardowns, last setup's first; a failing one is logged and the others still run. */
    private void runTeardowns() {
        inHook = true;
        try {
            for (int i = teardowns.size() - 1; i >= 0 && !killed; i--) {
                try {
                    context.eval(Source.create("python", teardowns.get(i)));
                } catch (PolyglotException e) {
                    if (!killed && !e.isCancelled()) {
                        String detail = e.isGuestException() && e.getGuestObject() != null
                                ? toPythonException(e).getMessage() : e.getMessage();
                        java.util.logging.Logger.getLogger(Interpreter.class.getName())
                                .warning("interpreter " + session.id() + ": teardown failed: " + detail);
                    }
                }
            }
        } finally {
            inHook = false;
        }
    }

    private void initialize() {
        SandboxPolicy sandbox = config.sandbox();
        Context.Builder builder = Context.newBuilder("python").engine(engine)
                .allowHostAccess(sandbox.hostAccess() ? HostAccess.ALL : HostAccess.NONE)
                .allowHostClassLookup(name -> sandbox.hostAccess())
                .allowHostClassLoading(sandbox.hostAccess())
                .allowNativeAccess(sandbox.nativeAccess())
                .allowCreateProcess(sandbox.processes())
                .allowCreateThread(sandbox.threads())
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.newBuilder()
                        .fileSystem(sandbox.fileWrites() ? org.graalvm.polyglot.io.FileSystem.newDefaultFileSystem()
                                                         : SandboxFileSystem.create(config))
                        .allowHostSocketAccess(sandbox.network())
                        .build())
                .option("python.PosixModuleBackend", sandbox.nativeAccess() ? "native" : "java");
        if (!config.pythonPath().isEmpty()) {
            builder.option("python.PythonPath", config.pythonPath().stream()
                    .map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(java.io.File.pathSeparator)));
        }
        config.bytecodeCache().ifPresent(dir -> builder
                .option("python.PyCachePrefix", dir.toAbsolutePath().toString())
                .option("python.DontWriteBytecodeFlag", "false"));
        context = builder.build();
        if (killed) {
            throw new IllegalStateException("stopped while starting");
        }
        Value helper = context.eval("python", LOADER).execute(HELPER_SOURCE);
        call = helper.getMember("call");
        evaluate = helper.getMember("evaluate");
        describe = helper.getMember("describe");
        boundary = new Boundary(helper);
        if (!config.hostFunctions().isEmpty()) {
            helper.getMember("install_host").execute(hostModule(helper.getMember("HOST_ERROR")),
                    boundary.toPython(new ArrayList<>(config.hostFunctions().keySet())));
        }
        if (!(sandbox.network() && sandbox.threads() && sandbox.processes() && sandbox.hostAccess())) {
            helper.getMember("install_guards").execute(sandbox.network(), sandbox.threads(), sandbox.processes(), sandbox.hostAccess());
        }
        try {
            for (String module : config.preload()) {
                context.eval("python", "import " + module);
            }
            if (!config.warmup().isBlank()) {
                context.eval(Source.create("python", config.warmup()));
            }
            initialized = true;
            if (!runSetups()) {
                throw lastSetupFailure;
            }
        } catch (PolyglotException e) {
            if (e.isGuestException() && !e.isInternalError() && e.getGuestObject() != null) {
                throw toPythonException(e);
            }
            throw e;
        }
    }

    /**
     * The functions of {@code _covet_host}. Each returns its value, or on failure the helper's
     * {@code HOST_ERROR} sentinel after recording {@code (python_type, message)}, which
     * {@code install_host}'s wrappers fetch through {@code _last_error} and raise; so no Java
     * exception ever crosses into Python as a foreign object, and success costs no wrapping.
     */
    private ProxyObject hostModule(Value hostError) {
        Map<String, Object> members = new HashMap<>();
        PyTuple[] lastError = new PyTuple[1];
        config.hostFunctions().forEach((name, function) -> members.put(name, (ProxyExecutable) arguments -> {
            try {
                List<Object> args = new ArrayList<>(arguments.length);
                for (Value a : arguments) {
                    args.add(boundary.toJava(a));
                }
                return boundary.toPython(function.apply(session, args));
            } catch (HostError e) {
                lastError[0] = PyTuple.of(e.pythonType(), e.getMessage());
            } catch (Boundary.UnsupportedValue e) {
                lastError[0] = PyTuple.of("TypeError", "_covet_host." + name + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                lastError[0] = PyTuple.of("ValueError", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lastError[0] = PyTuple.of("KeyboardInterrupt", "interrupted while waiting in _covet_host." + name);
            } catch (Exception e) {
                lastError[0] = PyTuple.of("RuntimeError", "_covet_host." + name + " failed: " + e);
            }
            return hostError;
        }));
        members.put("_last_error", (ProxyExecutable) arguments -> boundary.toPython(lastError[0]));
        return ProxyObject.fromMap(members);
    }

    /** Runs one task on this thread and hands its outcome to the pool. */
    private void execute(PendingTask task) {
        Object result = null;
        RuntimeException failure = null;
        try {
            PythonTask t = task.task;
            Value value;
            if (t.isCall()) {
                Value args = (Value) boundary.toPython(t.args());
                Object kwargs = t.kwargs().isEmpty() ? null : boundary.toPython(t.kwargs());
                value = call.execute(t.module(), t.function(), args, kwargs);
            } else {
                value = evaluate.execute(t.source());
            }
            result = boundary.toJava(value);
        } catch (PolyglotException e) {
            if (killed || e.isCancelled() || e.isInterrupted()) {
                // Stopped from outside (timeout, cancel, shutdown): whoever stopped it told the caller.
                failure = new PoolClosedException(task.task.describe() + " was stopped");
                killed = true;
            } else if (e.isExit()) {
                failure = new PythonException("SystemExit", "the task exited the interpreter with status " + e.getExitStatus(), "");
                retireAfterFailure();
            } else if (e.isGuestException() && !e.isInternalError() && e.getGuestObject() != null) {
                failure = toPythonException(e);
            } else {
                // A host error escaped the guest (e.g. a denied operation no guard caught): its state is unknown.
                failure = new PythonException("SystemError", "internal error in the interpreter: " + e.getMessage(), "");
                retireAfterFailure();
            }
        } catch (Boundary.UnsupportedValue e) {
            failure = new PythonException("TypeError", e.getMessage(), "");
        } catch (IllegalArgumentException e) {
            failure = e;
        }
        pool.taskFinished(task, result, failure);
    }

    private PythonException toPythonException(PolyglotException e) {
        Value info = describe.execute(e.getGuestObject());
        return new PythonException(info.getArrayElement(0).asString(), info.getArrayElement(1).asString(),
                info.getArrayElement(2).asString());
    }

    /** After an error that may have left the context broken: finish this task, then be replaced. */
    private void retireAfterFailure() {
        pool.replace(this, false);
    }

    /**
     * Stops whatever runs in this interpreter and closes it; called from a lifecycle thread, never
     * from the owner. Blocks until the guest code is cancelled.
     */
    void kill() {
        killed = true;
        retiring = true;
        Thread t = owner;
        if (t != null) {
            // Wakes the owner if it is blocked in a host function (e.g. waiting for sub-tasks),
            // where Truffle's cancellation cannot reach it.
            t.interrupt();
        }
        closeContext(true);
    }

    private void closeContext(boolean cancel) {
        Context c = context;
        if (c != null) {
            try {
                c.close(cancel);
            } catch (PolyglotException | IllegalStateException | AssertionError e) {
                // Already closed, or closed from two threads at once (the owner on its way out while
                // shutdown kills it; Truffle may assert then): nothing left to do.
            }
        }
    }

    private static String loadHelper() {
        try (InputStream in = Interpreter.class.getResourceAsStream("covet_pool.py")) {
            if (in == null) {
                throw new IllegalStateException("covet_pool.py is missing from the interpreters jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
