package io.covet.interpreters;

import io.covet.tasks.ClosedException;
import io.covet.tasks.Deadline;
import io.covet.tasks.Task;
import io.covet.tasks.TaskAbortedException;
import io.covet.tasks.TaskQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.Engine;

/**
 * A pool of isolated GraalPy interpreters that run Python on every core at once.
 *
 * <h2>Implementation overview</h2>
 * <b>Isolation.</b> Each interpreter is its own GraalPy context with its own GIL, module table and
 * globals; they share one polyglot {@link Engine}, so parsed and JIT-compiled code is shared but no
 * Python state is. The contract is that of separate processes.
 *
 * <p><b>Admission.</b> Tasks wait in one {@link TaskQueue}: bounded, FIFO, one deadline per task
 * (waiting and running), one state machine that settles each exactly once, one set of counters.
 * A full queue refuses at the door ({@link io.covet.tasks.OverloadedException}).
 *
 * <p><b>Threads.</b> Each interpreter is owned by one platform thread ({@link PoolThreads}), the
 * only thread that enters its context; it asks {@link #nextWork} what to do next and does it, one
 * unit at a time. Callers, virtual threads included, only submit and wait.
 *
 * <p><b>Overlap.</b> A task whose function returns a coroutine stays on its interpreter's event
 * loop after it starts, so an interpreter has up to {@link PoolConfig#maxInFlight()} tasks in
 * flight while they await. Scheduling, per interpreter: pending setups first, then cancellations,
 * then a turn of the loop when it has something ready (a timer is due, an awaited sub-task
 * completed), then one new task from the queue, then waiting. So the loop gets a turn between any
 * two new tasks (async work is never starved by a stream of sync tasks), and a new task waits at
 * most one turn of the loop (sync work is never starved by async work); a sync task runs to its
 * end once started, as it must under one GIL. New tasks go to idle interpreters first: one with
 * tasks in flight takes a new one only when no interpreter is idle, so CPU-bound sync tasks
 * spread over the pool instead of queueing behind a busy loop.
 *
 * <p><b>Deadlines.</b> At a task's deadline its caller is told at once (the queue settles it);
 * then its work is stopped: a loop task is cancelled (its interpreter goes on serving the others);
 * a sync task, or a loop that does not come back within {@link #STUCK_LOOP_GRACE} of a cancel
 * (a coroutine spinning without awaiting), has its interpreter closed with cancellation, which stops
 * even {@code while True: pass}, while a replacement starts. Tasks that shared the closed
 * interpreter fail with {@link TaskAbortedException}.
 *
 * <p><b>Lifecycle.</b> Each interpreter's {@link Interpreter.State} and whether a replacement was
 * started for it change only under this pool's lock, so a timeout, a normal task end, recycling and
 * shutdown racing each other start at most one replacement per interpreter, and the pool never
 * holds more than its size in interpreters that are starting or serving and not yet replaced.
 * Limits reached ({@link PoolConfig#maxTasksPerInterpreter()}, {@link PoolConfig#maxAge()}): the
 * interpreter keeps serving while its replacement starts, then retires.
 *
 * <h2>Values</h2>
 * Arguments and results cross by value: None, bool, int (any size), float, str, bytes, list,
 * tuple ({@link PyTuple}), dict and float/double arrays ({@code array.array}, {@code memoryview},
 * Java {@code double[]}/{@code float[]}, copied in bulk). See {@link Boundary} for the mapping.
 */
