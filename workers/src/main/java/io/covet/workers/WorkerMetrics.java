package io.covet.workers;

/**
 * A snapshot of a {@link WorkerPool}.
 *
 * @param size      worker processes alive or starting
 * @param ready     workers that have started and serve tasks (idle or busy)
 * @param busy      workers running a task
 * @param queued    tasks waiting for a worker
 * @param started   workers started since the pool began (replacements included)
 * @param completed tasks that returned a value
 * @param failed    tasks that raised an exception
 * @param crashed   tasks whose worker died under them
 * @param timedOut  tasks that ran past their timeout (their workers were killed)
 * @param cancelled tasks cancelled or withdrawn by their callers
 * @param recycled  workers replaced after their task limit
 */
public record WorkerMetrics(int size, int ready, int busy, int queued, long started, long completed, long failed,
                            long crashed, long timedOut, long cancelled, long recycled) {
}
