package io.covet.interpreters;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.HdrHistogram.ConcurrentHistogram;
import org.graalvm.polyglot.Engine;

/**
 * A pool of isolated GraalPy interpreters that run Python on every core at once.
 *
 * <h2>Implementation overview</h2>
 * <b>Isolation.</b> Each interpreter is its own GraalPy context with its own GIL, module table and
 * globals; they share one polyglot {@link Engine}, so parsed and JIT-compiled code is shared but no
 * Python state is. The contract is that of separate processes: nothing one task leaves behind in
 * an interpreter's globals is visible to any other interpreter.
 *
 * <p><b>Concurrency.</b> Each interpreter is owned by one platform thread ({@link PoolThreads}),
 * the only thread that enters its context. Submitted tasks wait in one FIFO queue, bounded by
 * {@link PoolConfig#queueLimit()}; idle interpreter threads block on a condition until work arrives
 * (no polling). Callers, virtual threads included, only submit and wait on a
 * {@link CompletableFuture}.
 *
 * <p><b>Deadlines.</b> A timer thread fails a task that waited longer than
 * {@link PoolConfig#acquireTimeout()} (removing it from the queue) and one that ran longer than its
 * run limit: the caller is told at the deadline, then a lifecycle thread closes the context with
 * cancellation (which stops even {@code while True: pass}) while a replacement starts, so the pool
 * returns to its size. A task's state moves forward by compare-and-set ({@link PendingTask}), so
 * every accepted task is completed exactly once: with its value, its Python exception, a
 * {@link TaskTimeoutException}, a {@link CancellationException} if its caller cancelled it, or a
 * {@link PoolClosedException} if shutdown's grace period ran out first.
 *
 * <p><b>Recycling.</b> An interpreter that reaches {@link PoolConfig#maxTasksPerInterpreter()} or
 * {@link PoolConfig#maxAge()} keeps serving while its replacement starts, and leaves once the
 * replacement is ready, so recycling never leaves the pool short.
 *
 * <h2>Values</h2>
 * Arguments and results cross by value: None, bool, int (any size), float, str, bytes, list,
 * tuple ({@link PyTuple}), dict and float/double arrays ({@code array.array}, {@code memoryview},
 * Java {@code double[]}/{@code float[]}, copied in bulk). See {@link Boundary} for the mapping.
 */
