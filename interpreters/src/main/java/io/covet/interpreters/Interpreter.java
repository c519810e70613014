package io.covet.interpreters;

import io.covet.tasks.StartupTimeline;
import io.covet.tasks.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.logging.Logger;
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
 * it builds it (sandbox, helper module, preloads, setups), then does what {@link
 * InterpreterPool#nextWork} gives it, one unit at a time, until the pool stops it: start a task,
 * turn its event loop once, cancel loop tasks, run setups. Other threads only ever {@link #kill()}
 * it or wake it.
 *
 * <p>A task whose function returns a coroutine keeps running on the interpreter's event loop after
 * its start, so one interpreter has up to {@link PoolConfig#maxInFlight()} tasks in flight; sync
 * code runs one unit at a time, on this thread, between turns of the loop.
 *
 * <p>Fields marked "pool lock" are read and written only under {@link InterpreterPool}'s lock;
 * the lifecycle ({@link State}) is changed only there.
 */
final class Interpreter implements Runnable {

    /** Where the interpreter is in its life; changed only under the pool's lock. */
    enum State {
        /** Building its context, loading preloads and setups. */
        STARTING,
        /** Taking tasks. */
        SERVING,
        /** Takes no new tasks; leaves once those in flight are done (replaced, shrunk, pool closed). */
        RETIRING,
        /** Being stopped from outside (a timeout, shutdown): its context is closed with cancellation. */
        KILLED,
        /** Its thread has finished. */
        EXITED
    }

    private static final Logger LOG = Logger.getLogger(Interpreter.class.getName());
    private static final String HELPER_SOURCE = loadResource("covet_pool.py");
    private static final String STDLIB_SOURCE = loadResource("covet_stdlib.py");
    private static final String LOADER = """
            def _covet_load(name, src):
                import sys, types
                module = types.ModuleType(name)
                exec(compile(src, '<' + name + '>', 'exec'), module.__dict__)
                sys.modules[name] = module
                return module
            _covet_load
            """;

    final int id;
    /** Its sqlite3 module's connections (Covet's, in Java): made with the context, closed with it. */
    private volatile Sqlite sqlite;
    private final InterpreterPool pool;
    private final PoolConfig config;
    private final Engine engine;
    final long createdNanos = System.nanoTime();
    /** Completes when the interpreter is ready to serve, or exceptionally if it could not start. */
    final CompletableFuture<Void> startedFuture = new CompletableFuture<>();
    final InterpreterSession session;
    /** The pool lock's condition this interpreter waits on (for work, or in a host function). */
    final Condition wakeup;

    // ---- pool lock --------------------------------------------------------------------------
    State state = State.STARTING;
    /** A replacement was started for this interpreter; never start a second. */
    boolean replaced;
    /** New interpreters with newer code are taking over from this one (a reload): it is not counted, nor replaced. */
    boolean superseded;
    /** Tasks this interpreter runs (sync or on its loop), by the id Python knows them by. */
    final Map<Long, Task<PythonTask>> inFlight = new LinkedHashMap<>();
    /** Of those, how many are on the loop (the others: the one whose call runs now). */
    int onLoop;
    /** The task nextWork gave this interpreter to start next, and its id. */
    Task<PythonTask> reserved;
    long reservedId;
    long nextTaskId;
    /** Loop tasks to cancel at the next chance. */
    final List<Long> cancels = new ArrayList<>();
    /** When the loop needs its next turn ({@link System#nanoTime()}), if {@link #loopWaiting}. */
    long loopDueNanos;
    boolean loopWaiting;
    /** Helping was tried since the last turn and found nothing to run. */
    boolean helpTried;
    /** Its event loop exists (it has turned once): a wake-up means a turn. */
    boolean hasLoop;
    /** Waiting in nextWork for work (the pool's idle list), not in a host function. */
    boolean idle;
    /** How many of the pool's setups it has started, and finished without failing. */
    int setupsRun;
    int setupsDone;
    int tasksStarted;

    // ---- any thread -------------------------------------------------------------------------
    /** Something for its loop happened (a sub-task completed, a thread-safe call_soon): turn the loop. */
    volatile boolean woken;
    /** The same event, for a host function waiting on this thread (each consumes its own flag). */
    volatile boolean hostWoken;
    /** Waiting on {@link #wakeup} (for work or in a host function). */
    volatile boolean parked;
    /** The task whose sync code runs now, null between units and while the loop turns. */
    volatile Task<PythonTask> runningSync;
    /** Counts units run, which one runs now, and whether one does: tells a loop stuck in one turn. */
    volatile long units;
    volatile InterpreterPool.Work unit;
    volatile boolean inUnit;
    /** Set once the owner closes its own context on the way out: nothing left to stop. */
    volatile boolean closing;
    private volatile boolean killed;
    private volatile Context context;
    private volatile Thread owner;

    // ---- the owner thread only --------------------------------------------------------------
    private Value start;
    private Value startEval;
    private Value step;
    private Value cancel;
    private Value help;
    private Value nextTurn;
    private Value currentTask;
    private Value describe;
    private Value pending;
    private Value importedSources;
    private Boundary boundary;
    /** Teardowns of the setups run, in order; run backwards when the interpreter stops normally. */
    private final List<String> teardowns = new ArrayList<>();
    private boolean initialized;
    private RuntimeException lastSetupFailure;

    Interpreter(InterpreterPool pool, PoolConfig config, Engine engine, int id, Condition wakeup) {
        this.pool = pool;
        this.config = config;
        this.engine = engine;
        this.id = id;
        this.wakeup = wakeup;
        this.session = new InterpreterSession(id, this, pool);
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
            if (pool.interpreterReady(this)) {
                serve();
            }
        } finally {
            try {
                if (initialized && !killed) {
                    reportImports();  // what handlers imported on the way, for the next interpreters
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

    /** The interpreter's main loop: one unit of work at a time, as the pool hands them out. */
    private void serve() {
        while (true) {
            InterpreterPool.Work work = pool.nextWork(this);
            if (work == InterpreterPool.Work.STOP || killed) {
                return;
            }
            unit = work;
            units++;
            inUnit = true;
            try {
                switch (work) {
                    case SETUP -> {
                        if (!runSetups() && !killed) {
                            // A failed setup leaves the interpreter half-prepared: let a fresh one take over.
                            pool.replace(this, false);
                        }
                        reportImports();
                        pool.loopTurned(this, nextTurn.execute().asDouble());  // it may have made loop work
                    }
                    case START -> startNext();
                    case CANCEL -> cancelTasks();
                    case TURN -> turnLoop();
                    case HELP -> helpOnce();
                    case STOP -> { }
                }
            } catch (PolyglotException e) {
                if (!killed && !e.isCancelled() && !e.isInterrupted()) {
                    // The loop itself failed (SystemExit or KeyboardInterrupt out of a task, an internal
                    // error): its state is unknown, so its tasks end here and a fresh interpreter takes over.
                    LOG.warning(() -> "interpreter " + id + ": its event loop failed (" + e.getMessage()
                            + "); its tasks are aborted and the interpreter replaced");
                    pool.loopFailed(this, describeFailure(e));
                }
            } finally {
                inUnit = false;
                runningSync = null;
            }
            if (killed) {
                return;
            }
        }
    }

    // ---- units of work ------------------------------------------------------------------------

    /** Takes the task nextWork reserved and starts it: a value settles it, a coroutine stays on the loop. */
    private void startNext() {
        long tid = reservedId;
        Task<PythonTask> task = pool.takeReserved(this);
        if (!task.isRunning()) {
            pool.taskFinished(this, tid, false, null, null);  // ended meanwhile (deadline, cancellation)
            return;
        }
        Object result = null;
        RuntimeException failure = null;
        boolean onLoop = false;
        try {
            PythonTask t = task.work();
            Value value;
            if (t.isCall()) {
                Value args = (Value) boundary.toPython(t.args());
                Object kwargs = t.kwargs().isEmpty() ? null : boundary.toPython(t.kwargs());
                value = start.execute(tid, t.module(), t.function(), args, kwargs);
            } else {
                value = startEval.execute(tid, t.source());
            }
            if (value.equals(pending)) {
                onLoop = true;
            } else {
                result = boundary.toJava(value);
            }
        } catch (PolyglotException e) {
            failure = failureOf(e, task.work().describe());
        } catch (Boundary.UnsupportedValue e) {
            failure = new PythonException("TypeError", e.getMessage(), "");
        } catch (IllegalArgumentException e) {
            failure = e;
        }
        // runningSync is cleared by the pool under its lock, so a deadline now sees the call over.
        if (onLoop) {
            pool.taskOnLoop(this);
        } else {
            pool.taskFinished(this, tid, false, result, failure);
        }
    }

    /** One turn of the event loop; reports the tasks that finished and when the loop needs the next turn. */
    private void turnLoop() {
        Value outcome = step.execute();
        Value finished = outcome.getArrayElement(0);
        long n = finished.getArraySize();
        for (long i = 0; i < n; i++) {
            Value entry = finished.getArrayElement(i);
            long tid = entry.getArrayElement(0).asLong();
            Object result = null;
            RuntimeException failure = null;
            if (entry.getArrayElement(1).asBoolean()) {
                try {
                    result = boundary.toJava(entry.getArrayElement(2));
                } catch (Boundary.UnsupportedValue e) {
                    failure = new PythonException("TypeError", e.getMessage(), "");
                }
            } else {
                Value info = entry.getArrayElement(2);
                failure = new PythonException(info.getArrayElement(0).asString(), info.getArrayElement(1).asString(),
                        info.getArrayElement(2).asString());
            }
            pool.taskFinished(this, tid, true, result, failure);
        }
        pool.loopTurned(this, outcome.getArrayElement(1).asDouble());
    }

    private void cancelTasks() {
        List<Long> ids = pool.takeCancels(this);
        if (!ids.isEmpty()) {
            cancel.execute(boundary.toPython(ids));
        }
        pool.loopTurned(this, 0);  // let the cancellations reach their tasks now
    }

    private void helpOnce() {
        boolean ran = help.execute().asBoolean();
        pool.helped(this, ran);
        if (ran) {
            pool.loopTurned(this, nextTurn.execute().asDouble());
        }
    }

    /** The Python-level failure for a task whose call raised out of the guest. */
    private RuntimeException failureOf(PolyglotException e, String what) {
        if (killed || e.isCancelled() || e.isInterrupted()) {
            // Stopped from outside (deadline, cancellation, shutdown): whoever stopped it told the caller.
            killed = true;
            return new io.covet.tasks.TaskAbortedException(what + " was stopped");
        }
        if (e.isExit()) {
            pool.replace(this, false);
            return new PythonException("SystemExit", "the task exited the interpreter with status " + e.getExitStatus(), "");
        }
        if (e.isGuestException() && !e.isInternalError() && e.getGuestObject() != null) {
            return toPythonException(e);
        }
        // A host error escaped the guest (e.g. a denied operation no guard caught): its state is unknown.
        pool.replace(this, false);
        return new PythonException("SystemError", "internal error in the interpreter: " + e.getMessage(), "");
    }

    private String describeFailure(PolyglotException e) {
        if (e.isGuestException() && e.getGuestObject() != null && !e.isInternalError()) {
            PythonException p = toPythonException(e);
            return p.pythonType() + ": " + p.pythonMessage();
        }
        return e.isExit() ? "exit status " + e.getExitStatus() : String.valueOf(e.getMessage());
    }

    /**
     * The id of the task whose code runs now: the sync task, or the loop task the loop is turning
     * for (read from Python's context); null between units. Only on the owner thread (a host function).
     */
    Long currentTaskId() {
        Task<PythonTask> sync = runningSync;
        if (sync != null) {
            return pool.idOf(this, sync);
        }
        if (!inUnit || currentTask == null) {
            return null;
        }
        Value id = currentTask.execute();
        return id.isNull() ? null : id.asLong();
    }

    // ---- setups -------------------------------------------------------------------------------

    /**
     * Runs the pool's setups this interpreter has not run yet, reporting each outcome to the
     * pool; stops at the first failure and returns false.
     */
    private boolean runSetups() {
        for (InterpreterPool.Setup setup : pool.setupsFrom(this)) {
            RuntimeException failure = null;
            try {
                context.eval(Source.create("python", setup.setup()));
                if (setup.teardown() != null) {
                    teardowns.add(setup.teardown());
                }
            } catch (PolyglotException e) {
                failure = killed || e.isCancelled() ? new io.covet.tasks.ClosedException("stopped while running a setup")
                        : e.isGuestException() && !e.isInternalError() && e.getGuestObject() != null ? toPythonException(e)
                        : new PythonException("SystemError", "setup failed: " + e.getMessage(), "");
            }
            pool.setupRan(this, setup, failure);
            if (failure != null) {
                lastSetupFailure = failure;
                return false;
            }
        }
        return true;
    }

    /** Tells the pool's bytecode compiler which source files this interpreter has imported. */
    private void reportImports() {
        if (killed || !pool.compilesBytecode()) {
            return;
        }
        try {
            pool.imported(importedSources.execute().asString());
        } catch (PolyglotException | IllegalStateException e) {
            // Stopped meanwhile: nothing to report.
        }
    }

    /** Runs the teardowns, last setup's first; a failing one is logged and the others still run. */
    private void runTeardowns() {
        inUnit = true;
        try {
            for (int i = teardowns.size() - 1; i >= 0 && !killed; i--) {
                try {
                    context.eval(Source.create("python", teardowns.get(i)));
                } catch (PolyglotException e) {
                    if (!killed && !e.isCancelled()) {
                        String detail = e.isGuestException() && e.getGuestObject() != null
                                ? toPythonException(e).getMessage() : e.getMessage();
                        LOG.warning("interpreter " + id + ": teardown failed: " + detail);
                    }
                }
            }
        } finally {
            inUnit = false;
        }
    }

    // ---- start-up -----------------------------------------------------------------------------

    private void initialize() {
        StartupTimeline timeline = new StartupTimeline("interpreter " + id);
        SandboxPolicy sandbox = config.sandbox();
        Context.Builder builder = Context.newBuilder("python").engine(engine)
                .allowHostAccess(sandbox.hostAccess() ? HostAccess.ALL : HostAccess.NONE)
                .allowHostClassLookup(name -> sandbox.hostAccess())
                .allowHostClassLoading(sandbox.hostAccess())
                .allowNativeAccess(sandbox.nativeAccess())
                .allowCreateProcess(sandbox.processes())
                .allowCreateThread(sandbox.threads())
                // The process's environment only where everything is allowed (it may hold secrets).
                .allowEnvironmentAccess(sandbox.hostAccess() && sandbox.nativeAccess() && sandbox.processes()
                        ? EnvironmentAccess.INHERIT : EnvironmentAccess.NONE)
                .environment(config.environment())
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.newBuilder()
                        .fileSystem(sandbox.fileWrites() ? org.graalvm.polyglot.io.FileSystem.newDefaultFileSystem()
                                                         : SandboxFileSystem.create(config))
                        .allowHostSocketAccess(sandbox.network())
                        .build())
                .option("python.PosixModuleBackend", sandbox.nativeAccess() ? "native" : "java")
                .option("python.WarnExperimentalFeatures", "false");   // else a warning per C extension and interpreter
        if (sandbox.nativeAccess()) {
            // Each context its own copy of native libraries (GraalPy copies and relabels them with
            // patchelf): without it only the first context of the process may load native code at
            // all. GraalPy calls the option experimental; only native-access contexts use it.
            builder.allowExperimentalOptions(true).option("python.IsolateNativeModules", "true");
        }
        if (!config.pythonPath().isEmpty()) {
            builder.option("python.PythonPath", config.pythonPath().stream()
                    .map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(java.io.File.pathSeparator)));
        }
        // Sandboxed code reads the cache but never writes it: Covet's compiler does (BytecodeCache).
        BytecodeCache.dirFor(config).ifPresent(dir -> builder
                .option("python.PyCachePrefix", dir.toString())
                .option("python.DontWriteBytecodeFlag", String.valueOf(!sandbox.fileWrites())));
        context = builder.build();
        if (killed) {
            throw new IllegalStateException("stopped while starting");
        }
        Value load = context.eval("python", LOADER);
        timeline.mark("context");
        // GraalPy's natively implemented stdlib modules, in Java and Python (StdlibFunctions).
        sqlite = new Sqlite(sandbox.fileWrites() ? null : SandboxFileSystem.unwrapped(config));
        load.execute("_covet_stdlib", STDLIB_SOURCE).getMember("install").execute(StdlibFunctions.proxy(sqlite), sandbox.nativeAccess());
        timeline.mark("stdlib modules");
        Value helper = load.execute("_covet_pool", HELPER_SOURCE);
        start = helper.getMember("start");
        startEval = helper.getMember("start_eval");
        step = helper.getMember("step");
        cancel = helper.getMember("cancel");
        help = helper.getMember("help");
        nextTurn = helper.getMember("next_turn");
        currentTask = helper.getMember("current_task");
        describe = helper.getMember("describe");
        pending = helper.getMember("PENDING");
        importedSources = helper.getMember("imported_sources");
        if (sandbox.anyWrites()) {
            helper.getMember("track_open_files").execute();  // only code that may write can lose writes
        }
        boundary = new Boundary(helper);
        sqlite.boundary(boundary);
        if (!config.hostFunctions().isEmpty()) {
            helper.getMember("install_host").execute(hostModule(helper.getMember("HOST_ERROR")),
                    boundary.toPython(new ArrayList<>(config.hostFunctions().keySet())));
        }
        if (!(sandbox.network() && sandbox.threads() && sandbox.processes() && sandbox.hostAccess())) {
            helper.getMember("install_guards").execute(sandbox.network(), sandbox.threads(), sandbox.processes(), sandbox.hostAccess());
        }
        timeline.mark("helper and guards");
        try {
            for (String module : config.preload()) {
                context.eval("python", "import " + module);
            }
            if (!config.warmup().isBlank()) {
                context.eval(Source.create("python", config.warmup()));
            }
            timeline.mark("preloads");
            initialized = true;
            boolean setUp = runSetups();
            reportImports();
            timeline.mark("setups (the app)");
            if (!setUp) {
                timeline.done("failed in a setup");
                throw lastSetupFailure;
            }
            timeline.done("ready");
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

    private PythonException toPythonException(PolyglotException e) {
        Value info = describe.execute(e.getGuestObject());
        return new PythonException(info.getArrayElement(0).asString(), info.getArrayElement(1).asString(),
                info.getArrayElement(2).asString());
    }

    // ---- stopping -----------------------------------------------------------------------------

    /**
     * Stops whatever runs in this interpreter and closes it; called from a lifecycle thread, never
     * from the owner. Blocks until the guest code is cancelled.
     */
    void kill() {
        killed = true;
        Thread t = owner;
        if (t != null) {
            // Wakes the owner if it is blocked in a host function (e.g. waiting for sub-tasks),
            // where Truffle's cancellation cannot reach it.
            t.interrupt();
        }
        closeContext(true);
    }

    boolean killed() {
        return killed;
    }

    /** The pool decided to stop it (under its lock): from now on nothing of it runs normally, teardowns included. */
    void markKilled() {
        killed = true;
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
        Sqlite s = sqlite;
        if (s != null) {
            s.close();   // what Python left open (GraalPy finalizes nothing as a context closes)
        }
    }

    private static String loadResource(String name) {
        try (InputStream in = Interpreter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the interpreters jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "interpreter " + id;
    }
}
