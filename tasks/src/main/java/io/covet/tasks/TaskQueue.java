package io.covet.tasks;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Admission for one executor: a bounded FIFO queue of {@link Task}s, each with one deadline
 * (waiting and running together) and one state machine that settles it exactly once, and one set
 * of metrics. Every executor on Covet's request path uses one (the IO and CPU lanes, the
 * interpreter pool, the CPython worker pool), so a task is queued once, whoever runs it.
 *
 * <h2>Design</h2>
 * <b>Who does what.</b> Callers {@link #submit}; the executor takes the next task with
 * {@link #poll} when it has room, runs its work and reports {@link Task#complete} or
 * {@link Task#fail}. The queue owns everything else: refusing at the door when full, the
 * deadline timer, cancellation, withdrawal, shutdown and the counters. When something other than
 * the executor ends a running task, the queue calls the stop action the executor gave the task
 * ({@link Task#onStop}), which stops the work for real (interrupts a thread, cancels an
 * interpreter's task or replaces the interpreter, kills a worker process).
 *
 * <p><b>Refusal.</b> A task is refused ({@link OverloadedException}) when {@code queueLimit}
 * tasks already wait beyond the executor's free slots (by default its capacity, {@link
 * #setCapacity}, less what runs; an executor that knows better gives its own count), so with a
 * limit of 0 a task is accepted only if it can start at once.
 *
 * <p><b>Deadlines.</b> One timer per task, on the shared {@code covet-deadlines} thread: armed at
 * the caller's deadline when the task is queued, moved to the run deadline (the earlier of the
 * deadline and the task's run limit) when it starts, cancelled when it settles. A task whose
 * deadline passes while it waits fails with {@link DeadlineExceededException} (WAITING) and never
 * runs; one that is running fails with RUNNING and its work is stopped.
 *
 * <p><b>Locking.</b> The queue's lock guards the waiting tasks; a task leaves QUEUED only under
 * it. RUNNING tasks are settled by compare-and-set, outside it. The queue calls no executor code
 * while it holds its lock, so executors may call {@link #poll} while holding their own.
 *
 * @param <W> what the executor runs
 */
public final class TaskQueue<W> {

    private final String label;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition quiet = lock.newCondition();
    private final ArrayDeque<Task<W>> waiting = new ArrayDeque<>();
    /** waiting.size(), for readers that do not take the lock; written under it. */
    private volatile int waitingCount;
    private final Set<Task<W>> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger runningCount = new AtomicInteger();
    private volatile int capacity;
    private volatile int queueLimit;
    /** How many more tasks the executor could start at once; read under the lock, must not lock. */
    private final IntSupplier freeSlots;
    private volatile boolean closed;

    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final ConcurrentHistogram waitMicros = new ConcurrentHistogram(3);
    private final ConcurrentHistogram runMicros = new ConcurrentHistogram(3);

    /**
     * @param label      what the queue feeds, for messages: "the interpreter pool", "lane IO"
     * @param capacity   how many tasks the executor runs at once (see {@link #setCapacity})
     * @param queueLimit how many may wait beyond that
     */
    public TaskQueue(String label, int capacity, int queueLimit) {
        this(label, capacity, queueLimit, null);
    }

    /**
     * @param freeSlots how many more tasks the executor could start right now (null: capacity less
     *                  what runs); called under the queue's lock, so it must not take a lock the
     *                  executor holds while it calls the queue
     */
    public TaskQueue(String label, int capacity, int queueLimit, IntSupplier freeSlots) {
        this.label = Objects.requireNonNull(label, "label");
        this.freeSlots = freeSlots != null ? freeSlots : () -> this.capacity - runningCount.get();
        setCapacity(capacity);
        setQueueLimit(queueLimit);
    }

    // ---- callers --------------------------------------------------------------------------------

    /**
     * Accepts a task. {@code runLimit} (null: none) bounds how long it may run once started; the
     * deadline bounds waiting and running together.
     *
     * @throws OverloadedException if the queue is full (nothing was accepted)
     * @throws ClosedException     once the queue is closed
     */
    public Task<W> submit(W work, Deadline deadline, Duration runLimit, String description) {
        Task<W> task = new Task<>(this, work, Objects.requireNonNull(deadline, "deadline"), runLimit, description);
        lock.lock();
        try {
            if (closed) {
                throw new ClosedException(label + " is shut down; " + description + " was not accepted");
            }
            int free = Math.max(0, freeSlots.getAsInt());
            if (waiting.size() >= queueLimit + free) {
                rejected.increment();
                throw new OverloadedException(label, runningCount.get(), queueLimit);
            }
            waiting.addLast(task);
            waitingCount = waiting.size();
            if (!deadline.isNone()) {
                task.timer = TaskThreads.DEADLINES.schedule(() -> expire(task),
                        Math.max(0, deadline.nanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
        return task;
    }

    /**
     * Takes back a task that has not started, so that the caller can run its work itself: true if
     * it was withdrawn (its future is cancelled; the executor will never see it).
     */
    public boolean withdraw(Task<?> task) {
        if (task.queue != this) {
            return false;
        }
        @SuppressWarnings("unchecked")
        Task<W> t = (Task<W>) task;
        if (!takeWaiting(t)) {
            return false;
        }
        cancelled.increment();
        t.settle(null, new CancellationException(t.description() + " was withdrawn to run elsewhere"));
        return true;
    }

    boolean cancel(Task<W> task) {
        // A task may go back to the queue (requeue) between the two tries: try until it is over.
        while (true) {
            if (takeWaiting(task)) {
                cancelled.increment();
                task.settle(null, new CancellationException(task.description() + " was cancelled"));
                return true;
            }
            if (endRunning(task)) {
                cancelled.increment();
                task.settle(null, new CancellationException(task.description() + " was cancelled"));
                task.stop();
                return true;
            }
            if (task.state.get() == Task.State.DONE) {
                return false;
            }
        }
    }

    // ---- the executor ---------------------------------------------------------------------------

    /**
     * The first waiting task, now RUNNING and the caller's to run; null when none waits. A task
     * whose deadline has passed is failed here instead of started.
     */
    public Task<W> poll() {
        while (true) {
            Task<W> task;
            long now;
            lock.lock();
            try {
                task = waiting.peekFirst();
                if (task == null) {
                    return null;
                }
                if (!task.deadline().passed()) {
                    waiting.pollFirst();
                    waitingCount = waiting.size();
                    now = System.nanoTime();
                    task.state.set(Task.State.RUNNING);
                    task.started(now);
                    running.add(task);
                    runningCount.incrementAndGet();
                    rearm(task);
                    waitMicros.recordValue((now - task.submittedNanos) / 1000);
                    return task;
                }
            } finally {
                lock.unlock();
            }
            expire(task);  // takes it out as the timer would, failing it WAITING
        }
    }

    /** Moves a started task's timer from its caller's deadline to its run deadline, if earlier. */
    private void rearm(Task<W> task) {
        Deadline run = task.runDeadline();
        if (run.isNone() || run.nanoTime() == task.deadline().nanoTime() && !task.deadline().isNone()) {
            return;
        }
        var old = task.timer;
        if (old != null) {
            old.cancel(false);
        }
        task.timer = TaskThreads.DEADLINES.schedule(() -> expire(task),
                Math.max(0, run.nanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** {@link Task#extendDeadline}: a new timer at {@code later}; the old one, should it fire, finds the deadline not passed. */
    boolean extend(Task<W> task, Deadline later) {
        synchronized (task) {
            Deadline run = task.runDeadline();
            if (task.state.get() != Task.State.RUNNING || run.isNone() || later.isNone() || later.nanoTime() - run.nanoTime() <= 0) {
                return false;
            }
            task.runDeadline(later);
            var old = task.timer;
            if (old != null) {
                old.cancel(false);
            }
            task.timer = TaskThreads.DEADLINES.schedule(() -> expire(task),
                    Math.max(0, later.nanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        if (task.state.get() == Task.State.DONE) {
            task.timer.cancel(false);   // settled meanwhile: its settling cancelled the timer before this one
        }
        return true;
    }

    /**
     * Puts a task the executor took but could not hand to its work (the worker it was meant for
     * died first) back at the head of the queue, as if never taken.
     */
    public void requeue(Task<W> task) {
        lock.lock();
        try {
            if (!task.state.compareAndSet(Task.State.RUNNING, Task.State.QUEUED)) {
                return;  // settled meanwhile (deadline, cancellation)
            }
            task.forgetStopAction();  // the next executor to take it gives its own
            release(task);
            waiting.addFirst(task);
            waitingCount = waiting.size();
            var old = task.timer;
            if (old != null) {
                old.cancel(false);
            }
            if (!task.deadline().isNone()) {
                task.timer = TaskThreads.DEADLINES.schedule(() -> expire(task),
                        Math.max(0, task.deadline().nanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The executor's answer for a running task: true if it settled it. */
    boolean finished(Task<W> task, Object value, Throwable error) {
        if (!endRunning(task)) {
            return false;
        }
        runMicros.recordValue((System.nanoTime() - task.startedNanos) / 1000);
        if (error == null) {
            completed.increment();
        } else if (error instanceof CancellationException) {
            cancelled.increment();
        } else {
            failed.increment();
        }
        task.settle(value, error);
        return true;
    }

    /**
     * Fails every waiting task with {@code why} (e.g. no worker can be started to run them);
     * returns how many.
     */
    public int failWaiting(Function<Task<W>, RuntimeException> why) {
        List<Task<W>> taken = drainWaiting();
        for (Task<W> t : taken) {
            failed.increment();
            t.settle(null, why.apply(t));
        }
        return taken.size();
    }

    /** How many tasks wait now (without the lock: callers that act on it re-check with {@link #poll}). */
    public int queued() {
        return waitingCount;
    }

    /**
     * Whether a task submitted now would be refused ({@link OverloadedException}) or the queue is
     * closed: a hint without the lock, for callers that can turn work away before they spend on it
     * (the web server, before it reads a request's body); {@link #submit} still decides.
     */
    public boolean wouldRefuse() {
        return closed || waitingCount >= queueLimit + Math.max(0, freeSlots.getAsInt());
    }

    /** How many tasks run now. */
    public int running() {
        return runningCount.get();
    }

    // ---- endings --------------------------------------------------------------------------------

    /** The deadline timer: fails a waiting task (it never runs) or a running one (its work is stopped). */
    private void expire(Task<W> task) {
        if (takeWaiting(task)) {
            failed.increment();
            timedOut.increment();
            Duration waited = Duration.ofNanos(System.nanoTime() - task.submittedNanos);
            task.settle(null, new DeadlineExceededException(DeadlineExceededException.Phase.WAITING,
                    task.description() + " waited " + seconds(waited) + " for its turn in " + label
                            + " and reached its deadline; it did not run"));
        } else if (task.state.get() == Task.State.RUNNING && task.runDeadline().passed() && endRunning(task)) {
            failed.increment();
            timedOut.increment();
            runMicros.recordValue((System.nanoTime() - task.startedNanos) / 1000);
            task.settle(null, new DeadlineExceededException(DeadlineExceededException.Phase.RUNNING,
                    task.description() + " ran past its time limit of " + seconds(task.runAllowance()) + " in " + label
                            + "; it was stopped"));
            task.stop();
        }
    }

    /** QUEUED -> DONE for a task still in the queue; false if it left it already. */
    private boolean takeWaiting(Task<W> task) {
        lock.lock();
        try {
            if (task.state.get() != Task.State.QUEUED || !waiting.remove(task)) {
                return false;
            }
            waitingCount = waiting.size();
            task.state.set(Task.State.DONE);
            if (closed && waiting.isEmpty() && runningCount.get() == 0) {
                quiet.signalAll();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** RUNNING -> DONE; false if someone else ended it first. */
    private boolean endRunning(Task<W> task) {
        if (!task.state.compareAndSet(Task.State.RUNNING, Task.State.DONE)) {
            return false;
        }
        release(task);
        if (closed) {
            lock.lock();
            try {
                quiet.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    private void release(Task<W> task) {
        running.remove(task);
        runningCount.decrementAndGet();
    }

    private List<Task<W>> drainWaiting() {
        List<Task<W>> taken = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Task<W>> it = waiting.iterator(); it.hasNext(); ) {
                Task<W> t = it.next();
                it.remove();
                if (t.state.compareAndSet(Task.State.QUEUED, Task.State.DONE)) {
                    taken.add(t);
                }
            }
            waitingCount = 0;
            if (closed) {
                quiet.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return taken;
    }

    // ---- shutdown -------------------------------------------------------------------------------

    /** Refuses new tasks from now on ({@link ClosedException}); those accepted stay. Idempotent. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Waits until no task waits or runs, or until the {@link System#nanoTime()} instant
     * {@code deadlineNanos}; true if the queue is quiet. Only meaningful once closed.
     */
    public boolean awaitQuiet(long deadlineNanos) {
        lock.lock();
        try {
            while (!waiting.isEmpty() || runningCount.get() > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded: a running task settled by compare-and-set signals without the lock held first.
                quiet.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Settles every task left: waiting ones fail with {@code waitingWhy} (they never run), running
     * ones with {@code runningWhy}, and their work is stopped. Closes the queue first.
     */
    public void abandon(Function<Task<W>, RuntimeException> waitingWhy, Function<Task<W>, RuntimeException> runningWhy) {
        close();
        for (Task<W> t : drainWaiting()) {
            cancelled.increment();
            t.settle(null, waitingWhy.apply(t));
        }
        for (Task<W> t : List.copyOf(running)) {
            if (endRunning(t)) {
                cancelled.increment();
                t.settle(null, runningWhy.apply(t));
                t.stop();
            }
        }
    }

    // ---- settings and metrics -------------------------------------------------------------------

    /** How many tasks the executor runs at once; free slots let that many more be accepted beyond the queue limit. */
    public void setCapacity(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException(label + ": capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    public void setQueueLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException(label + ": queue limit must be >= 0, got " + limit);
        }
        this.queueLimit = limit;
    }

    public String label() {
        return label;
    }

    public QueueMetrics metrics() {
        return new QueueMetrics(capacity, queueLimit, queued(), runningCount.get(), completed.sum(), failed.sum(),
                timedOut.sum(), cancelled.sum(), rejected.sum(),
                QueueMetrics.Latency.of(waitMicros.copy()), QueueMetrics.Latency.of(runMicros.copy()));
    }

    static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        if (s >= 1 && s == Math.rint(s)) {
            return (long) s + " s";
        }
        return s >= 1 ? String.format(java.util.Locale.ROOT, "%.1f s", s) : d.toMillis() + " ms";
    }
}
