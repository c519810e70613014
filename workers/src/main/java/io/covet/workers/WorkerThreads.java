package io.covet.workers;

import io.covet.tasks.TaskThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Every thread the worker pool makes, in one place (names and the uncaught-exception handler from
 * {@link TaskThreads}):
 * <ul>
 *   <li>{@code covet-worker-N-out} and {@code covet-worker-N-err}: per worker, read its frames and
 *       its stderr (platform threads: they block on pipes);</li>
 *   <li>{@code covet-worker-timer}: start timeouts and start retries (task deadlines fire on
 *       {@link TaskThreads}' shared deadline thread);</li>
 *   <li>{@code covet-worker-spawn-N}: virtual threads that start and kill processes (spawning and
 *       the /proc scan that finds a worker's leftovers block briefly).</li>
 * </ul>
 * Futures are completed on {@link TaskThreads}' callback threads, never on these.
 */
final class WorkerThreads {

    static final ThreadFactory TIMER = TaskThreads.platform("covet-worker-timer", true);

    /** Spawning and killing workers; shared by all pools, never closed (virtual threads keep nothing alive). */
    static final ExecutorService STOPPER = Executors.newThreadPerTaskExecutor(TaskThreads.virtual("covet-worker-spawn-"));

    private WorkerThreads() {
    }

    /** The thread that reads worker {@code id}'s {@code stream} ("out" or "err"). */
    static ThreadFactory reader(int id, String stream) {
        return TaskThreads.platform("covet-worker-" + id + "-" + stream, true);
    }
}
