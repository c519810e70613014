package io.covet.workers;

import io.covet.tasks.ClosedException;
import io.covet.tasks.Deadline;
import io.covet.tasks.Task;
import io.covet.tasks.TaskQueue;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * A pool of CPython worker processes: ADR-007's process pool, with what
 * {@code ProcessPoolExecutor} lacks. A task past its timeout kills only its own worker; a worker
 * that dies (os._exit, a segfault, an OOM kill) fails only the task it was running, with the exit
 * cause; either way a fresh worker replaces it and nothing else is lost or blocked.
 *
 * <p>Start one with {@link #start}, which fails with a {@link WorkerStartException} naming the
 * problem when there is no such interpreter or a worker cannot start; then {@link #submit} calls.
 * Tasks wait in one {@link TaskQueue} (bounded, FIFO, one deadline each) and settle exactly once:
 * with their value, or with {@link WorkerTaskException} (it raised), {@link
 * io.covet.tasks.DeadlineExceededException} (its worker was killed), {@link WorkerCrashedException},
 * {@link WorkerStartException} (no worker could be started to run it), {@link ClosedException} or a
 * cancellation. {@link #shutdown} leaves no worker, and no process a worker started, behind.
 */
public final class WorkerPool implements AutoCloseable {

    /*
     * Implementation overview. The queue settles each task exactly once (an answer, a deadline, a
     * cancellation, a worker's death and shutdown race by compare-and-set there); this pool's lock
     * guards the idle workers and every worker's state and task. dispatch() pairs a waiting task
     * with an idle worker under the lock and writes the task's frame outside it; a task ended by
     * its deadline or its caller kills the worker running it (the only way to stop CPython code). Each worker's reader thread reports its answers and, at the end of its
     * output, its exit: the worker is then replaced unless it was retiring (task limit) or the
     * pool is closed. A start that fails is retried with back-off (1 s, doubling to 32 s); while
     * no worker is ready or starting, waiting tasks are failed with the start's error instead of
     * waiting for a start that may never succeed.
     */

    private static final Logger LOG = Logger.getLogger(WorkerPool.class.getName());

    private final WorkerConfig config;
    private final List<String> command;
    private final ScheduledThreadPoolExecutor timers;
    private final TaskQueue<WorkerCall> queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final Set<Worker> workers = new LinkedHashSet<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Worker.Listener listener = new Listener();
    /** Workers being spawned, not yet in {@code workers}. */
    private int launching;
    /** Failed starts waiting for their back-off before they try again. */
    private int retrying;
    private int failuresInARow;
    private String initialFailure;
    private boolean initialising = true;
    private boolean closed;
    private boolean terminated;

    private final LongAdder started = new LongAdder();
    private final LongAdder crashed = new LongAdder();
    private final LongAdder recycled = new LongAdder();

    private WorkerPool(WorkerConfig config, List<String> command) {
        this.config = config;
        this.command = command;
        this.timers = new ScheduledThreadPoolExecutor(1, WorkerThreads.TIMER);
        this.timers.setRemoveOnCancelPolicy(true);
        this.queue = new TaskQueue<>("the CPython worker pool", config.workers(), config.queueLimit());
    }

    /**
     * Starts {@code config.workers()} workers and waits until they are ready.
     *
     * @throws WorkerStartException if the interpreter is not there, or a worker fails to start
     *                              (the message carries its stderr: a traceback, a wrong version)
     */
    public static WorkerPool start(WorkerConfig config) {
        String python = resolveInterpreter(config.python3());
        Path script;
        try {
            script = WorkerScript.path();
        } catch (RuntimeException e) {
            throw new WorkerStartException("CPython workers: cannot write the worker script: " + e.getMessage(), e);
        }
        WorkerPool pool = new WorkerPool(config, List.of(python, script.toString()));
        for (int i = 0; i < config.workers(); i++) {
            pool.launch();
        }
        pool.awaitStarted();
        return pool;
    }

    /** The interpreter's absolute path: {@code python3} as given if it has a slash, else looked up on PATH. */
    static String resolveInterpreter(String python3) {
        if (python3.contains(File.separator)) {
            Path path = Path.of(python3);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new WorkerStartException("CPython workers: " + python3 + " is not an executable file"
                        + " (the Python interpreter to run them with)");
            }
            return path.toAbsolutePath().toString();
        }
        String searchPath = System.getenv().getOrDefault("PATH", "");
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, python3);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        throw new WorkerStartException("CPython workers need a Python 3 interpreter, but there is no '" + python3
                + "' on PATH (" + searchPath + "); install Python 3 (Debian: apt-get install python3) or give the"
                + " interpreter's path (covet --python3 PATH)");
    }

    private void awaitStarted() {
        long deadline = System.nanoTime() + config.startTimeout().plusSeconds(10).toNanos();
        String failure;
        lock.lock();
        try {
            while (readyCount() < config.workers() && initialFailure == null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    initialFailure = "the workers did not report ready within " + config.startTimeout().toSeconds() + " s";
                    break;
                }
                changed.awaitNanos(left);
            }
            failure = initialFailure;
            initialising = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted while the workers started";
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            shutdown(Duration.ZERO);
            throw new WorkerStartException("CPython workers could not start (" + command.getFirst() + "): " + failure);
        }
    }

    // ---- tasks -----------------------------------------------------------------------------------

    /**
     * Queues a call for the next free worker under {@code deadline} (waiting and running); its run
     * limit is its own timeout, or {@link WorkerConfig#taskTimeout()}. Past either, its worker is
     * killed and replaced.
     *
     * @throws io.covet.tasks.OverloadedException if the queue is full (nothing was accepted)
     * @throws ClosedException                    once the pool is shut down
     */
    public Task<WorkerCall> enqueue(WorkerCall call, Deadline deadline) {
        Task<WorkerCall> task = queue.submit(call, deadline, call.timeout().orElse(config.taskTimeout()), call.description());
        dispatch();
        return task;
    }

    /** {@link #enqueue} with no deadline beyond the run limit, as a future (completed off the pool's threads). */
    public CompletableFuture<Object> submit(WorkerCall call) {
        return enqueue(call, Deadline.none()).future();
    }

    /**
     * Takes back a task that no worker has started, so that the caller can run it some other way:
     * true if it was withdrawn (it is then cancelled, and never runs here).
     */
    public boolean withdraw(Task<?> task) {
        return queue.withdraw(task);
    }

    /** Hands waiting tasks to idle workers. */
    private void dispatch() {
        while (true) {
            Task<WorkerCall> task;
            Worker worker;
            lock.lock();
            try {
                if (idle.isEmpty()) {
                    return;
                }
                task = queue.poll();
                if (task == null) {
                    return;
                }
                worker = idle.pollFirst();
                worker.state = Worker.State.BUSY;
                worker.job = task;
                worker.jobSent = false;
            } finally {
                lock.unlock();
            }
            task.onStop(t -> stopRunning(worker, t));
            boolean delivered;
            try {
                worker.send(Worker.TASK, task.work().payload());
                delivered = true;
            } catch (IOException e) {
                delivered = false;
            }
            sent(worker, task, delivered);
        }
    }

    /**
     * After a task's frame was written, or failed to be. A worker that died while idle never got
     * it: the task waits for another worker. One that died just after the write counts as having
     * run it: its exit was seen while the write was in flight, and it is reported here.
     */
    private void sent(Worker worker, Task<WorkerCall> task, boolean delivered) {
        boolean dead;
        lock.lock();
        try {
            if (worker.job != task) {
                return;  // ended meanwhile (deadline, cancellation): its worker is being killed
            }
            if (!delivered) {
                worker.job = null;
                queue.requeue(task);
            } else {
                worker.jobSent = true;
            }
            dead = worker.state == Worker.State.DEAD;
        } finally {
            lock.unlock();
        }
        if (!delivered) {
            worker.kill();
            dispatch();
        } else if (dead && task.fail(crash(worker, task))) {
            crashed.increment();
        }
    }

    /**
     * The task's deadline passed, its caller cancelled it or shutdown stopped it: kill its worker,
     * the only way to stop CPython code (a fresh worker replaces it). On the ending thread.
     */
    private void stopRunning(Worker worker, Task<WorkerCall> task) {
        lock.lock();
        try {
            if (worker.job != task) {
                return;  // it answered first
            }
            worker.killed = true;
        } finally {
            lock.unlock();
        }
        // Killing scans /proc for the worker's children: not on the deadline thread.
        WorkerThreads.STOPPER.execute(worker::kill);
    }

    // ---- what the workers report -------------------------------------------------------------

    private final class Listener implements Worker.Listener {

        @Override
        public void ready(Worker worker, String version) {
            boolean quit = false;
            lock.lock();
            try {
                if (worker.state != Worker.State.STARTING || worker.killed) {
                    return;
                }
                failuresInARow = 0;
                if (terminated || (closed && queue.queued() == 0)) {
                    worker.state = Worker.State.RETIRING;
                    quit = true;
                } else {
                    worker.state = Worker.State.IDLE;
                    idle.addLast(worker);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (quit) {
                worker.quit();
                return;
            }
            LOG.info(() -> worker.name() + " ready: Python " + version + " (" + command.getFirst() + ")");
            dispatch();
        }

        @Override
        public void answered(Worker worker, byte type, byte[] payload) {
            Task<WorkerCall> job;
            boolean retire = false;
            lock.lock();
            try {
                job = worker.job;
                if (worker.state != Worker.State.BUSY || job == null || job.isDone()) {
                    return;  // it answered as it was being killed (deadline, cancellation, shutdown)
                }
                worker.job = null;
                worker.tasks++;
                if (config.maxTasksPerWorker() > 0 && worker.tasks >= config.maxTasksPerWorker()) {
                    worker.state = Worker.State.RETIRING;
                    retire = true;
                    recycled.increment();
                } else {
                    worker.state = Worker.State.IDLE;
                    idle.addLast(worker);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (retire) {
                launch();
                worker.quit();
            }
            settle(job, type, payload);
            dispatch();
        }

        @Override
        public void exited(Worker worker) {
            int status = worker.awaitExit();
            worker.killGroup();  // whatever its tasks started and left behind
            String cause = worker.killReason != null ? "was killed by Covet: " + worker.killReason
                    : Worker.describeExit(status);
            String stderr = lastLines(worker.stderrTail());
            Task<WorkerCall> job;
            Worker.State was;
            boolean replace;
            lock.lock();
            try {
                workers.remove(worker);
                idle.remove(worker);
                was = worker.state;
                worker.state = Worker.State.DEAD;
                worker.exitStatus = status;
                worker.exitCause = cause;
                worker.exitStderr = stderr;
                job = worker.job;
                if (job != null && worker.jobSent) {
                    worker.job = null;
                } else {
                    job = null;  // its frame is still being written: the writer settles it (sent())
                }
                replace = !terminated && was != Worker.State.STARTING && was != Worker.State.RETIRING;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (was == Worker.State.STARTING) {
                startFailed(worker.name() + " " + cause + " before it was ready" + stderr);
                return;
            }
            WorkerCrashedException error = job == null ? null : crash(worker, job);
            if (error != null && job.fail(error)) {
                crashed.increment();
                LOG.warning(() -> error.getMessage() + "; starting a replacement");
            } else if (replace && !worker.killed) {
                LOG.warning(() -> worker.name() + " " + cause + " while idle; starting a replacement");
            }
            if (replace) {
                launch();
            }
            dispatch();
        }
    }

    /** "CPython worker 2 (pid 123) was killed by signal 9 (...) while running m.f(); its last stderr lines: ..." */
    private static WorkerCrashedException crash(Worker worker, Task<WorkerCall> job) {
        return new WorkerCrashedException(worker.name() + " " + worker.exitCause + " while running " + job.description()
                + worker.exitStderr, worker.id, worker.pid(), worker.exitStatus);
    }

    /** Completes a task with its worker's answer. */
    private static void settle(Task<WorkerCall> job, byte type, byte[] payload) {
        if (type == Worker.VALUE) {
            Object value;
            try {
                value = Pickles.loads(payload);
            } catch (RuntimeException e) {
                job.fail(e);
                return;
            }
            job.complete(value);
        } else {
            job.fail(taskError(job.description(), payload));
        }
    }

    /** An E frame: three length-prefixed UTF-8 strings (type, message, traceback), then the pickled exception. */
    static WorkerTaskException taskError(String description, byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        String[] text = new String[3];
        for (int i = 0; i < 3; i++) {
            int n = in.remaining() >= 4 ? in.getInt() : -1;
            if (n < 0 || n > in.remaining()) {
                return new WorkerTaskException(description, "RuntimeError", "unreadable error report from the worker", "", new byte[0]);
            }
            byte[] bytes = new byte[n];
            in.get(bytes);
            text[i] = new String(bytes, StandardCharsets.UTF_8);
        }
        byte[] pickled = new byte[in.remaining()];
        in.get(pickled);
        return new WorkerTaskException(description, text[0], text[1], text[2], pickled);
    }

    /** The end of a dead worker's stderr for an error message: from a fatal error's report, if there is one. */
    private static String lastLines(List<String> stderr) {
        int from = Math.max(0, stderr.size() - 10);
        for (int i = 0; i < stderr.size(); i++) {
            if (stderr.get(i).startsWith("Fatal Python error")) {
                from = i;  // faulthandler's report: the error and the Python stack where it happened
            }
        }
        String tail = String.join("\n", stderr.subList(from, stderr.size())).strip();
        return tail.isEmpty() ? "" : "; its last stderr lines:\n" + tail;
    }

    // ---- starting workers -------------------------------------------------------------------

    /** Starts one worker on a virtual thread (spawning blocks briefly). */
    private void launch() {
        lock.lock();
        try {
            if (terminated) {
                return;
            }
            launching++;
        } finally {
            lock.unlock();
        }
        WorkerThreads.STOPPER.execute(this::launchNow);
    }

    private void launchNow() {
        int id = ids.incrementAndGet();
        Worker worker;
        try {
            worker = Worker.spawn(id, command);
        } catch (IOException | RuntimeException e) {
            lock.lock();
            try {
                launching--;
            } finally {
                lock.unlock();
            }
            startFailed("could not run " + command.getFirst() + ": " + e.getMessage());
            return;
        }
        boolean stop;
        lock.lock();
        try {
            // Registered before its reader starts, so that its exit is never seen before it is known.
            launching--;
            workers.add(worker);
            started.increment();
            stop = terminated;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (stop) {
            worker.killed = true;
        }
        worker.start(configFrame(id), listener);
        if (stop) {
            worker.kill();
            return;
        }
        schedule(() -> {
            lock.lock();
            try {
                if (worker.state != Worker.State.STARTING) {
                    return;
                }
                worker.killed = true;  // ready() now ignores it
            } finally {
                lock.unlock();
            }
            worker.kill("it did not report ready within " + seconds(config.startTimeout()));
        }, config.startTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A timer task, or null once the pool has terminated (its timer is shut down). */
    private ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            return timers.schedule(task, delay, unit);
        } catch (RejectedExecutionException e) {
            return null;  // terminated: nothing is left to time
        }
    }

    private byte[] configFrame(int id) {
        Map<String, Object> frame = new HashMap<>();
        frame.put("id", id);
        frame.put("path", config.pythonPath().stream().map(p -> p.toAbsolutePath().toString()).toList());
        frame.put("main", config.mainScript().map(p -> p.toAbsolutePath().toString()).orElse(null));
        frame.put("argv", config.mainArgv());
        return Pickles.dumps(frame);
    }

    /**
     * A worker could not start. While none is ready or starting, the tasks waiting fail with this
     * cause; a retry follows after a back-off (unless the pool has terminated, or is still in
     * {@link #start}).
     */
    private void startFailed(String cause) {
        boolean abandon = false;
        long delaySeconds;
        lock.lock();
        try {
            failuresInARow++;
            if (initialising) {
                if (initialFailure == null) {
                    initialFailure = cause;
                }
                changed.signalAll();
                return;
            }
            if (terminated) {
                return;
            }
            // Pending retries do not count: they may fail forever (python3 gone), and tasks must not wait on that.
            abandon = readyCount() == 0 && launching == 0 && workers.stream().noneMatch(w -> w.state == Worker.State.STARTING);
            delaySeconds = 1L << Math.min(5, failuresInARow - 1);
            retrying++;
        } finally {
            lock.unlock();
        }
        if (abandon) {
            queue.failWaiting(job -> new WorkerStartException("no CPython worker is running to take "
                    + job.description() + ": " + cause));
        }
        LOG.warning(() -> "a CPython worker failed to start: " + cause + "; retrying in " + delaySeconds + " s");
        schedule(() -> {
            lock.lock();
            try {
                retrying--;
            } finally {
                lock.unlock();
            }
            launch();
        }, delaySeconds, TimeUnit.SECONDS);
    }

    // ---- state -----------------------------------------------------------------------------

    private int readyCount() {
        int n = 0;
        for (Worker w : workers) {
            if (w.state == Worker.State.IDLE || w.state == Worker.State.BUSY) {
                n++;
            }
        }
        return n;
    }

    public WorkerConfig config() {
        return config;
    }

    /** The interpreter the workers run ({@code python3} resolved to its path). */
    public String interpreter() {
        return command.getFirst();
    }

    public WorkerMetrics metrics() {
        lock.lock();
        try {
            int busy = 0;
            for (Worker w : workers) {
                if (w.state == Worker.State.BUSY) {
                    busy++;
                }
            }
            return new WorkerMetrics(workers.size() + launching, readyCount(), busy, started.sum(), crashed.sum(),
                    recycled.sum(), queue.metrics());
        } finally {
            lock.unlock();
        }
    }

    /** Process ids of the workers alive now. */
    public List<Long> pids() {
        lock.lock();
        try {
            return workers.stream().filter(w -> w.state != Worker.State.DEAD).map(Worker::pid).toList();
        } finally {
            lock.unlock();
        }
    }

    // ---- shutting down ------------------------------------------------------------------------

    /**
     * Stops accepting tasks, lets queued and running ones finish for up to {@code grace}, then
     * fails those left (telling each caller) and stops every worker and every process they
     * started. Idempotent; returns when the processes are gone.
     */
    public void shutdown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<Worker> all;
        lock.lock();
        try {
            if (terminated) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        queue.close();
        queue.awaitQuiet(deadline);
        lock.lock();
        try {
            terminated = true;
            awaitLaunches();
            for (Worker w : workers) {
                if (w.job != null) {
                    w.killed = true;  // about to be stopped: its death is no crash
                }
            }
            all = new ArrayList<>(workers);
        } finally {
            lock.unlock();
        }
        queue.abandon(job -> new ClosedException("the CPython worker pool shut down before " + job.description()
                        + " started; it did not run"),
                job -> new ClosedException("the CPython worker pool shut down while " + job.description()
                        + " was running; its worker was stopped"));
        stopAll(all);
        timers.shutdownNow();
    }

    /** Waits briefly for spawns in flight to register, so that shutdown sees (and stops) them too. */
    private void awaitLaunches() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (launching > 0 && deadline - System.nanoTime() > 0) {
                changed.awaitNanos(deadline - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Quits idle workers, kills the rest, then kills whatever is left, their children included. */
    private void stopAll(List<Worker> all) {
        List<ProcessHandle> children = new ArrayList<>();
        for (Worker w : all) {
            children.addAll(w.process.descendants().toList());
            if (w.killed || w.state != Worker.State.IDLE) {
                w.kill();
            } else {
                w.quit();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Worker w : all) {
            try {
                w.process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                w.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.kill();
            }
        }
        children.forEach(ProcessHandle::destroyForcibly);
        all.forEach(Worker::killGroup);
        for (Worker w : all) {
            try {
                w.process.onExit().get(5, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.warning(() -> w.name() + " did not exit after SIGKILL");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    private static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        return (s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s)) + " s";
    }
}
