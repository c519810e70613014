package io.covet.runtime;

import io.covet.compute.ComputeEngine;
import io.covet.interpreters.InterpreterPool;
import io.covet.interpreters.PythonTask;
import io.covet.workers.WorkerCall;
import io.covet.workers.WorkerPool;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The GIL-aware scheduler of ADR-007 section 4: one lane per kind of work, each a bounded FIFO
 * queue in front of a concurrency limit ({@link LaneExecutor}).
 *
 * <ul>
 *   <li>{@link Lane#IO}: blocking Java work on virtual threads, at most {@code ioThreads} at once;</li>
 *   <li>{@link Lane#CPU}: short Java work on the compute engine's ForkJoinPool, at most {@code cpuThreads};</li>
 *   <li>{@link Lane#PYTHON}: tasks for the interpreter pool, at most {@code maxGilContention} handed to it at
 *       once (the rest wait here, in order);</li>
 *   <li>{@link Lane#PROCESS}: calls for the CPython worker pool, at most one per worker at once; only
 *       when the runtime has workers ({@code --cpython-workers N}), else submitting fails with
 *       {@link LaneUnavailableException}.</li>
 * </ul>
 *
 * A full queue rejects at submission ({@link OverloadedException}); every accepted task's future
 * completes exactly once, with its value, its error, a {@link DeadlineExceededException}, a
 * cancellation, or a {@link LaneUnavailableException} if shutdown stopped it. A task's deadline is
 * its caller's: work submitted from inside a task passes the remaining time on.
 */
public final class Scheduler implements AutoCloseable {

    private final RuntimeThreads threads;
    private final Supplier<ComputeEngine> compute;
    private final Supplier<PerformanceConfig> settings;
    private final InterpreterPool pool;
    private final WorkerPool workers;
    private final Map<Lane, LaneExecutor> lanes = new EnumMap<>(Lane.class);

    /** {@code compute} and {@code settings} are read per task: the runtime may be reconfigured. */
    Scheduler(RuntimeThreads threads, Supplier<ComputeEngine> compute, InterpreterPool pool, WorkerPool workers,
              Supplier<PerformanceConfig> settings) {
        this.threads = threads;
        this.compute = compute;
        this.settings = settings;
        this.pool = pool;
        this.workers = workers;
        PerformanceConfig config = settings.get();
        lanes.put(Lane.IO, new LaneExecutor(Lane.IO, config.ioThreads(), config.queueLimit(), threads.timer));
        lanes.put(Lane.CPU, new LaneExecutor(Lane.CPU, config.cpuThreads(), config.queueLimit(), threads.timer));
        if (pool != null) {
            lanes.put(Lane.PYTHON, new LaneExecutor(Lane.PYTHON, config.maxGilContention(), config.queueLimit(), threads.timer));
        }
        if (workers != null) {
            // As many running as there are workers: the rest wait here, in order, under their deadlines.
            lanes.put(Lane.PROCESS, new LaneExecutor(Lane.PROCESS, workers.config().workers(), config.queueLimit(), threads.timer));
        }
    }

    /** Runs blocking Java work on a virtual thread of the IO lane. */
    public CompletableFuture<Object> submitIo(Callable<?> work, Deadline deadline, String description) {
        return lane(Lane.IO).submit(d -> startOn(work, true), deadline, description).future;
    }

    /** Runs short, non-blocking Java work on the compute engine's pool. */
    public CompletableFuture<Object> submitCpu(Callable<?> work, Deadline deadline, String description) {
        return lane(Lane.CPU).submit(d -> startOn(work, false), deadline, description).future;
    }

    /**
     * Hands a task to the interpreter pool through the PYTHON lane; the task's run limit becomes
     * the time left before {@code deadline} when it starts (or its own limit, if shorter).
     */
    public CompletableFuture<Object> submitPython(PythonTask task, Deadline deadline) {
        return lane(Lane.PYTHON).submit(d -> pool.submit(limited(task, d, Lane.PYTHON)), deadline, describe(task)).future;
    }

    /**
     * Python code that mostly waits ({@code @perf.io_intensive}): it runs in a pooled interpreter
     * but counts against the IO lane's limit, not the PYTHON lane's.
     */
    public CompletableFuture<Object> submitBlockingPython(PythonTask task, Deadline deadline) {
        if (pool == null) {
            throw new LaneUnavailableException(Lane.PYTHON, "is not configured in this runtime");
        }
        return lane(Lane.IO).submit(d -> pool.submit(limited(task, d, Lane.IO)), deadline, describe(task)).future;
    }

    /** The task with a run limit: its own, the runtime's task timeout, or the time left to its deadline, whichever is least. */
    private PythonTask limited(PythonTask task, Deadline deadline, Lane lane) {
        Duration limit = task.timeout().orElse(settings.get().taskTimeout());
        Optional<Duration> left = deadline.remaining();
        if (left.isPresent()) {
            if (left.get().isZero()) {
                throw new DeadlineExceededException(lane, DeadlineExceededException.Phase.WAITING, describe(task));
            }
            if (left.get().compareTo(limit) < 0) {
                limit = left.get();
            }
        }
        return task.withTimeout(limit);
    }

    /**
     * Hands a call to the CPython worker pool through the PROCESS lane; its timeout becomes the
     * time left before {@code deadline} when it starts (or its own, or the task timeout, if shorter).
     * Past it, the worker running it is killed and replaced.
     */
    public CompletableFuture<Object> submitProcess(WorkerCall call, Deadline deadline) {
        return lane(Lane.PROCESS).submit(d -> workers.submit(limited(call, d)), deadline, call.description()).future;
    }

    private WorkerCall limited(WorkerCall call, Deadline deadline) {
        Duration limit = call.timeout().orElse(settings.get().taskTimeout());
        Optional<Duration> left = deadline.remaining();
        if (left.isPresent()) {
            if (left.get().isZero()) {
                throw new DeadlineExceededException(Lane.PROCESS, DeadlineExceededException.Phase.WAITING, call.description());
            }
            if (left.get().compareTo(limit) < 0) {
                limit = left.get();
            }
        }
        return call.withTimeout(limit);
    }

    /**
     * Takes back a task that has not started running (still in its lane's queue, or in the
     * interpreter pool's), so the caller can run it itself; true if it was withdrawn.
     */
    public boolean withdraw(Lane lane, CompletableFuture<?> future) {
        LaneExecutor executor = lanes.get(lane);
        // PYTHON tasks, and IO tasks that run Python (submitBlockingPython), may wait in the pool's queue;
        // PROCESS tasks in the worker pool's.
        return executor != null && executor.withdraw(future, inner -> lane == Lane.PROCESS
                ? workers.withdraw(inner) : pool != null && pool.withdraw(inner));
    }

    /** Changes a lane's concurrency limit; waiting tasks start at once if it grew. */
    public void setConcurrency(Lane lane, int limit) {
        lane(lane).setConcurrency(limit);
    }

    /** Changes how many tasks every lane lets wait; tasks already waiting stay. */
    public void setQueueLimit(int limit) {
        lanes.values().forEach(l -> l.setQueueLimit(limit));
    }

    public LaneMetrics metrics(Lane lane) {
        return lane(lane).metrics();
    }

    /** Metrics of every configured lane. */
    public Map<Lane, LaneMetrics> metrics() {
        Map<Lane, LaneMetrics> out = new EnumMap<>(Lane.class);
        lanes.forEach((lane, executor) -> out.put(lane, executor.metrics()));
        return out;
    }

    public boolean configured(Lane lane) {
        return lanes.containsKey(lane);
    }

    private LaneExecutor lane(Lane lane) {
        LaneExecutor executor = lanes.get(lane);
        if (executor == null) {
            throw new LaneUnavailableException(lane, lane == Lane.PROCESS
                    ? "is not configured: this runtime has no CPython workers. Start it with --cpython-workers N"
                      + " (they run outside the sandbox, with the permissions of the covet process)"
                    : "is not configured in this runtime (enable_sub_interpreters is off)");
        }
        return executor;
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

    private static String describe(PythonTask task) {
        return task.module() != null ? task.module() + "." + task.function() + "()" : "eval(...)";
    }

    /** Shuts every lane down within {@code grace} (see {@link LaneExecutor#shutdown}). */
    void shutdown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (LaneExecutor executor : lanes.values()) {
            executor.shutdown(Math.max(0, deadline - System.nanoTime()));
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
