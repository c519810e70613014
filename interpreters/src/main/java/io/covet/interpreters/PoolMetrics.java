package io.covet.interpreters;

import io.covet.tasks.QueueMetrics;
import java.time.Duration;

/**
 * A snapshot of an {@link InterpreterPool}.
 *
 * @param size     interpreters the pool keeps (its configured size)
 * @param ready    interpreters serving now, every setup (the app) run (fewer than size while one
 *                 is being replaced or still loading)
 * @param starting interpreters being started (first start, or replacing one), or loading a setup
 *                 added after they started
 * @param busy     interpreters with a task in flight now
 * @param inFlight tasks in flight now, over all interpreters (those awaiting on event loops included)
 * @param recycled interpreters replaced (task or age limit, timeout, failure)
 * @param startup  time from {@link InterpreterPool#start} until it returned (the interpreters it waited for were ready)
 * @param tasks    the pool's queue: waiting, running, outcomes, wait and run times
 */
public record PoolMetrics(int size, int ready, int starting, int busy, int inFlight, long recycled, Duration startup,
                          QueueMetrics tasks) {
}
