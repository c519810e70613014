package io.covet.runtime;

import io.covet.compute.ComputeEngine;
import io.covet.interpreters.InterpreterPool;
import io.covet.interpreters.PythonTask;
import io.covet.tasks.Deadline;
import io.covet.tasks.Task;
import io.covet.workers.WorkerCall;
import io.covet.workers.WorkerPool;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The GIL-aware scheduler of ADR-007 section 4: one lane per kind of work, each queued once, in
 * one bounded FIFO queue with one deadline per task ({@link io.covet.tasks.TaskQueue}):
 *
 * <ul>
 *   <li>{@link Lane#IO}: blocking Java work on virtual threads, at most {@code ioThreads} at once;</li>
 *   <li>{@link Lane#CPU}: short Java work on the compute engine's ForkJoinPool, at most {@code cpuThreads};</li>
 *   <li>{@link Lane#PYTHON}: tasks for the interpreter pool, queued in the pool itself (whose
 *       interpreters overlap the tasks that await), at most {@code maxGilContention} interpreters busy;</li>
 *   <li>{@link Lane#PROCESS}: calls for the CPython worker pool, queued in that pool, one per worker at
 *       once; only when the runtime has workers ({@code --cpython-workers N}), else submitting fails
 *       with {@link LaneUnavailableException}.</li>
 * </ul>
 *
 * A full queue refuses at submission ({@link io.covet.tasks.OverloadedException}); every accepted
 * task settles exactly once, with its value, its error, a
 * {@link io.covet.tasks.DeadlineExceededException}, a cancellation, or a closed-lane error if
 * shutdown stopped it. A task's deadline is its caller's: work submitted from inside a task passes
 * the remaining time on. A Python task's run limit is its own timeout or the runtime's
 * {@code task_timeout}, whichever is set, within its deadline.
 */
// Its API names pool types (PythonTask, SandboxPolicy ...): a module that uses them requires the
// pool's module itself. Not 'requires transitive', so the web layer cannot reach past the runtime.
@SuppressWarnings("exports")
public final class Scheduler implements AutoCloseable {

    private final RuntimeThreads threads;
    private final Supplier<ComputeEngine> compute;
    private final Supplier<PerformanceConfig> settings;
    private final InterpreterPool pool;
    private final WorkerPool workers;
    private final Map<Lane, LaneExecutor> javaLanes = new EnumMap<>(Lane.class);

    /** {@code compute} and {@code settings} are read per task: the runtime may be reconfigured. */
    Scheduler(RuntimeThreads threads, Supplier<ComputeEngine> compute, InterpreterPool pool, WorkerPool workers,
              Supplier<PerformanceConfig> settings) {
        this.threads = threads;
        this.compute = compute;
        this.settings = settings;
        this.pool = pool;
        this.workers = workers;
        PerformanceConfig config = settings.get();
        javaLanes.put(Lane.IO, new LaneExecutor(Lane.IO, config.ioThreads(), config.queueLimit()));
        javaLanes.put(Lane.CPU, new LaneExecutor(Lane.CPU, config.cpuThreads(), config.queueLimit()));
    }

    /** Runs blocking Java work on a virtual thread of the IO lane. */
    public CompletableFuture<Object> submitIo(Callable<?> work, Deadline deadline, String description) {
        return io(work, deadline, description).future();
    }

    /** Runs short, non-blocking Java work on the compute engine's pool. */
    public CompletableFuture<Object> submitCpu(Callable<?> work, Deadline deadline, String description) {
        return cpu(work, deadline, description).future();
    }

    /** Queues a task in the interpreter pool (lane PYTHON) under {@code deadline}. */
    public CompletableFuture<Object> submitPython(PythonTask task, Deadline deadline) {
        return python(task, deadline).future();
    }

    /**
     * Queues a call in the CPython worker pool (lane PROCESS); past its deadline or its run limit,
     * the worker running it is killed and replaced.
     */
    public CompletableFuture<Object> submitProcess(WorkerCall call, Deadline deadline) {
        return process(call, deadline).future();
    }

    // ---- the same, as tasks (for the runtime's own callers: the bridge, the web app) -----------

    Task<?> io(Callable<?> work, Deadline deadline, String description) {
        return javaLanes.get(Lane.IO).submit(d -> startOn(work, true), deadline, description);
    }

    Task<?> cpu(Callable<?> work, Deadline deadline, String description) {
        return javaLanes.get(Lane.CPU).submit(d -> startOn(work, false), deadline, description);
    }

    Task<PythonTask> python(PythonTask task, Deadline deadline) {
        if (pool == null) {
            throw new LaneUnavailableException(Lane.PYTHON, "is not configured in this runtime");
        }
        return pool.enqueue(task.timeout().isPresent() ? task : task.withTimeout(settings.get().taskTimeout()), deadline);
    }

    Task<WorkerCall> process(WorkerCall call, Deadline deadline) {
        if (workers == null) {
            throw new LaneUnavailableException(Lane.PROCESS, "is not configured: this runtime has no CPython workers."
                    + " Start it with --cpython-workers N (they run outside the sandbox, with the permissions of the"
                    + " covet process)");
        }
        return workers.enqueue(call.timeout().isPresent() ? call : call.withTimeout(settings.get().taskTimeout()), deadline);
    }

    /**
     * Takes back a task that has not started running (still in its lane's queue), so the caller
     * can run it itself; true if it was withdrawn.
     */
    boolean withdraw(Lane lane, Task<?> task) {
        return switch (lane) {
            case IO, CPU -> javaLanes.get(lane).withdraw(task);
            case PYTHON -> pool != null && pool.withdraw(task);
            case PROCESS -> workers != null && workers.withdraw(task);
        };
    }

    /**
     * Changes a lane's concurrency limit (for PYTHON: how many interpreters run tasks at once);
     * waiting tasks start at once if it grew.
     */
    public void setConcurrency(Lane lane, int limit) {
        switch (lane) {
            case IO, CPU -> javaLanes.get(lane).setConcurrency(limit);
            case PYTHON -> pool.setMaxBusy(limit);
            case PROCESS -> throw new IllegalArgumentException("lane PROCESS runs one task per CPython worker;"
                    + " its workers are set at start (--cpython-workers N)");
        }
    }

    /** Changes how many tasks every lane lets wait; tasks already waiting stay. */
    public void setQueueLimit(int limit) {
        javaLanes.values().forEach(l -> l.setQueueLimit(limit));
        if (pool != null) {
            pool.setQueueLimit(limit);
        }
    }

    public LaneMetrics metrics(Lane lane) {
        return switch (lane) {
            case IO, CPU -> new LaneMetrics(lane, javaLanes.get(lane).metrics());
            case PYTHON -> new LaneMetrics(lane, pool.metrics().tasks());
            case PROCESS -> {
                if (workers == null) {
                    throw new LaneUnavailableException(Lane.PROCESS, "is not configured in this runtime");
                }
                yield new LaneMetrics(lane, workers.metrics().tasks());
            }
        };
    }

    /** Metrics of every configured lane. */
    public Map<Lane, LaneMetrics> metrics() {
        Map<Lane, LaneMetrics> out = new EnumMap<>(Lane.class);
        for (Lane lane : Lane.values()) {
            if (configured(lane)) {
                out.put(lane, metrics(lane));
            }
        }
        return out;
    }

    public boolean configured(Lane lane) {
        return switch (lane) {
            case IO, CPU -> true;
            case PYTHON -> pool != null;
            case PROCESS -> workers != null;
        };
    }

    private CompletableFuture<Object> startOn(Callable<?> work, boolean io) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        Runnable body = () -> {
            try {
                done.complete(work.call());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        };
        if (io) {
            Future<?> running = threads.io.submit(body);
            done.whenComplete((v, e) -> {
                if (done.isCancelled()) {
                    running.cancel(true);
                }
            });
        } else {
            compute.get().executor().execute(body);
        }
        return done;
    }

    /** Shuts the Java lanes down within {@code grace} (the pools are the runtime's to shut down). */
    void shutdown(java.time.Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (LaneExecutor executor : javaLanes.values()) {
            executor.shutdown(Math.max(0, deadline - System.nanoTime()));
        }
    }

    @Override
    public void close() {
        shutdown(java.time.Duration.ZERO);
    }
}
