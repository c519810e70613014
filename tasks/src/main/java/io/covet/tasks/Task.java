package io.covet.tasks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One task a {@link TaskQueue} accepted: its work, its deadline, and the state machine that
 * settles it exactly once. The state only moves forward, QUEUED -> RUNNING -> DONE, by
 * compare-and-set (a task whose work never reached its executor may go back from RUNNING to
 * QUEUED, see {@link TaskQueue#requeue}), so of the executor's answer, the deadline, the caller's
 * cancellation and shutdown exactly one settles it, however their threads race.
 *
 * <p>Whoever ends a running task other than its executor (deadline, cancellation, shutdown) then
 * calls the task's stop action once ({@link #onStop}), which stops its work for real.
 *
 * <p>Results reach callers two ways: {@link #join()} blocks until the task is settled and is woken
 * by the thread that settles it; {@link #future()} is completed on a callback thread (see
 * {@link TaskThreads}), so nothing a caller chains on it runs on an executor's own threads.
 *
 * @param <W> what the executor runs (a Python call, a worker call, a Java body)
 */
public final class Task<W> {

    enum State { QUEUED, RUNNING, DONE }

    final TaskQueue<W> queue;
    private final W work;
    private final String description;
    private final Deadline deadline;
    /** Longest the task may run once started, or null for no limit beyond its deadline. */
    private final Duration runLimit;
    final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
    final long submittedNanos = System.nanoTime();
    volatile long startedNanos;
    /** Set as the task starts: the earlier of its deadline and its run limit. */
    private volatile Deadline runDeadline;
    /** Fires the deadline that applies now (waiting: the caller's; running: the run deadline). */
    volatile ScheduledFuture<?> timer;
    private volatile Consumer<Task<W>> stopAction;
    /** Something other than the executor ended the running task: its work must be stopped. */
    private volatile boolean stopWanted;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Settled inline by whoever ends the task; only {@link #join} waits on it. */
    private final CompletableFuture<Object> settled = new CompletableFuture<>();
    // Guarded by this.
    private CompletableFuture<Object> future;
    private List<Runnable> listeners;

    Task(TaskQueue<W> queue, W work, Deadline deadline, Duration runLimit, String description) {
        this.queue = queue;
        this.work = work;
        this.deadline = deadline;
        this.runLimit = runLimit;
        this.description = description;
    }

    public W work() {
        return work;
    }

    /** A short name for messages and logs, e.g. {@code app.handler()}. */
    public String description() {
        return description;
    }

    /** The caller's deadline: waiting and running together. */
    public Deadline deadline() {
        return deadline;
    }

    /** The deadline of the running task (its own and its run limit, whichever is earlier); its caller's before it starts. */
    public Deadline runDeadline() {
        Deadline d = runDeadline;
        return d != null ? d : deadline;
    }

    /** Time left before {@link #runDeadline()}; empty for no deadline. */
    public Optional<Duration> remaining() {
        return runDeadline().remaining();
    }

    /** How long it may run: from its start to its run deadline (for messages). */
    Duration runAllowance() {
        Deadline d = runDeadline;
        return d == null || d.isNone() ? Duration.ZERO : Duration.ofNanos(Math.max(0, d.nanoTime() - startedNanos));
    }

    void started(long now) {
        startedNanos = now;
        Deadline limit = runLimit == null ? Deadline.none() : Deadline.at(now, runLimit);
        runDeadline = deadline.min(limit);
    }

    /** Under the queue's {@link TaskQueue#extend}: the run deadline moves to {@code later}. */
    void runDeadline(Deadline later) {
        runDeadline = later;
    }

    /**
     * Moves the running task's deadline later, to {@code later} (never earlier): for work that
     * shows it is making progress (a streamed response sending its next part), so that what bounds
     * it is the time without progress rather than the time since it started. False, and nothing
     * changes, if the task is not running, has no deadline, or its deadline is already that late.
     */
    public boolean extendDeadline(Deadline later) {
        return queue.extend(this, later);
    }

    /** The executor's answer: true if it settled the task (false: a deadline, cancellation or shutdown came first). */
    public boolean complete(Object value) {
        return queue.finished(this, value, null);
    }

    /** The executor's failure: true if it settled the task. */
    public boolean fail(Throwable error) {
        return queue.finished(this, null, error);
    }

    /**
     * Cancels the task: one waiting is taken out of the queue; one running is settled as
     * cancelled and its work stopped ({@link #onStop}). False if it was already settled.
     */
    public boolean cancel() {
        return queue.cancel(this);
    }

    /**
     * How to stop this task's work when something other than its executor ends it (deadline,
     * cancellation, shutdown); set by the executor as it starts the task. Runs at most once, on
     * the thread that ended the task, and must not block. Set after the task already ended, it
     * runs at once.
     */
    public void onStop(Consumer<Task<W>> action) {
        stopAction = action;
        if (stopWanted) {
            runStopAction();
        }
    }

    /** Called by whoever ended the running task other than its executor. */
    void stop() {
        stopWanted = true;
        runStopAction();
    }

    /** Back in the queue, its work never started: the executor that takes it next sets its own stop action. */
    void forgetStopAction() {
        stopAction = null;
        stopWanted = false;
        stopped.set(false);
    }

    private void runStopAction() {
        Consumer<Task<W>> action = stopAction;
        if (action != null && stopped.compareAndSet(false, true)) {
            action.accept(this);
        }
    }

    /** True once settled: its outcome is there for {@link #join} (the state turns DONE just before). */
    public boolean isDone() {
        return settled.isDone();
    }

    /** True while an executor runs it. */
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /**
     * Waits until the task is settled and returns its value.
     *
     * @throws ExecutionException    with the task's error as the cause
     * @throws CancellationException if it was cancelled or withdrawn
     */
    public Object join() throws InterruptedException, ExecutionException {
        return settled.get();
    }

    /** {@link #join()}, waiting at most {@code timeout}. */
    public Object join(Duration timeout) throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        return settled.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * The task's outcome as a future, completed on a callback thread. Cancelling it cancels the
     * task ({@link #cancel}).
     */
    public CompletableFuture<Object> future() {
        CompletableFuture<Object> f;
        synchronized (this) {
            if (future != null) {
                return future;
            }
            f = future = new CompletableFuture<>();
        }
        if (settled.isDone()) {
            copyOutcome(f);  // nothing is chained on it yet: completing it here runs no caller code
        }
        f.whenComplete((v, e) -> {
            if (f.isCancelled()) {
                cancel();
            }
        });
        return f;
    }

    /**
     * Runs {@code listener} once the task is settled (at once if it is): on the settling thread,
     * which may be an executor's own, so it must be short and must not block. For Covet's own
     * bookkeeping (waking a waiting interpreter); callers use {@link #future()}.
     */
    public void whenSettled(Runnable listener) {
        synchronized (this) {
            if (!settled.isDone()) {
                if (listeners == null) {
                    listeners = new ArrayList<>(2);
                }
                listeners.add(listener);
                return;
            }
        }
        listener.run();
    }

    /** Called once, by the winner of the state change to DONE. */
    void settle(Object value, Throwable error) {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        if (error == null) {
            settled.complete(value);
        } else if (error instanceof CancellationException) {
            settled.cancel(false);
        } else {
            settled.completeExceptionally(error);
        }
        CompletableFuture<Object> f;
        List<Runnable> toRun;
        synchronized (this) {
            f = future;
            toRun = listeners;
            listeners = null;
        }
        if (toRun != null) {
            toRun.forEach(Runnable::run);
        }
        if (f != null) {
            publish(f);
        }
    }

    private void publish(CompletableFuture<Object> f) {
        TaskThreads.CALLBACKS.execute(() -> copyOutcome(f));
    }

    private void copyOutcome(CompletableFuture<Object> f) {
        try {
            f.complete(settled.getNow(null));
        } catch (CancellationException e) {
            f.cancel(false);
        } catch (java.util.concurrent.CompletionException e) {
            f.completeExceptionally(e.getCause());
        }
    }

    @Override
    public String toString() {
        return description + " (" + state.get() + ")";
    }
}
