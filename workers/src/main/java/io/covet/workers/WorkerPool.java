package io.covet.workers;

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
import java.util.Iterator;
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
 * Each task's future completes exactly once: with its value, or with {@link WorkerTaskException}
 * (it raised), {@link WorkerTimeoutException}, {@link WorkerCrashedException}, {@link
 * WorkerStartException} (no worker could be started to run it), {@link WorkerPoolClosedException}
 * or a cancellation. {@link #shutdown} leaves no worker, and no process a worker started, behind.
 */
public final class WorkerPool implements AutoCloseable {

    /*
     * Implementation overview. One lock guards the queue of tasks, the idle workers and every
     * worker's state and task; every change of a task's state (Job.finish) happens under it, so an
     * answer, a timeout, a cancellation, a worker's death and shutdown cannot both claim a task.
     * dispatch() pairs a waiting task with an idle worker under the lock and writes the task's
     * frame outside it. Each worker's reader thread reports its answers and, at the end of its
     * output, its exit: the worker is then replaced unless it was retiring (task limit) or the
     * pool is closed. A start that fails is retried with back-off (1 s, doubling to 32 s); while
     * no worker is ready or starting, waiting tasks are failed with the start's error instead of
     * waiting for a start that may never succeed.
     */

    private static final Logger LOG = Logger.getLogger(WorkerPool.class.getName());

    enum JobState { QUEUED, RUNNING, DONE }

    /** A task in the pool. State changes only under the pool's lock. */
    static final class Job {
        final WorkerCall call;
        final Duration timeout;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        JobState state = JobState.QUEUED;
        Worker worker;
        /** Its frame was written to its worker (before that, a dead worker never got it). */
        boolean sent;
        ScheduledFuture<?> timer;

        Job(WorkerCall call, Duration timeout) {
            this.call = call;
            this.timeout = timeout;
        }

        boolean finish(JobState from) {
            if (state != from) {
                return false;
            }
            state = JobState.DONE;
            if (timer != null) {
                timer.cancel(false);
            }
            return true;
        }
    }

    private final WorkerConfig config;
    private final List<String> command;
    private final ScheduledThreadPoolExecutor timers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
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
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder crashed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder recycled = new LongAdder();

    private WorkerPool(WorkerConfig config, List<String> command) {
        this.config = config;
        this.command = command;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("covet-worker-timer").unstarted(r));
        this.timers.setRemoveOnCancelPolicy(true);
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
     * Queues a call for the next free worker.
     *
     * @throws WorkerPoolClosedException once the pool is shut down (the call was not accepted)
     */
    public CompletableFuture<Object> submit(WorkerCall call) {
        Job job = new Job(call, call.timeout().orElse(config.taskTimeout()));
        lock.lock();
        try {
            if (closed) {
                throw new WorkerPoolClosedException("the CPython worker pool is shut down; " + call.description() + " was not accepted");
            }
            queue.addLast(job);
        } finally {
            lock.unlock();
        }
        job.future.whenComplete((v, e) -> {
            if (job.future.isCancelled()) {
                callerCancelled(job);
            }
        });
        dispatch();
        return job.future;
    }

    /**
     * Takes back a task that no worker has started, so that the caller can run it some other way:
     * true if it was withdrawn (the pool will not run it and never completes its future, which is
     * now the caller's to settle), false if it already runs or is done.
     */
    public boolean withdraw(CompletableFuture<?> future) {
        Job found = null;
        lock.lock();
        try {
            for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
                Job job = it.next();
                if (job.future == future) {
                    if (job.finish(JobState.QUEUED)) {
                        it.remove();
                        found = job;
                    }
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (found == null) {
            return false;
        }
        cancelled.increment();
        return true;
    }

    /** Hands waiting tasks to idle workers. */
    private void dispatch() {
        while (true) {
            Job job;
            Worker worker;
            lock.lock();
            try {
                if (queue.isEmpty() || idle.isEmpty()) {
                    return;
                }
                job = queue.pollFirst();
                worker = idle.pollFirst();
                job.state = JobState.RUNNING;
                job.worker = worker;
                worker.state = Worker.State.BUSY;
                worker.job = job;
                job.timer = schedule(() -> timedOut(job), job.timeout.toNanos(), TimeUnit.NANOSECONDS);
            } finally {
                lock.unlock();
            }
            boolean delivered;
            try {
                worker.send(Worker.TASK, job.call.payload());
                delivered = true;
            } catch (IOException e) {
                delivered = false;
            }
            sent(worker, job, delivered);
        }
    }

    /**
     * After a task's frame was written, or failed to be. A worker that died while idle never got
     * it: the task waits for another worker. One that died just after the write counts as having
     * run it: its exit was seen while the write was in flight, and it is reported here.
     */
    private void sent(Worker worker, Job job, boolean delivered) {
        boolean crashed = false;
        lock.lock();
        try {
            if (job.state != JobState.RUNNING || job.worker != worker) {
                return;  // timed out or cancelled meanwhile
            }
            if (!delivered) {
                if (worker.job == job) {
                    worker.job = null;
                }
                if (job.timer != null) {
                    job.timer.cancel(false);
                }
                job.state = JobState.QUEUED;
                job.worker = null;
                queue.addFirst(job);
            } else {
                job.sent = true;
                crashed = worker.state == Worker.State.DEAD && job.finish(JobState.RUNNING);
            }
        } finally {
            lock.unlock();
        }
        if (!delivered) {
            worker.kill();
            dispatch();
        } else if (crashed) {
            this.crashed.increment();
            job.future.completeExceptionally(crash(worker, job));
        }
    }

    private void timedOut(Job job) {
        Worker worker = stopRunning(job);
        if (worker != null) {
            timedOut.increment();
            job.future.completeExceptionally(new WorkerTimeoutException(job.call.description() + " ran past its timeout of "
                    + seconds(job.timeout) + " in " + worker.name() + "; the worker was killed and is being replaced", job.timeout));
            worker.kill();
        }
    }

    private void callerCancelled(Job job) {
        Worker worker = null;
        lock.lock();
        try {
            if (job.finish(JobState.QUEUED)) {
                queue.remove(job);
                cancelled.increment();
                return;
            }
        } finally {
            lock.unlock();
        }
        worker = stopRunning(job);
        if (worker != null) {
            cancelled.increment();
            worker.kill();  // the only way to stop a running task; a fresh worker replaces it
        }
    }

    /** Ends a running task and marks its worker for killing; the worker, or null if the task was not running. */
    private Worker stopRunning(Job job) {
        lock.lock();
        try {
            if (!job.finish(JobState.RUNNING)) {
                return null;
            }
            job.worker.killed = true;
            return job.worker;
        } finally {
            lock.unlock();
        }
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
                if (terminated || (closed && queue.isEmpty())) {
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
            Job job;
            boolean retire = false;
            lock.lock();
            try {
                job = worker.job;
                if (worker.state != Worker.State.BUSY || job == null || !job.finish(JobState.RUNNING)) {
                    return;  // it answered as it was being killed (timeout, cancellation, shutdown)
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
            Job job;
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
                worker.job = null;
                // A task whose frame is still being written is settled by the writer (sent()).
                if (job != null && (!job.sent || !job.finish(JobState.RUNNING))) {
                    job = null;
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
            if (job != null) {
                crashed.increment();
                WorkerCrashedException error = crash(worker, job);
                job.future.completeExceptionally(error);
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
    private static WorkerCrashedException crash(Worker worker, Job job) {
        return new WorkerCrashedException(worker.name() + " " + worker.exitCause + " while running " + job.call.description()
                + worker.exitStderr, worker.id, worker.pid(), worker.exitStatus);
    }

    /** Completes a task with its worker's answer. */
    private void settle(Job job, byte type, byte[] payload) {
        if (type == Worker.VALUE) {
            Object value;
            try {
                value = Pickles.loads(payload);
            } catch (RuntimeException e) {
                failed.increment();
                job.future.completeExceptionally(e);
                return;
            }
            completed.increment();
            job.future.complete(value);
        } else {
            failed.increment();
            job.future.completeExceptionally(taskError(job.call.description(), payload));
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
        Thread.ofVirtual().name("covet-worker-launch").start(this::launchNow);
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
        List<Job> abandoned = new ArrayList<>();
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
            if (readyCount() == 0 && launching == 0 && workers.stream().noneMatch(w -> w.state == Worker.State.STARTING)) {
                for (Job job : queue) {
                    if (job.finish(JobState.QUEUED)) {
                        abandoned.add(job);
                    }
                }
                queue.clear();
            }
            delaySeconds = 1L << Math.min(5, failuresInARow - 1);
            retrying++;
        } finally {
            lock.unlock();
        }
        for (Job job : abandoned) {
            failed.increment();
            job.future.completeExceptionally(new WorkerStartException("no CPython worker is running to take "
                    + job.call.description() + ": " + cause));
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
            return new WorkerMetrics(workers.size() + launching, readyCount(), busy, queue.size(), started.sum(),
                    completed.sum(), failed.sum(), crashed.sum(), timedOut.sum(), cancelled.sum(), recycled.sum());
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
        List<Job> waiting = new ArrayList<>();
        List<Job> running = new ArrayList<>();
        List<Worker> all;
        lock.lock();
        try {
            if (terminated) {
                return;
            }
            closed = true;
            awaitQuiet(deadline);
            terminated = true;
            awaitLaunches();
            for (Job job : queue) {
                if (job.finish(JobState.QUEUED)) {
                    waiting.add(job);
                }
            }
            queue.clear();
            for (Worker w : workers) {
                if (w.job != null && w.job.finish(JobState.RUNNING)) {
                    running.add(w.job);
                    w.killed = true;
                }
            }
            all = new ArrayList<>(workers);
        } finally {
            lock.unlock();
        }
        for (Job job : waiting) {
            cancelled.increment();
            job.future.completeExceptionally(new WorkerPoolClosedException("the CPython worker pool shut down before "
                    + job.call.description() + " started; it did not run"));
        }
        for (Job job : running) {
            cancelled.increment();
            job.future.completeExceptionally(new WorkerPoolClosedException("the CPython worker pool shut down while "
                    + job.call.description() + " was running; its worker was stopped"));
        }
        stopAll(all);
        timers.shutdownNow();
    }

    /** Waits (holding the lock between waits) until no task is queued or running, or the deadline passes. */
    private void awaitQuiet(long deadline) {
        try {
            while (!queue.isEmpty() || workers.stream().anyMatch(w -> w.state == Worker.State.BUSY)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