public final class InterpreterPool implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InterpreterPool.class.getName());
    /** How long a loop may stay in one turn after its task was cancelled before its interpreter is replaced. */
    static final Duration STUCK_LOOP_GRACE = Duration.ofSeconds(1);
    /** How long a cancelled loop task may go on before its interpreter is replaced. */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(10);

    /** What an interpreter does next (see {@link #nextWork}). */
    enum Work { SETUP, CANCEL, TURN, START, HELP, STOP }

    private final PoolConfig config;
    private final Engine engine;
    private final PoolThreads threads = new PoolThreads("covet-py");
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService lifecycle;
    private final TaskQueue<PythonTask> queue;
    /** Null when the cache is off, or the policy lets the interpreters write their own. */
    private final BytecodeCache bytecode;
    private final ExecutorService compiler;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // ---- guarded by lock ----------------------------------------------------------------------
    /** Interpreters not yet exited. */
    private final Set<Interpreter> live = new HashSet<>();
    /** Interpreters waiting in nextWork that could take a task; most recently parked last. */
    private final ArrayDeque<Interpreter> waitingForWork = new ArrayDeque<>();
    /** Setups every interpreter runs once, in order (see {@link #addSetup}). */
    private final List<Setup> setups = new ArrayList<>();
    private boolean closed;
    private int size;
    private int maxBusy = Integer.MAX_VALUE;
    // ---- any thread ---------------------------------------------------------------------------
    /** waitingForWork.size(), read by submitters without the lock. */
    private volatile int waitingCount;
    /** The free slots of the interpreters in waitingForWork (the queue's refusal reads it, without the lock). */
    private volatile int freeNow;
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Duration startup = Duration.ZERO;
    /** Interpreter starts that failed in a row since one last became ready (restart back-off). */
    private final AtomicInteger failedStarts = new AtomicInteger();
    private final LongAdder recycled = new LongAdder();

    private InterpreterPool(PoolConfig config) {
        this.config = config;
        this.size = config.size();
        this.engine = GraalPy.newEngine();
        io.covet.tasks.StartupTimeline.event("polyglot engine built");
        this.timer = threads.timer();
        this.lifecycle = threads.lifecycle();
        Optional<Path> cache = BytecodeCache.dirFor(config);
        cache.ifPresent(InterpreterPool::createCacheDirectory);
        this.compiler = cache.isPresent() && !config.sandbox().fileWrites() ? threads.compiler() : null;
        this.bytecode = compiler == null ? null : new BytecodeCache(cache.get(), config, engine, compiler);
        // Free slots: those of interpreters waiting for work now. One running sync code takes
        // nothing until it is done, however many slots it has.
        this.queue = new TaskQueue<>("the interpreter pool", 0, config.queueLimit(), () -> freeNow);
    }

    /** Starts a pool and returns once all its interpreters are ready. */
    public static InterpreterPool start(PoolConfig config) {
        return start(config, n -> { });
    }

    /** Starts a pool and returns once all its interpreters are ready; see {@link #start(PoolConfig, IntConsumer, int)}. */
    public static InterpreterPool start(PoolConfig config, IntConsumer onReady) {
        return start(config, onReady, config.size());
    }

    /**
     * Starts a pool and returns once {@code waitFor} of its interpreters are ready (at least one,
     * at most all); the others go on starting and join as they become ready. {@code onReady} hears
     * how many are ready each time one more is (for progress reporting). Interpreters start in
     * parallel. One that fails to start after this returns is replaced, as any failed start is.
     *
     * @throws IllegalStateException if an interpreter cannot start before {@code waitFor} are ready
     *                               (e.g. a preload module is missing); the pool is closed again and
     *                               the cause says why
     */
    public static InterpreterPool start(PoolConfig config, IntConsumer onReady, int waitFor) {
        int needed = Math.clamp(waitFor, 1, config.size());
        if (config.sandbox().nativeAccess() && !GraalPy.canIsolateNativeModules()) {
            LOG.warning("native code is allowed, but patchelf is not on the PATH: GraalPy needs it to give each interpreter "
                    + "its own copy of a native module, so loading one may fail (Debian: apt-get install patchelf)");
        }
        InterpreterPool pool = new InterpreterPool(config);
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        pool.lock.lock();
        try {
            for (int i = 0; i < config.size(); i++) {
                starting.add(pool.startInterpreter().thenRun(() -> onReady.accept(pool.ready())));
            }
        } finally {
            pool.lock.unlock();
        }
        try {
            firstOf(starting, needed).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdown(Duration.ZERO);
            throw new IllegalStateException("interrupted while starting the interpreter pool", e);
        } catch (ExecutionException e) {
            pool.shutdown(Duration.ZERO);
            throw new IllegalStateException("an interpreter failed to start: " + e.getCause().getMessage(), e.getCause());
        }
        pool.startup = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info(() -> "interpreter pool ready: " + needed + " of " + config.size() + " interpreters in "
                + pool.startup.toMillis() + " ms (" + (GraalPy.isJit(pool.engine) ? "JIT on" : "JIT OFF") + ")");
        return pool;
    }

    /** Completes once {@code count} of {@code futures} have, or fails with the first that fails before then. */
    private static CompletableFuture<Void> firstOf(List<CompletableFuture<Void>> futures, int count) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        for (CompletableFuture<Void> f : futures) {
            f.whenComplete((v, e) -> {
                if (e != null) {
                    out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e);
                } else if (done.incrementAndGet() == count) {
                    out.complete(null);
                }
            });
        }
        return out;
    }

    public PoolConfig config() {
        return config;
    }

    /** Whether this pool's engine JIT-compiles Python (false: Truffle's fallback interpreter). */
    public boolean jitEnabled() {
        return GraalPy.isJit(engine);
    }

    // ---- submitting -------------------------------------------------------------------------

    /**
     * Queues a task under {@code deadline} (waiting and running together); its run limit is its own
     * timeout, or {@link PoolConfig#taskTimeout()}. The task settles with its value, or with a
     * {@link PythonException}, {@link io.covet.tasks.DeadlineExceededException},
     * {@link TaskAbortedException}, {@link ClosedException} or {@link IllegalArgumentException} (an
     * argument with no Python counterpart). A function that returns a coroutine is awaited on the
     * interpreter's event loop.
     *
     * @throws io.covet.tasks.OverloadedException if the queue is full (nothing was accepted)
     * @throws ClosedException                    if the pool is shut down
     */
    public Task<PythonTask> enqueue(PythonTask task, Deadline deadline) {
        Duration limit = task.timeout().orElse(config.taskTimeout());
        Task<PythonTask> queued = queue.submit(task, deadline, limit.compareTo(PythonTask.NO_LIMIT) >= 0 ? null : limit,
                task.describe());
        if (waitingCount > 0) {
            wakeOneForWork();
        }
        return queued;
    }

    /** {@link #enqueue} with no deadline beyond the run limit, as a future (completed off the pool's threads). */
    public CompletableFuture<Object> submit(PythonTask task) {
        return enqueue(task, Deadline.none()).future();
    }

    /**
     * Takes back a task that is still waiting in the queue, so that the caller can run it some
     * other way (an interpreter waiting for its own sub-tasks runs them itself instead of
     * blocking). True if it was withdrawn (it is then cancelled, and never runs here).
     */
    public boolean withdraw(Task<?> task) {
        return queue.withdraw(task);
    }

    /** {@code module.function(*args)}, asynchronously; see {@link #submit}. */
    public CompletableFuture<Object> submitCall(String module, String function, Object... args) {
        return submit(PythonTask.call(module, function, args));
    }

    /** Evaluates source asynchronously; the value of its last expression is the result. */
    public CompletableFuture<Object> submitEval(String source) {
        return submit(PythonTask.eval(source));
    }

    /** Runs a task and waits for it; throws what the task failed with (unwrapped). */
    public Object run(PythonTask task) {
        Task<PythonTask> queued = enqueue(task, Deadline.none());
        try {
            return queued.join();
        } catch (InterruptedException e) {
            queued.cancel();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for " + task.describe());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new CompletionException(e.getCause());
        }
    }

    /** {@code module.function(*args)}, waiting for the result. */
    public Object call(String module, String function, Object... args) {
        return run(PythonTask.call(module, function, args));
    }

    /** Evaluates source, waiting for the result. */
    public Object eval(String source) {
        return run(PythonTask.eval(source));
    }

    // ---- sizing -------------------------------------------------------------------------------

    /**
     * Changes how many interpreters the pool keeps. Growing starts the new ones in the background
     * (they take work once ready); shrinking retires idle interpreters first, busy ones after
     * their tasks in flight. Queued tasks are unaffected.
     */
    public void resize(int newSize) {
        if (newSize < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, got " + newSize);
        }
        lock.lock();
        try {
            if (closed) {
                throw new ClosedException("the interpreter pool is shut down");
            }
            size = newSize;
            List<Interpreter> counted = new ArrayList<>();
            for (Interpreter i : live) {
                if (counts(i)) {
                    counted.add(i);
                }
            }
            int grow = newSize - counted.size();
            counted.sort(java.util.Comparator.comparingInt(i -> i.inFlight.size()));
            for (int k = 0; k < -grow && k < counted.size(); k++) {
                retireLocked(counted.get(k));
            }
            for (int k = 0; k < grow; k++) {
                startInterpreter();
            }
            updateCapacity();
        } finally {
            lock.unlock();
        }
    }

    /** How many interpreters the pool keeps ready. */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /**
     * New tasks start only while fewer than {@code limit} interpreters run Python (ADR-007's
     * {@code max_gil_contention}: GILs in use; an interpreter waiting for a sub-task holds none);
     * by default there is no limit beyond the pool's size.
     */
    public void setMaxBusy(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the busy limit must be at least 1, got " + limit);
        }
        lock.lock();
        try {
            maxBusy = limit;
            updateCapacity();
            signalAllLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Tasks may wait in the queue beyond the interpreters' free slots; more are refused. */
    public void setQueueLimit(int limit) {
        queue.setQueueLimit(limit);
    }

    /**
     * Python source that every interpreter runs once before it takes more work: those serving
     * now run it between units of work, interpreters started later (growth, recycling, replacement
     * after a timeout) run it while they start. {@code teardown} (may be null) runs when an
     * interpreter that ran {@code setup} stops normally (retired, pool shut down), not when it is
     * killed. This is how an app is loaded into, and unloaded from, every interpreter.
     *
     * @return completes once every interpreter alive now has run {@code setup} (or exited), or
     *         exceptionally with the first failure ({@link PythonException}); an interpreter whose
     *         setup failed is replaced, and its replacement runs the setup again as it starts
     */
    public CompletableFuture<Void> addSetup(String setup, String teardown) {
        return install(setup, teardown).all();
    }

    /** {@link #addSetup}, with a handle that also says when the first interpreter has run it, and can replace it. */
    public Installed install(String setup, String teardown) {
        Objects.requireNonNull(setup, "setup");
        lock.lock();
        try {
            if (closed) {
                Setup failed = new Setup(setup, teardown, new CompletableFuture<>(), new CompletableFuture<>(), Set.of());
                failed.done().completeExceptionally(new ClosedException("the interpreter pool is shut down"));
                failed.first().completeExceptionally(new ClosedException("the interpreter pool is shut down"));
                return new Installed(failed);
            }
            Setup s = new Setup(setup, teardown, new CompletableFuture<>(), new CompletableFuture<>(), waitingLocked());
            setups.add(s);
            if (s.waiting().isEmpty()) {
                s.done().complete(null);
            }
            signalAllLocked();
            return new Installed(s);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the interpreters that are to run a setup added now (all but those being stopped). */
    private Set<Interpreter> waitingLocked() {
        Set<Interpreter> waiting = new HashSet<>();
        for (Interpreter i : live) {
            if (i.state != Interpreter.State.KILLED) {
                waiting.add(i);
            }
        }
        return waiting;
    }

    /**
     * Puts {@code setup} where {@code old} was (the app's new code, for {@code --reload}) without
     * stopping service: as many new interpreters as the pool's size start, and run the pool's
     * setups with the new one in their place; once the first of them is ready the old interpreters
     * retire (they finish what they run, then run their teardowns), and the others join as they
     * become ready. If the first outcome is a failure (the new code does not import), the new
     * interpreters stop, {@code old} is put back, and the old interpreters go on serving as before.
     *
     * @return the new setup's handle once the first new interpreter serves, or the failure
     *         ({@link PythonException} with its traceback); cancelling it before then (a time
     *         limit) undoes the replacement as a failure would
     */
    public CompletableFuture<Installed> replaceSetup(Installed old, String setup, String teardown) {
        Objects.requireNonNull(setup, "setup");
        CompletableFuture<Installed> result = new CompletableFuture<>();
        lock.lock();
        try {
            int at = setups.indexOf(old.setup);
            if (closed || at < 0) {
                result.completeExceptionally(closed ? new ClosedException("the interpreter pool is shut down")
                        : new IllegalArgumentException("that setup is not installed (already replaced?)"));
                return result;
            }
            // Those serving the old code go on until the new code serves; those that have yet to
            // load it (starting, or serving but not yet given it) would load whichever code is in
            // place when they get to it, so they stop now.
            List<Interpreter> previous = new ArrayList<>();
            int stopped = 0;
            for (Interpreter i : List.copyOf(live)) {
                if (!counts(i)) {
                    continue;
                }
                if (i.state == Interpreter.State.STARTING || i.setupsRun <= at) {
                    killLocked(i, "a reload started new interpreters", false);
                    stopped++;
                } else {
                    i.superseded = true;   // no longer counted: its successor is starting
                    previous.add(i);
                }
            }
            int restart = stopped;
            Setup fresh = new Setup(setup, teardown, new CompletableFuture<>(), new CompletableFuture<>(), new HashSet<>());
            setups.set(at, fresh);
            List<Interpreter> successors = new ArrayList<>();
            for (int k = 0; k < size; k++) {
                Interpreter started = launchLocked();
                successors.add(started);
                fresh.waiting().add(started);
            }
            fresh.first().whenComplete((v, failure) -> {
                lock.lock();
                try {
                    if (failure == null) {
                        previous.forEach(this::retireLocked);
                        result.complete(new Installed(fresh));
                        return;
                    }
                    if (setups.get(at) == fresh) {
                        setups.set(at, old.setup);
                    }
                    for (Interpreter i : successors) {
                        killLocked(i, "the new code failed to load", false);
                    }
                    int missing = restart;   // the starting ones stopped above
                    for (Interpreter i : previous) {
                        i.superseded = false;
                        if (i.state != Interpreter.State.SERVING) {
                            missing++;   // retired or stopped meanwhile, its replacement held back
                        }
                    }
                    for (int k = 0; k < missing; k++) {
                        startInterpreter();
                    }
                    result.completeExceptionally(failure);
                } finally {
                    lock.unlock();
                }
            });
            // Given up (the caller's time limit): the new interpreters stop as if the code had failed.
            result.whenComplete((v, e) -> {
                if (result.isCancelled()) {
                    fresh.first().completeExceptionally(new java.util.concurrent.CancellationException("the reload was given up"));
                }
            });
            updateCapacity();
            return result;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A setup added with {@link #install}; {@code waiting}: interpreters that have yet to run it;
     * {@code first}: the first outcome anywhere (success, or a failure before any success).
     */
    record Setup(String setup, String teardown, CompletableFuture<Void> done, CompletableFuture<Void> first,
                 Set<Interpreter> waiting) {
    }

    /** A setup in the pool ({@link #install}): when it has run, and the handle to {@link #replaceSetup} it. */
    public static final class Installed {
        private final Setup setup;

        private Installed(Setup setup) {
            this.setup = setup;
        }

        /** Completes once one interpreter has run the setup, or fails with the first failure before that. */
        public CompletableFuture<Void> first() {
            return setup.first();
        }

        /** Completes once every interpreter that was alive when it was added has run it, or fails at the first failure. */
        public CompletableFuture<Void> all() {
            return setup.done();
        }
    }

    // ---- what an interpreter asks (on its own thread) -----------------------------------------

    /**
     * Blocks until there is something for {@code i} to do and says what (see the class comment
     * for the order). {@link Work#START} reserves the task it is to start ({@link #takeReserved}).
     */
    Work nextWork(Interpreter i) {
        lock.lock();
        try {
            while (true) {
                if (i.state == Interpreter.State.KILLED) {
                    return Work.STOP;
                }
                if (i.setupsRun < setups.size()) {
                    return Work.SETUP;
                }
                if (!i.cancels.isEmpty()) {
                    return Work.CANCEL;
                }
                long now = System.nanoTime();
                if (i.woken) {
                    i.woken = false;
                    i.helpTried = false;
                    if (i.hasLoop) {
                        i.loopWaiting = false;
                        return Work.TURN;
                    }
                }
                if (i.loopWaiting && now - i.loopDueNanos >= 0) {
                    i.loopWaiting = false;
                    return Work.TURN;
                }
                if (canTake(i, false)) {
                    Task<PythonTask> task = queue.poll();
                    if (task != null) {
                        reserve(i, task);
                        return Work.START;
                    }
                }
                if (i.inFlight.isEmpty() && (i.state == Interpreter.State.RETIRING
                        || (closed && queue.queued() == 0))) {
                    return Work.STOP;
                }
                if (!i.helpTried && i.onLoop > 0 && queue.queued() > 0) {
                    i.helpTried = true;
                    return Work.HELP;
                }
                awaitWork(i, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@code i} may start a new task now: it serves, has room, and (if it already has
     * tasks in flight) no idle interpreter could take it instead. {@code ignoreIdle}: when asked
     * on behalf of a parked interpreter that would take it itself.
     */
    private boolean canTake(Interpreter i, boolean ignoreIdle) {
        if (i.state != Interpreter.State.SERVING || i.inFlight.size() >= config.maxInFlight()) {
            return false;
        }
        if (i.inFlight.isEmpty()) {
            return maxBusy == Integer.MAX_VALUE || runningPythonLocked() < maxBusy;
        }
        if (ignoreIdle) {
            return true;
        }
        for (Interpreter other : waitingForWork) {
            if (other != i && other.inFlight.isEmpty() && canTake(other, true)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits on i's condition until woken, work it should take arrives, or its loop's next timer
     * is due. A task waiting that another interpreter should take wakes that one first.
     */
    private void awaitWork(Interpreter i, long now) {
        i.parked = true;
        boolean forWork = i.state == Interpreter.State.SERVING && i.inFlight.size() < config.maxInFlight();
        if (forWork) {
            waitingForWork.addLast(i);
            waitingChanged();
        }
        try {
            // Re-check after publishing parked/waitingCount: a waker or submitter that missed them saw
            // our state change instead (both sides write a volatile, then read the other's).
            if (i.woken) {
                return;
            }
            if (queue.queued() > 0) {
                if (forWork && canTake(i, false)) {
                    return;
                }
                // Another interpreter should take it (an idle one, or one this one's free GIL now lets run).
                wakeOneForWorkLocked(i);
            }
            long wait = i.loopWaiting ? i.loopDueNanos - now : Long.MAX_VALUE;
            if (wait <= 0) {
                return;
            }
            if (wait == Long.MAX_VALUE) {
                i.wakeup.await();
            } else {
                i.wakeup.awaitNanos(wait);
            }
        } catch (InterruptedException e) {
            // kill() interrupts the owner; its state says what to do next.
        } finally {
            i.parked = false;
            if (forWork && waitingForWork.remove(i)) {
                waitingChanged();
            }
        }
    }

    /** Under the lock, after waitingForWork changed. */
    private void waitingChanged() {
        waitingCount = waitingForWork.size();
        int free = 0;
        for (Interpreter i : waitingForWork) {
            free += Math.max(0, config.maxInFlight() - i.inFlight.size());
        }
        freeNow = free;
    }

    /** A task arrived: wakes the parked interpreter best placed to take it (an idle one first). */
    private void wakeOneForWork() {
        lock.lock();
        try {
            wakeOneForWorkLocked(null);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: wakes the waiting interpreter, other than {@code except}, best placed to take a task. */
    private void wakeOneForWorkLocked(Interpreter except) {
        Interpreter best = null;
        for (Interpreter i : waitingForWork) {
            if (i != except && canTake(i, true) && (best == null || i.inFlight.size() < best.inFlight.size())) {
                best = i;
            }
        }
        if (best != null) {
            waitingForWork.remove(best);
            waitingChanged();
            best.wakeup.signal();
        }
    }

    /** Under the lock: the task {@code i} takes next gets an id and a way to be stopped. */
    private void reserve(Interpreter i, Task<PythonTask> task) {
        long tid = ++i.nextTaskId;
        i.inFlight.put(tid, task);
        i.reserved = task;
        i.reservedId = tid;
        i.tasksStarted++;
        i.helpTried = false;
        task.onStop(t -> stopTask(i, t));
    }

    /**
     * The owner takes the task {@link #nextWork} reserved (its id is {@link Interpreter#reservedId})
     * and runs its call now: from here its deadline stops the interpreter.
     */
    Task<PythonTask> takeReserved(Interpreter i) {
        lock.lock();
        try {
            Task<PythonTask> t = i.reserved;
            i.reserved = null;
            i.runningSync = t;
            return t;
        } finally {
            lock.unlock();
        }
    }

    /** Task {@code tid}'s call returned a coroutine, now on i's loop. */
    void taskOnLoop(Interpreter i) {
        lock.lock();
        try {
            i.runningSync = null;
            i.onLoop++;
            i.hasLoop = true;
            i.woken = true;  // its first steps run at the next turn
        } finally {
            lock.unlock();
        }
    }

    /**
     * Task {@code tid} ended in {@code i} (its call returned, or it finished on the loop); a
     * deadline or cancellation that came first has already settled it, and this is ignored.
     */
    void taskFinished(Interpreter i, long tid, boolean onLoop, Object result, RuntimeException failure) {
        Task<PythonTask> task;
        boolean recycle;
        lock.lock();
        try {
            task = i.inFlight.remove(tid);
            if (!onLoop) {
                i.runningSync = null;
            }
            // A task that made loop work (set an Event the loop's tasks await, started a task) is
            // reported by the turn it asked for (_covet_pool._settle): one that ends here did not.
            if (task != null && onLoop) {
                i.onLoop--;
            }
            recycle = task != null && config.maxTasksPerInterpreter() > 0 && i.tasksStarted >= config.maxTasksPerInterpreter();
        } finally {
            lock.unlock();
        }
        if (task == null) {
            return;
        }
        if (failure == null) {
            task.complete(result);
        } else {
            task.fail(failure);
        }
        if (recycle || (!config.maxAge().isZero() && System.nanoTime() - i.createdNanos >= config.maxAge().toNanos())) {
            replace(i, true);
        }
    }

    /**
     * The loop needs its next turn in {@code delaySeconds}: 0 now, -1 only when woken, -2 there is
     * no loop (covet_pool.next_turn).
     */
    void loopTurned(Interpreter i, double delaySeconds) {
        lock.lock();
        try {
            i.helpTried = false;  // a turn may have queued new sub-tasks that its tasks await
            i.hasLoop |= delaySeconds > -2;
            if (delaySeconds >= 0) {
                i.loopWaiting = true;
                i.loopDueNanos = System.nanoTime() + (long) (delaySeconds * 1e9);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Helping ran a sub-task here ({@code ran}), or found none to run. */
    void helped(Interpreter i, boolean ran) {
        if (ran) {
            lock.lock();
            try {
                i.woken = true;  // its waiter resumes at the next turn
            } finally {
                lock.unlock();
            }
        }
    }

    List<Long> takeCancels(Interpreter i) {
        lock.lock();
        try {
            List<Long> ids = List.copyOf(i.cancels);
            i.cancels.clear();
            return ids;
        } finally {
            lock.unlock();
        }
    }

    /** The id of {@code task} in {@code i}, or null if it is not in flight there. */
    Long idOf(Interpreter i, Task<?> task) {
        lock.lock();
        try {
            for (Map.Entry<Long, Task<PythonTask>> e : i.inFlight.entrySet()) {
                if (e.getValue() == task) {
                    return e.getKey();
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The task {@code tid} in flight in {@code i}, or null. */
    Task<PythonTask> taskById(Interpreter i, long tid) {
        lock.lock();
        try {
            return i.inFlight.get(tid);
        } finally {
            lock.unlock();
        }
    }

    /** The loop of {@code i} failed as a whole: its tasks are aborted and it is replaced. */
    void loopFailed(Interpreter i, String why) {
        List<Task<PythonTask>> aborted;
        lock.lock();
        try {
            aborted = new ArrayList<>(i.inFlight.values());
            i.inFlight.clear();
            i.onLoop = 0;
        } finally {
            lock.unlock();
        }
        for (Task<PythonTask> t : aborted) {
            t.fail(new TaskAbortedException(t.description() + " was stopped: the event loop of interpreter " + i.id
                    + " failed (" + why + ") and the interpreter is being replaced"));
        }
        replace(i, false);
        retire(i);  // even if a replacement was already on its way (recycling): a broken loop serves no more
    }

    // ---- deadlines and cancellation --------------------------------------------------------

    /**
     * A running task was ended by its deadline, its caller or shutdown: stop its work. On the
     * ending thread (often the deadline timer): nothing here blocks.
     */
    private void stopTask(Interpreter i, Task<PythonTask> task) {
        lock.lock();
        try {
            Long tid = null;
            for (Map.Entry<Long, Task<PythonTask>> e : i.inFlight.entrySet()) {
                if (e.getValue() == task) {
                    tid = e.getKey();
                }
            }
            if (tid == null || i.state == Interpreter.State.KILLED || i.state == Interpreter.State.EXITED) {
                return;  // already over
            }
            if (i.runningSync == task) {
                // Sync code cannot be stopped short of closing the context.
                killAndReplaceLocked(i, task.description() + " had to be stopped");
                return;
            }
            if (i.reserved == task) {
                return;  // not started yet: the owner sees it is done and skips it
            }
            i.cancels.add(tid);
            wakeLocked(i);
            checkCancelled(i, tid, task, 1);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: after {@link #STUCK_LOOP_GRACE}, looks whether the cancelled loop task
     * {@code tid} is over. Still in flight, its interpreter is replaced if the loop has stayed in
     * the same turn since (a coroutine spinning without awaiting), or once the task has outlived
     * {@link #CANCEL_GRACE} (a coroutine that goes on despite its cancellation); else it looks again.
     */
    private void checkCancelled(Interpreter i, long tid, Task<PythonTask> task, int round) {
        long turnThen = i.inUnit && i.unit == Work.TURN ? i.units : -1;
        schedule(() -> {
            lock.lock();
            try {
                if (i.inFlight.get(tid) != task || i.state == Interpreter.State.KILLED || i.state == Interpreter.State.EXITED) {
                    return;
                }
                if (turnThen >= 0 && i.inUnit && i.units == turnThen) {
                    killAndReplaceLocked(i, task.description() + " did not stop within " + STUCK_LOOP_GRACE.toMillis()
                            + " ms of being cancelled (code that runs without awaiting)");
                } else if (round * STUCK_LOOP_GRACE.toMillis() >= CANCEL_GRACE.toMillis()) {
                    killAndReplaceLocked(i, task.description() + " went on for " + CANCEL_GRACE.toSeconds()
                            + " s after being cancelled (code that catches CancelledError and carries on)");
                } else {
                    checkCancelled(i, tid, task, round + 1);
                }
            } finally {
                lock.unlock();
            }
        }, STUCK_LOOP_GRACE.toNanos());
    }

    /** Stops {@code i} for good (its context closed with cancellation) and starts another. */
    private void killAndReplaceLocked(Interpreter i, String why) {
        killLocked(i, why, true);
    }

    /** Under the lock: stops {@code i} now (its tasks aborted), starting a replacement if {@code replace} and none was yet. */
    private void killLocked(Interpreter i, String why, boolean replace) {
        if (i.state == Interpreter.State.KILLED || i.state == Interpreter.State.EXITED) {
            return;
        }
        i.state = Interpreter.State.KILLED;
        i.markKilled();  // before its thread looks: no teardown for an interpreter being stopped
        List<Task<PythonTask>> aborted = new ArrayList<>(i.inFlight.values());
        i.inFlight.clear();
        i.onLoop = 0;
        boolean replaced = replace && !i.replaced && !i.superseded;
        if (replaced) {
            recycled.increment();
            if (!closed) {
                startInterpreter();
            }
        }
        i.replaced = true;
        updateCapacity();
        signalLocked(i);
        if (replace) {
            LOG.warning(() -> "interpreter " + i.id + " is being replaced: " + why);
        } else {
            LOG.info(() -> "interpreter " + i.id + " stops: " + why);
        }
        Runnable stop = () -> {
            for (Task<PythonTask> t : aborted) {
                t.fail(new TaskAbortedException(t.description() + " was stopped: it shared interpreter " + i.id
                        + ", which was replaced because " + why));
            }
            i.kill();
        };
        try {
            lifecycle.execute(stop);  // closing a context blocks until its code is cancelled
        } catch (RejectedExecutionException e) {
            stop.run();  // shutting down: shutdown() waits for it anyway
        }
    }

    // ---- waking interpreters (InterpreterSession) ---------------------------------------------

    /** Something happened for {@code i}'s loop or host waits (a sub-task completed): any thread. */
    void wake(Interpreter i) {
        i.woken = true;
        i.hostWoken = true;
        if (i.parked) {
            lock.lock();
            try {
                i.wakeup.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    private void wakeLocked(Interpreter i) {
        i.woken = true;
        i.hostWoken = true;
        i.wakeup.signal();
    }

    /**
     * On {@code i}'s own thread, inside a host function: blocks until {@link #wake} or
     * {@code nanos} pass (Long.MAX_VALUE: no limit); true if woken.
     */
    boolean awaitWake(Interpreter i, long nanos) throws InterruptedException {
        lock.lock();
        try {
            i.parked = true;
            if (maxBusy != Integer.MAX_VALUE && queue.queued() > 0) {
                wakeOneForWorkLocked(i);  // this interpreter's GIL is free while it waits
            }
            try {
                long left = nanos;
                while (!i.hostWoken) {
                    if (i.state == Interpreter.State.KILLED) {
                        // Back into the guest, where the context's cancellation can reach it.
                        throw new InterruptedException("the interpreter is being stopped");
                    }
                    if (nanos == Long.MAX_VALUE) {
                        i.wakeup.await();
                    } else {
                        if (left <= 0) {
                            return false;
                        }
                        left = i.wakeup.awaitNanos(left);
                    }
                }
                i.hostWoken = false;
                return true;
            } finally {
                i.parked = false;
            }
        } finally {
            lock.unlock();
        }
    }

    private void signalLocked(Interpreter i) {
        i.wakeup.signal();
    }

    private void signalAllLocked() {
        for (Interpreter i : live) {
            i.wakeup.signal();
        }
    }

    // ---- setups -------------------------------------------------------------------------------

    /** The setups {@code i} has not run yet; they count as handed to it. */
    List<Setup> setupsFrom(Interpreter i) {
        lock.lock();
        try {
            List<Setup> out = i.setupsRun >= setups.size() ? List.of() : List.copyOf(setups.subList(i.setupsRun, setups.size()));
            i.setupsRun = setups.size();
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** {@code i} ran {@code setup}, successfully if {@code failure} is null. */
    void setupRan(Interpreter i, Setup setup, RuntimeException failure) {
        lock.lock();
        try {
            if (failure != null) {
                setup.done().completeExceptionally(failure);
                setup.first().completeExceptionally(failure);
            } else {
                i.setupsDone++;
                setup.first().complete(null);
            }
            if (setup.waiting().remove(i) && setup.waiting().isEmpty()) {
                setup.done().complete(null);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    // ---- the bytecode cache -------------------------------------------------------------------

    /** Made before the interpreters start, so their file systems see it as it really is. */
    private static void createCacheDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            LOG.warning("cannot create the bytecode cache " + dir + " (" + e + "); imports stay uncached");
        }
    }

    /** Whether interpreters should report what they imported ({@link #imported}). */
    boolean compilesBytecode() {
        return bytecode != null;
    }

    /** Source files an interpreter imported, for the bytecode compiler. */
    void imported(String files) {
        if (bytecode != null) {
            bytecode.imported(files);
        }
    }

    /** The pool's bytecode cache (tests: where it is, what its compiler wrote). */
    Optional<BytecodeCache> bytecodeCache() {
        return Optional.ofNullable(bytecode);
    }

    /** Under the lock: a new interpreter, counted live at once, starting on its own thread. */
    private CompletableFuture<Void> startInterpreter() {
        if (closed) {
            return CompletableFuture.failedFuture(new ClosedException("the interpreter pool is shut down"));
        }
        return launchLocked().startedFuture;
    }

    /** Under the lock, the pool open: a new interpreter, counted live at once, starting on its own thread. */
    private Interpreter launchLocked() {
        Interpreter interpreter = new Interpreter(this, config, engine, ids.getAndIncrement(), lock.newCondition());
        live.add(interpreter);
        threads.interpreterThread(interpreter).start();
        return interpreter;
    }

    /** True if the interpreter may serve; false if the pool closed while it was starting. */
    boolean interpreterReady(Interpreter i) {
        lock.lock();
        try {
            if (closed || i.state != Interpreter.State.STARTING) {
                i.startedFuture.completeExceptionally(new ClosedException("the pool closed while an interpreter was starting"));
                return false;
            }
            i.state = Interpreter.State.SERVING;
            updateCapacity();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        failedStarts.set(0);
        if (!config.maxAge().isZero()) {
            schedule(() -> replace(i, true), config.maxAge().toNanos());
        }
        i.startedFuture.complete(null);
        return true;
    }

    void interpreterFailed(Interpreter i, Throwable cause) {
        i.startedFuture.completeExceptionally(cause != null ? cause : new ClosedException("stopped while starting"));
        if (cause != null) {
            LOG.log(Level.SEVERE, "interpreter " + i.id + " failed to start", cause);
        }
    }

    void interpreterExited(Interpreter i) {
        boolean restart;
        List<Task<PythonTask>> left;
        lock.lock();
        try {
            boolean wasCounted = counts(i);
            i.state = Interpreter.State.EXITED;
            live.remove(i);
            left = new ArrayList<>(i.inFlight.values());
            i.inFlight.clear();
            for (Setup s : setups) {
                if (s.waiting().remove(i) && s.waiting().isEmpty()) {
                    s.done().complete(null);
                }
            }
            // One that failed to start (e.g. an app setup that failed once), or whose thread ended
            // while it served (an error Covet did not foresee), must not leave the pool short for
            // good, even with no interpreter left.
            restart = !closed && wasCounted;
            if (restart) {
                i.replaced = true;
                if (!i.startedFuture.isCompletedExceptionally()) {
                    recycled.increment();
                    LOG.severe(() -> "interpreter " + i.id + " stopped while serving; starting a replacement");
                }
            }
            updateCapacity();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Task<PythonTask> t : left) {
            t.fail(new TaskAbortedException(t.description() + " was stopped: interpreter " + i.id + " exited"));
        }
        if (restart) {
            // Backs off while starts keep failing: 1, 2, 4 ... 32 s.
            long delay = 1L << Math.min(failedStarts.getAndIncrement(), 5);
            schedule(() -> {
                lock.lock();
                try {
                    if (countedLocked() < size) {   // a reload or a resize meanwhile may have made up for it
                        startInterpreter();
                    }
                } finally {
                    lock.unlock();
                }
            }, TimeUnit.SECONDS.toNanos(delay));
        }
    }

    /**
     * Starts a replacement for {@code old}, at most once per interpreter. {@code ahead}: {@code old}
     * keeps serving until the replacement is ready (limits reached); otherwise it retires now.
     */
    void replace(Interpreter old, boolean ahead) {
        lock.lock();
        try {
            if (old.superseded) {
                retireLocked(old);   // its successor (a reload's) is already starting
                return;
            }
            if (old.replaced || !counts(old)) {
                return;
            }
            old.replaced = true;
            recycled.increment();
            if (!ahead) {
                retireLocked(old);
            }
            startInterpreter().whenComplete((v, e) -> retire(old));
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@code i} stop taking tasks (it leaves once those in flight are done). */
    void retire(Interpreter i) {
        lock.lock();
        try {
            retireLocked(i);
        } finally {
            lock.unlock();
        }
    }

    private void retireLocked(Interpreter i) {
        if (i.state == Interpreter.State.SERVING || i.state == Interpreter.State.STARTING) {
            i.state = Interpreter.State.RETIRING;
            updateCapacity();
            signalLocked(i);
        }
    }

    /** Whether {@code i} counts toward the pool's size: starting or serving, and not yet replaced or superseded. */
    private static boolean counts(Interpreter i) {
        return !i.replaced && !i.superseded && (i.state == Interpreter.State.STARTING || i.state == Interpreter.State.SERVING);
    }

    /** Under the lock: how many interpreters count toward the pool's size now. */
    private int countedLocked() {
        int n = 0;
        for (Interpreter i : live) {
            if (counts(i)) {
                n++;
            }
        }
        return n;
    }

    /** Under the lock: the queue's capacity is what serving interpreters can have in flight. */
    private void updateCapacity() {
        int serving = 0;
        for (Interpreter i : live) {
            if (i.state == Interpreter.State.SERVING) {
                serving++;
            }
        }
        queue.setCapacity(Math.min(serving, maxBusy) * config.maxInFlight());
    }

    private void schedule(Runnable action, long delayNanos) {
        try {
            timer.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The pool has shut down.
        }
    }

    // ---- metrics ----------------------------------------------------------------------------

    /** Whether a task submitted now would be refused (see {@link TaskQueue#wouldRefuse}). */
    public boolean wouldRefuse() {
        return queue.wouldRefuse();
    }

    public PoolMetrics metrics() {
        int readyNow;
        int starting = 0;
        int busy;
        int inFlight = 0;
        int target;
        lock.lock();
        try {
            target = size;
            readyNow = readyCountLocked();
            for (Interpreter i : live) {
                if (i.state == Interpreter.State.STARTING
                        || (i.state == Interpreter.State.SERVING && i.setupsDone < setups.size())) {
                    starting++;   // still building its context, or loading a setup (the app) added since
                }
                inFlight += i.inFlight.size();
            }
            busy = busyCountLocked();
        } finally {
            lock.unlock();
        }
        return new PoolMetrics(target, readyNow, starting, busy, inFlight, recycled.sum(), startup, queue.metrics());
    }

    /** Interpreters with a task in flight now. */
    public int busy() {
        lock.lock();
        try {
            return busyCountLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Interpreters ready to serve now; cheaper than {@link #metrics()} (no histogram copies). */
    public int ready() {
        lock.lock();
        try {
            return readyCountLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Interpreters counted toward the size now: starting or serving, not yet replaced (tests check the bound). */
    int countedNow() {
        lock.lock();
        try {
            int n = 0;
            for (Interpreter i : live) {
                if (counts(i)) {
                    n++;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: interpreters serving with every setup run (an app added after they started: loaded). */
    private int readyCountLocked() {
        int n = 0;
        for (Interpreter i : live) {
            if (i.state == Interpreter.State.SERVING && i.setupsDone >= setups.size()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Interpreters running Python now: with a task in flight and not waiting (for work, or in a
     * host function for a sub-task). What {@link #setMaxBusy} limits: GILs in use.
     */
    private int runningPythonLocked() {
        int n = 0;
        for (Interpreter i : live) {
            if (!i.inFlight.isEmpty() && !i.parked) {
                n++;
            }
        }
        return n;
    }

    private int busyCountLocked() {
        int n = 0;
        for (Interpreter i : live) {
            if (!i.inFlight.isEmpty()) {
                n++;
            }
        }
        return n;
    }

    // ---- shutdown ---------------------------------------------------------------------------

    /** {@link #shutdown(Duration)} with {@link PoolConfig#shutdownGrace()}. */
    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    /**
     * Stops accepting tasks, lets queued and running tasks finish for up to {@code grace}, then
     * stops the rest (their callers get a {@link ClosedException}), closes every context and the
     * engine, and returns once no pool thread is left. Idempotent.
     */
    public void shutdown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        queue.close();
        List<Interpreter> toStop;
        lock.lock();
        try {
            closed = true;
            signalAllLocked();
            while (!live.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            toStop = new ArrayList<>(live);
            for (Interpreter i : toStop) {
                retireLocked(i);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            toStop = new ArrayList<>(live);  // interrupted: no more grace, stop them all now
        } finally {
            lock.unlock();
        }
        queue.abandon(t -> new ClosedException(t.description() + " was still waiting when the pool shut down; it did not run"),
                t -> new ClosedException(t.description()
                        + " was still running when the pool's shutdown grace period ended; it was stopped"));
        // Past the grace period, whatever an interpreter still does (a task, its start, a teardown)
        // is stopped, so shutdown ends; one already closing itself is left to finish.
        for (Interpreter i : toStop) {
            lock.lock();
            try {
                if (i.state != Interpreter.State.EXITED) {
                    i.state = Interpreter.State.KILLED;
                    i.markKilled();
                    signalLocked(i);
                }
            } finally {
                lock.unlock();
            }
            if (!i.closing) {
                i.kill();
            }
        }
        awaitInterpretersExited();
        if (bytecode != null) {
            bytecode.close();
            compiler.shutdownNow();
        }
        timer.shutdownNow();
        lifecycle.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            lifecycle.awaitTermination(5, TimeUnit.SECONDS);
            threads.joinAll(TimeUnit.SECONDS.toNanos(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            engine.close(true);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing the engine", e);
        }
    }

    private void awaitInterpretersExited() {
        lock.lock();
        try {
            while (!live.isEmpty()) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }
}
