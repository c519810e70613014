package io.covet.runtime;

import io.covet.interpreters.PoolMetrics.Latency;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * One lane: a bounded FIFO queue in front of a concurrency limit. A task's body starts when a
 * slot is free and returns a future; the slot is freed when that future completes. The task's
 * own future (what callers hold) is completed exactly once: by the body's outcome, by its deadline
 * (waiting or running), by its caller's cancellation, by {@link #withdraw}, or by shutdown. Nothing
 * accepted is dropped, nothing polls: waiting tasks are started by the completion that frees a slot.
 */
final class LaneExecutor {

    /** Starts a task's work; the returned future completes when the work does. */
    @FunctionalInterface
    interface Body {
        CompletableFuture<Object> start(Deadline deadline) throws Exception;
    }

    private enum State { QUEUED, RUNNING, DONE }

    final class Task {
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final Body body;
        final Deadline deadline;
        final String description;
        final long submittedNanos = System.nanoTime();
        final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
        volatile long startedNanos;
        volatile CompletableFuture<Object> inner;
        volatile ScheduledFuture<?> timer;
        /**
         * Opens once start() has set {@link #inner} (or found the task stopped). Bodies only hand
         * the work on (the interpreter pool queues it; the worker pool may also write it to an idle
         * worker's pipe), so a withdraw waits briefly.
         */
        final CountDownLatch started = new CountDownLatch(1);

        Task(Body body, Deadline deadline, String description) {
            this.body = body;
            this.deadline = deadline;
            this.description = description;
        }

        boolean finish(State from) {
            if (!state.compareAndSet(from, State.DONE)) {
                return false;
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            return true;
        }
    }

    /** dispatch() is not re-entered on one thread (a body that fails at once completes inline): {active, again}. */
    private static final ThreadLocal<boolean[]> DISPATCHING = ThreadLocal.withInitial(() -> new boolean[2]);

    final Lane lane;
    private volatile int queueLimit;
    private final ScheduledExecutorService timers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<Task> queue = new ArrayDeque<>();
    private final List<Task> runningTasks = new ArrayList<>();
    private volatile int concurrency;
    private boolean closed;

    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final ConcurrentHistogram waitMicros = new ConcurrentHistogram(3);
    private final ConcurrentHistogram runMicros = new ConcurrentHistogram(3);