public final class InterpreterPool implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InterpreterPool.class.getName());

    private final PoolConfig config;
    private final Engine engine;
    private final PoolThreads threads = new PoolThreads("covet-py");
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService lifecycle;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<PendingTask> queue = new ArrayDeque<>();
    /** Interpreters started and not yet exited (starting, serving or being stopped). */
    private final Set<Interpreter> live = new HashSet<>();
    private final Set<Interpreter> ready = new HashSet<>();
    private boolean closed;
    /** How many interpreters the pool keeps ready: {@link PoolConfig#size()} until {@link #resize}. */
    private volatile int size;
    private final java.util.concurrent.atomic.AtomicInteger sessionIds = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Duration startup = Duration.ZERO;
    /** Interpreter starts that failed in a row since one last became ready (restart back-off). */
    private final java.util.concurrent.atomic.AtomicInteger failedStarts = new java.util.concurrent.atomic.AtomicInteger();
    /** Setups every interpreter runs once, in order (see {@link #addSetup}); guarded by {@code lock}. */
    private final List<Setup> setups = new ArrayList<>();

    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder recycled = new LongAdder();
    private final ConcurrentHistogram waitMicros = new ConcurrentHistogram(3);
    private final ConcurrentHistogram runMicros = new ConcurrentHistogram(3);

    private InterpreterPool(PoolConfig config) {
        this.config = config;
        this.size = config.size();
        this.engine = GraalPy.newEngine();
        this.timer = threads.timer();
        this.lifecycle = threads.lifecycle();
    }

    /** Starts a pool and returns once all its interpreters are ready. */
    public static InterpreterPool start(PoolConfig config) {
        return start(config, n -> { });
    }

    /**
     * Starts a pool and returns once all its interpreters are ready; {@code onReady} hears how many
     * are ready each time one more is (for progress reporting). Interpreters start in parallel.
     *
     * @throws IllegalStateException if an interpreter cannot start (e.g. a preload module is missing);
     *                               the pool is closed again and the cause says why
     */
    public static InterpreterPool start(PoolConfig config, IntConsumer onReady) {
        InterpreterPool pool = new InterpreterPool(config);
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int i = 0; i < config.size(); i++) {
            starting.add(pool.startInterpreter().thenRun(() -> onReady.accept(pool.ready())));
        }
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdown(Duration.ZERO);
            throw new IllegalStateException("interrupted while starting the interpreter pool", e);
        } catch (ExecutionException e) {
            pool.shutdown(Duration.ZERO);
            throw new IllegalStateException("an interpreter failed to start: " + e.getCause().getMessage(), e.getCause());
        }
        pool.startup = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info(() -> "interpreter pool ready: " + config.size() + " interpreters in " + pool.startup.toMillis()
                + " ms (" + (GraalPy.isJit(pool.engine) ? "JIT on" : "JIT OFF") + ")");
        return pool;
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
     * Queues a task. The future completes with the task's value, or exceptionally with a
     * {@link PythonException}, {@link TaskTimeoutException}, {@link PoolClosedException} or
     * {@link IllegalArgumentException} (an argument with no Python counterpart). Cancelling the
     * future stops the task, replacing its interpreter if it had started.
     *
     * @throws PoolOverloadedException if the wait queue is full (the task was not accepted)
     * @throws PoolClosedException     if the pool is shut down
     */
    public CompletableFuture<Object> submit(PythonTask task) {
        PendingTask pending = new PendingTask(task, task.timeout().orElse(config.taskTimeout()));
        lock.lock();
        try {
            if (closed) {
                throw new PoolClosedException("the interpreter pool is shut down; " + task.describe() + " was not accepted");
            }
            // Idle interpreters take queued tasks at once; only tasks beyond them count as waiting.
            if (queue.size() >= config.queueLimit() + idleCountLocked()) {
                rejected.increment();
                throw new PoolOverloadedException(size, config.queueLimit());
            }
            queue.addLast(pending);
            pending.deadline = timer.schedule(() -> waitDeadline(pending), config.acquireTimeout().toNanos(), TimeUnit.NANOSECONDS);
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
        pending.future.whenComplete((v, e) -> {
            if (e instanceof CancellationException) {
                callerCancelled(pending);
            }
        });
        return pending.future;
    }

    /**
     * Takes back a task that is still waiting in the queue, so that the caller can run it some
     * other way (e.g. an interpreter waiting for its own sub-tasks runs them itself instead of
     * blocking). True if it was withdrawn: the pool will not run it and never completes its
     * future, which is now the caller's to settle; false if it already started, finished, or is
     * not this pool's.
     */
    public boolean withdraw(CompletableFuture<?> future) {
        PendingTask found = null;
        lock.lock();
        try {
            for (PendingTask t : queue) {
                if (t.future == future) {
                    found = t;
                    break;
                }
            }
            if (found == null || !found.finish(PendingTask.State.QUEUED)) {
                return false;
            }
            queue.remove(found);
        } finally {
            lock.unlock();
        }
        return true;
    }

    /**
     * Changes how many interpreters the pool keeps. Growing starts the new ones in the background
     * (they take work once ready); shrinking retires idle interpreters first, busy ones after
     * their current task. Queued tasks are unaffected.
     */
    public void resize(int newSize) {
        if (newSize < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, got " + newSize);
        }
        int grow;
        lock.lock();
        try {
            if (closed) {
                throw new PoolClosedException("the interpreter pool is shut down");
            }
            size = newSize;
            int serving = 0;
            for (Interpreter i : live) {
                if (!i.retiring && !i.replaced) {
                    serving++;
                }
            }
            grow = newSize - serving;
            List<Interpreter> candidates = new ArrayList<>();
            for (Interpreter i : live) {
                if (!i.retiring && !i.replaced) {
                    candidates.add(i);
                }
            }
            candidates.sort(java.util.Comparator.comparing(i -> i.current != null));
            for (int k = 0; k < -grow && k < candidates.size(); k++) {
                candidates.get(k).retiring = true;
            }
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        for (int k = 0; k < grow; k++) {
            startInterpreter();
        }
    }

    /**
     * Python source that every interpreter runs once before it takes more work: those serving
     * now run it between tasks (before the next queued task), interpreters started later (growth,
     * recycling, replacement after a timeout) run it while they start. {@code teardown} (may be
     * null) runs when an interpreter that ran {@code setup} stops normally (retired, pool shut
     * down), not when it is killed. This is how an app is loaded into, and unloaded from, every
     * interpreter.
     *
     * @return completes once every interpreter alive now has run {@code setup} (or exited), or
     *         exceptionally with the first failure ({@link PythonException}); an interpreter whose
     *         setup failed is replaced, and its replacement runs the setup again as it starts
     */
    public CompletableFuture<Void> addSetup(String setup, String teardown) {
        java.util.Objects.requireNonNull(setup, "setup");
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new PoolClosedException("the interpreter pool is shut down"));
            }
            Setup s = new Setup(setup, teardown, new CompletableFuture<>(), new HashSet<>(live));
            setups.add(s);
            if (s.waiting().isEmpty()) {
                s.done().complete(null);
            }
            workAvailable.signalAll();
            return s.done();
        } finally {
            lock.unlock();
        }
    }

    /** A setup added with {@link #addSetup}; {@code waiting}: interpreters that have yet to run it. */
    record Setup(String setup, String teardown, CompletableFuture<Void> done, Set<Interpreter> waiting) {
    }

    /** How many interpreters the pool keeps ready. */
    public int size() {
        return size;
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
        CompletableFuture<Object> future = submit(task);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
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

    // ---- what interpreters call (on their own threads) ------------------------------------

    /** The setups {@code interpreter} has not run yet (it has run the first {@code from}). */
    List<Setup> setupsFrom(int from) {
        lock.lock();
        try {
            return from >= setups.size() ? List.of() : List.copyOf(setups.subList(from, setups.size()));
        } finally {
            lock.unlock();
        }
    }

    /** {@code interpreter} ran {@code setup}, successfully if {@code failure} is null. */
    void setupRan(Interpreter interpreter, Setup setup, RuntimeException failure) {
        lock.lock();
        try {
            if (failure != null) {
                setup.done().completeExceptionally(failure);
            }
            if (setup.waiting().remove(interpreter) && setup.waiting().isEmpty()) {
                setup.done().complete(null);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until there is a task for {@code interpreter}; null when it should stop, and
     * {@link PendingTask#SETUP} when it has setups to run first.
     */
    PendingTask nextTask(Interpreter interpreter) {
        lock.lock();
        try {
            while (true) {
                if (interpreter.retiring) {
                    return null;
                }
                if (interpreter.setupsRun < setups.size()) {
                    return PendingTask.SETUP;
                }
                PendingTask task = queue.pollFirst();
                if (task != null) {
                    if (task.start(interpreter)) {
                        interpreter.current = task;
                        waitMicros.recordValue((task.startedNanos - task.submittedNanos) / 1000);
                        if (task.runLimit.compareTo(PythonTask.NO_LIMIT) < 0) {
                            task.deadline = timer.schedule(() -> runDeadline(task), task.runLimit.toNanos(), TimeUnit.NANOSECONDS);
                        }
                        return task;
                    }
                    continue;
                }
                if (closed) {
                    return null;
                }
                workAvailable.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The interpreter's own outcome for a task; ignored if a deadline or cancel got there first. */
    void taskFinished(PendingTask task, Object result, RuntimeException failure) {
        if (!task.finish(PendingTask.State.RUNNING)) {
            return;
        }
        runMicros.recordValue((System.nanoTime() - task.startedNanos) / 1000);
        if (failure == null) {
            completed.increment();
            task.succeed(result);
        } else {
            failed.increment();
            task.fail(failure);
        }
    }

    void taskEnded(Interpreter interpreter) {
        interpreter.current = null;
        boolean tooMany = config.maxTasksPerInterpreter() > 0 && interpreter.tasksRun >= config.maxTasksPerInterpreter();
        boolean tooOld = !config.maxAge().isZero()
                && System.nanoTime() - interpreter.createdNanos >= config.maxAge().toNanos();
        if (tooMany || tooOld) {
            replace(interpreter, true);
        }
    }

    /** True if the interpreter may serve; false if the pool closed while it was starting. */
    boolean interpreterReady(Interpreter interpreter) {
        lock.lock();
        try {
            if (closed) {
                interpreter.startedFuture.completeExceptionally(new PoolClosedException("the pool closed while an interpreter was starting"));
                return false;
            }
            ready.add(interpreter);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        failedStarts.set(0);
        if (!config.maxAge().isZero()) {
            timer.schedule(() -> replace(interpreter, true), config.maxAge().toNanos(), TimeUnit.NANOSECONDS);
        }
        interpreter.startedFuture.complete(null);
        return true;
    }

    void interpreterFailed(Interpreter interpreter, Throwable cause) {
        interpreter.startedFuture.completeExceptionally(cause != null ? cause : new PoolClosedException("stopped while starting"));
        if (cause != null) {
            LOG.log(Level.SEVERE, "an interpreter failed to start", cause);
        }
    }

    void interpreterExited(Interpreter interpreter) {
        boolean restart;
        lock.lock();
        try {
            live.remove(interpreter);
            ready.remove(interpreter);
            for (Setup s : setups) {
                if (s.waiting().remove(interpreter) && s.waiting().isEmpty()) {
                    s.done().complete(null);
                }
            }
            // A replacement interpreter that failed to start (e.g. an app setup that failed once)
            // must not leave the pool short for good, even with no interpreter left.
            restart = !closed && !interpreter.replaced && interpreter.startedFuture.isCompletedExceptionally();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (restart) {
            interpreter.replaced = true;
            // Backs off while starts keep failing: 1, 2, 4 ... 32 s.
            long delay = 1L << Math.min(failedStarts.getAndIncrement(), 5);
            try {
                timer.schedule(() -> { startInterpreter(); }, delay, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The pool is shutting down.
            }
        }
    }

    // ---- replacing interpreters ------------------------------------------------------------

    private CompletableFuture<Void> startInterpreter() {
        Interpreter interpreter = new Interpreter(this, config, engine, sessionIds.getAndIncrement());
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new PoolClosedException("the interpreter pool is shut down"));
            }
            live.add(interpreter);
        } finally {
            lock.unlock();
        }
        threads.interpreterThread(interpreter).start();
        return interpreter.startedFuture;
    }

    /**
     * Starts a replacement for {@code old}. {@code ahead}: {@code old} keeps serving until the
     * replacement is ready (limits reached); otherwise it leaves after its current task.
     */
    void replace(Interpreter old, boolean ahead) {
        if (old.replaced || (ahead && old.retiring)) {
            return;
        }
        old.replaced = true;
        recycled.increment();
        if (!ahead) {
            retire(old);
        }
        startInterpreter().whenComplete((v, e) -> retire(old));
    }

    /** Makes {@code interpreter} stop taking tasks (it leaves after its current one). */
    void retire(Interpreter interpreter) {
        lock.lock();
        try {
            interpreter.retiring = true;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops a running interpreter for good (its task already completed) and starts another. */
    private void killAndReplace(Interpreter interpreter) {
        if (!interpreter.replaced) {
            interpreter.replaced = true;
            recycled.increment();
            startInterpreter();
        }
        lifecycle.execute(interpreter::kill);
    }

    // ---- deadlines and cancellation --------------------------------------------------------

    private void waitDeadline(PendingTask task) {
        lock.lock();
        try {
            if (!queue.remove(task)) {
                return;
            }
        } finally {
            lock.unlock();
        }
        if (task.finish(PendingTask.State.QUEUED)) {
            timedOut.increment();
            task.fail(new TaskTimeoutException(TaskTimeoutException.Phase.WAITING,
                    config.acquireTimeout(), task.task.describe()));
        }
    }

    private void runDeadline(PendingTask task) {
        if (task.finish(PendingTask.State.RUNNING)) {
            timedOut.increment();
            runMicros.recordValue((System.nanoTime() - task.startedNanos) / 1000);
            task.fail(new TaskTimeoutException(TaskTimeoutException.Phase.RUNNING,
                    task.runLimit, task.task.describe()));
            killAndReplace(task.interpreter);
        }
    }

    private void callerCancelled(PendingTask task) {
        lock.lock();
        try {
            queue.remove(task);
        } finally {
            lock.unlock();
        }
        if (task.finish(PendingTask.State.QUEUED)) {
            cancelled.increment();
        } else if (task.finish(PendingTask.State.RUNNING)) {
            cancelled.increment();
            killAndReplace(task.interpreter);
        }
    }

    // ---- metrics ----------------------------------------------------------------------------

    public PoolMetrics metrics() {
        int readyNow;
        int starting = 0;
        int busy;
        int queued;
        lock.lock();
        try {
            readyNow = readyCountLocked();
            for (Interpreter i : live) {
                if (!i.startedFuture.isDone()) {
                    starting++;
                }
            }
            busy = busyCount();
            queued = queue.size();
        } finally {
            lock.unlock();
        }
        return new PoolMetrics(size, readyNow, starting, busy, queued, completed.sum(), failed.sum(), timedOut.sum(),
                cancelled.sum(), rejected.sum(), recycled.sum(), startup,
                PoolMetrics.Latency.of(waitMicros.copy()), PoolMetrics.Latency.of(runMicros.copy()));
    }


    /** Interpreters running a task now. */
    public int busy() {
        lock.lock();
        try {
            return busyCount();
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

    private int readyCountLocked() {
        int n = 0;
        for (Interpreter i : ready) {
            if (!i.retiring) {
                n++;
            }
        }
        return n;
    }

    private int idleCountLocked() {
        int n = 0;
        for (Interpreter i : ready) {
            if (!i.retiring && i.current == null) {
                n++;
            }
        }
        return n;
    }

    private int busyCount() {
        int n = 0;
        for (Interpreter i : live) {
            if (i.current != null) {
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
     * stops the rest (their callers get a {@link PoolClosedException}), closes every context and
     * the engine, and returns once no pool thread is left. Idempotent.
     */
    public void shutdown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<Interpreter> toStop;
        List<PendingTask> unstarted;
        lock.lock();
        try {
            closed = true;
            workAvailable.signalAll();
            while (!live.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            unstarted = new ArrayList<>(queue);
            queue.clear();
            toStop = new ArrayList<>(live);
            for (Interpreter i : toStop) {
                i.retiring = true;
            }
            workAvailable.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unstarted = List.of();
            toStop = List.of();
        } finally {
            lock.unlock();
        }
        for (PendingTask task : unstarted) {
            if (task.finish(PendingTask.State.QUEUED)) {
                cancelled.increment();
                task.fail(new PoolClosedException(task.task.describe()
                        + " was still waiting when the pool shut down"));
            }
        }
        for (Interpreter i : toStop) {
            PendingTask running = i.current;
            if (running != null && running.finish(PendingTask.State.RUNNING)) {
                cancelled.increment();
                running.fail(new PoolClosedException(running.task.describe()
                        + " was still running when the pool's shutdown grace period ended; it was stopped"));
            }
            // Past the grace period, whatever an interpreter still does (a task, its start, a
            // teardown) is stopped, so shutdown ends; one already closing itself is left to finish.
            if (!i.closing) {
                i.kill();
            }
        }
        awaitInterpretersExited();
        timer.shutdownNow();
        lifecycle.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            lifecycle.awaitTermination(5, TimeUnit.SECONDS);
            threads.joinInterpreterThreads(TimeUnit.SECONDS.toNanos(5));
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
