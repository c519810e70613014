package io.covet.runtime;

import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of a runtime: every lane's queue, the interpreters and the CPython workers (what
 * {@code /metrics} and {@code perf.metrics()} show).
 */
public record RuntimeMetrics(Map<Lane, LaneMetrics> lanes, Interpreters interpreters, Optional<Workers> workers) {

    /**
     * @param size     interpreters the pool keeps
     * @param ready    serving now
     * @param starting being started
     * @param busy     with a task in flight
     * @param inFlight tasks in flight over all interpreters (those awaiting on event loops included)
     * @param recycled interpreters replaced since start (limits, timeouts, failures)
     */
    public record Interpreters(int size, int ready, int starting, int busy, int inFlight, long recycled) {
    }

    /**
     * @param size     worker processes alive or starting
     * @param ready    started and serving (idle or busy)
     * @param busy     running a task
     * @param started  started since the runtime began, replacements included
     * @param crashed  tasks whose worker died under them
     * @param timedOut tasks past their deadline (their workers were killed)
     * @param recycled workers replaced after their task limit
     */
    public record Workers(int size, int ready, int busy, long started, long crashed, long timedOut, long recycled) {
    }
}
