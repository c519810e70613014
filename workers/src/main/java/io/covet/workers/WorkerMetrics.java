package io.covet.workers;

import io.covet.tasks.QueueMetrics;

/**
 * A snapshot of a {@link WorkerPool}.
 *
 * @param size     worker processes alive or starting
 * @param ready    workers that have started and serve tasks (idle or busy)
 * @param busy     workers running a task
 * @param started  workers started since the pool began (replacements included)
 * @param crashed  tasks whose worker died under them
 * @param recycled workers replaced after their task limit
 * @param tasks    the pool's queue: waiting, running, outcomes (timeouts: their workers were killed)
 */
public record WorkerMetrics(int size, int ready, int busy, long started, long crashed, long recycled, QueueMetrics tasks) {
}