    LaneExecutor(Lane lane, int concurrency, int queueLimit, ScheduledExecutorService timers) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("lane " + lane + ": concurrency must be at least 1, got " + concurrency);
        }
        if (queueLimit < 0) {
            throw new IllegalArgumentException("lane " + lane + ": queue limit must be >= 0, got " + queueLimit);
        }
        this.lane = lane;
        this.concurrency = concurrency;
        this.queueLimit = queueLimit;
        this.timers = timers;
    }

    /**
     * Accepts a task, or throws {@link OverloadedException} if the queue is full (nothing was
     * accepted then) or {@link LaneUnavailableException} once the lane is closed.
     */
    Task submit(Body body, Deadline deadline, String description) {
        Task task = new Task(body, deadline, description);
        lock.lock();
        try {
            if (closed) {
                throw new LaneUnavailableException(lane, "is shut down; " + description + " was not accepted");
            }
            int free = Math.max(0, concurrency - runningTasks.size());
            if (queue.size() >= queueLimit + free) {
                rejected.increment();
                throw new OverloadedException(lane, concurrency, queueLimit);
            }
            queue.addLast(task);
            if (!deadline.isNone()) {
                task.timer = timers.schedule(() -> waitDeadline(task),
                        Math.max(0, deadline.nanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
        task.future.whenComplete((v, e) -> {
            if (e instanceof CancellationException && task.state.get() != State.DONE) {
                callerCancelled(task);
            }
        });
        dispatch();
        return task;
    }

    /**
     * Starts waiting tasks while there are free slots. A body whose future is already complete
     * ends inline and calls back here; that nested call only asks the outer one for another pass,
     * so a long queue of tasks failing at once cannot overflow the stack.
     */
    private void dispatch() {
        boolean[] state = DISPATCHING.get();
        if (state[0]) {
            state[1] = true;
            return;
        }
        state[0] = true;
        try {
            do {
                state[1] = false;
                dispatchOnce();
            } while (state[1]);
        } finally {
            state[0] = false;
        }
    }

    private void dispatchOnce() {
        while (true) {
            Task next;
            lock.lock();
            try {
                if (runningTasks.size() >= concurrency || queue.isEmpty()) {
                    return;
                }
                next = queue.pollFirst();
                if (!next.state.compareAndSet(State.QUEUED, State.RUNNING)) {
                    continue;
                }
                runningTasks.add(next);
            } finally {
                lock.unlock();
            }
            start(next);
        }
    }

    private void start(Task task) {
        try {
            startWork(task);
        } finally {
            task.started.countDown();  // already open unless something above threw
        }
    }

    private void startWork(Task task) {
        if (task.state.get() == State.DONE) {
            // Cancelled or shut down between leaving the queue and starting: free its slot unstarted.
            task.started.countDown();
            ended(task, null, new CancellationException());
            return;
        }
        task.startedNanos = System.nanoTime();
        waitMicros.recordValue((task.startedNanos - task.submittedNanos) / 1000);
        ScheduledFuture<?> waitTimer = task.timer;
        if (waitTimer != null) {
            waitTimer.cancel(false);
        }
        CompletableFuture<Object> inner;
        try {
            inner = task.body.start(task.deadline);
        } catch (Exception | Error e) {
            inner = CompletableFuture.failedFuture(e);
        }
        task.inner = inner;
        // Open before anything can complete the task inline (a body that failed at once), so a
        // withdraw never waits on the callbacks of the task's future.
        task.started.countDown();
        if (task.state.get() == State.DONE) {
            inner.cancel(true);  // stopped while its work was starting: stop the work too
        }
        if (!task.deadline.isNone() && task.state.get() == State.RUNNING) {
            task.timer = timers.schedule(() -> runDeadline(task),
                    Math.max(0, task.deadline.nanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        inner.whenComplete((value, error) -> ended(task, value, error));
    }

    private void ended(Task task, Object value, Throwable error) {
        freeSlot(task);
        if (task.finish(State.RUNNING)) {
            runMicros.recordValue((System.nanoTime() - task.startedNanos) / 1000);
            if (error == null) {
                completed.increment();
                task.future.complete(value);
            } else {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause instanceof CancellationException) {
                    cancelled.increment();
                } else {
                    failed.increment();
                }
                task.future.completeExceptionally(cause);
            }
        }
        dispatch();
    }

    private void waitDeadline(Task task) {
        lock.lock();
        try {
            if (!queue.remove(task)) {
                return;
            }
        } finally {
            lock.unlock();
        }
        if (task.finish(State.QUEUED)) {
            failed.increment();
            timedOut.increment();
            task.future.completeExceptionally(new DeadlineExceededException(lane, DeadlineExceededException.Phase.WAITING, task.description));
        }
    }

    private void runDeadline(Task task) {
        if (task.finish(State.RUNNING)) {
            failed.increment();
            timedOut.increment();
            runMicros.recordValue((System.nanoTime() - task.startedNanos) / 1000);
            task.future.completeExceptionally(new DeadlineExceededException(lane, DeadlineExceededException.Phase.RUNNING, task.description));
            stop(task);
        }
    }

    private void callerCancelled(Task task) {
        lock.lock();
        try {
            queue.remove(task);
        } finally {
            lock.unlock();
        }
        if (task.finish(State.QUEUED)) {
            cancelled.increment();
        } else if (task.finish(State.RUNNING)) {
            cancelled.increment();
            stop(task);
        }
    }

    /** Stops a running task's work; its slot frees when the work's future completes. */
    private static void stop(Task task) {
        CompletableFuture<Object> inner = task.inner;
        if (inner != null) {
            inner.cancel(true);
        }
    }

    /**
     * Takes back a task that has not started its work, so the caller can run it itself; true if
     * it was withdrawn (its future is then cancelled). {@code innerWithdraw} is asked to take back
     * a task whose work was started but is itself still waiting (in the interpreter pool's queue).
     */
    boolean withdraw(CompletableFuture<?> future, Predicate<CompletableFuture<Object>> innerWithdraw) {
        Task found = null;
        boolean queued = false;
        lock.lock();
        try {
            for (Task t : queue) {
                if (t.future == future) {
                    found = t;
                    break;
                }
            }
            if (found != null) {
                queue.remove(found);
                if (!found.finish(State.QUEUED)) {
                    return false;
                }
                queued = true;
                signalIfIdle();
            } else {
                for (Task t : runningTasks) {
                    if (t.future == future) {
                        found = t;
                        break;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (found == null) {
            return false;
        }
        if (!queued && !withdrawStarted(found, innerWithdraw)) {
            return false;
        }
        cancelled.increment();
        found.future.cancel(false);
        dispatch();
        return true;
    }

    /**
     * Takes back a task whose work was handed on but may still wait in the inner queue. A task
     * caught while its work is being handed on is waited for: answering "already running" then
     * would leave a caller that waits for its own sub-tasks blocked on work that nobody runs
     * (every interpreter may be such a caller).
     */
    private boolean withdrawStarted(Task task, Predicate<CompletableFuture<Object>> innerWithdraw) {
        // Not interruptible: answering "running" early is the very hang this wait prevents.
        boolean interrupted = false;
        while (true) {
            try {
                task.started.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        CompletableFuture<Object> inner = task.inner;
        // Withdrawn from the inner queue, the inner future never completes: free the slot here.
        // If the run deadline fired first, it stops the work and the slot frees as usual.
        if (inner == null || !innerWithdraw.test(inner) || !task.finish(State.RUNNING)) {
            return false;
        }
        freeSlot(task);
        return true;
    }

    private void freeSlot(Task task) {
        lock.lock();
        try {
            runningTasks.remove(task);
            signalIfIdle();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock, after a task left the queue or its slot: wakes shutdown() once nothing is left. */
    private void signalIfIdle() {
        if (runningTasks.isEmpty() && queue.isEmpty()) {
            idle.signalAll();
        }
    }

    void setConcurrency(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("lane " + lane + ": concurrency must be at least 1, got " + limit);
        }
        concurrency = limit;
        dispatch();
    }

    int concurrency() {
        return concurrency;
    }

    void setQueueLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("lane " + lane + ": queue limit must be >= 0, got " + limit);
        }
        queueLimit = limit;
    }

    /**
     * Stops accepting tasks and waits up to {@code graceNanos} for queued and running ones; then
     * fails those still waiting and stops those still running, telling each caller.
     */
    void shutdown(long graceNanos) {
        long deadline = System.nanoTime() + graceNanos;
        List<Task> waiting;
        List<Task> running;
        lock.lock();
        try {
            closed = true;
            while (!(queue.isEmpty() && runningTasks.isEmpty())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                idle.awaitNanos(left);
            }
            waiting = new ArrayList<>(queue);
            queue.clear();
            running = new ArrayList<>(runningTasks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waiting = new ArrayList<>(queue);
            queue.clear();
            running = new ArrayList<>(runningTasks);
        } finally {
            lock.unlock();
        }
        for (Task t : waiting) {
            if (t.finish(State.QUEUED)) {
                cancelled.increment();
                t.future.completeExceptionally(new LaneUnavailableException(lane,
                        "shut down while " + t.description + " was still waiting; it did not run"));
            }
        }
        for (Task t : running) {
            if (t.finish(State.RUNNING)) {
                cancelled.increment();
                t.future.completeExceptionally(new LaneUnavailableException(lane,
                        "shut down while " + t.description + " was still running; it was stopped"));
                stop(t);
            }
        }
    }

    LaneMetrics metrics() {
        int queued;
        int running;
        lock.lock();
        try {
            queued = queue.size();
            running = runningTasks.size();
        } finally {
            lock.unlock();
        }
        return new LaneMetrics(lane, concurrency, queueLimit, queued, running, completed.sum(), failed.sum(),
                timedOut.sum(), cancelled.sum(), rejected.sum(), Latency.of(waitMicros.copy()), Latency.of(runMicros.copy()));
    }
}
