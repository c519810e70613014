package io.covet.runtime;

import io.covet.interpreters.PoolMetrics.Latency;

/**
 * One lane's counters since the runtime started.
 *
 * @param concurrency tasks that may run at once
 * @param queueLimit  tasks that may wait; more are rejected
 * @param queued      waiting now
 * @param running     running now
 * @param completed   finished with a value
 * @param failed      finished with an error (including deadlines)
 * @param timedOut    of the failed, those that reached their deadline
 * @param cancelled   cancelled by their caller, withdrawn to run elsewhere, or stopped at shutdown
 * @param rejected    refused at submission because the queue was full
 * @param waitTime    time from submission to start
 * @param runTime     time from start to end
 */
public record LaneMetrics(Lane lane, int concurrency, int queueLimit, int queued, int running, long completed,
                          long failed, long timedOut, long cancelled, long rejected, Latency waitTime, Latency runTime) {
}
