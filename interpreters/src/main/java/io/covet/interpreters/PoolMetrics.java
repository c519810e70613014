package io.covet.interpreters;

import java.time.Duration;

/**
 * A snapshot of an {@link InterpreterPool}. Counters are totals since the pool started.
 *
 * @param size       interpreters the pool keeps (its configured size)
 * @param ready      interpreters ready or serving now (less than size while one is being replaced)
 * @param starting   interpreters being started (first start, or replacing one)
 * @param busy       interpreters running a task now
 * @param queued     tasks waiting for an interpreter
 * @param completed  tasks that returned a value
 * @param failed     tasks that raised (or whose value could not cross the boundary)
 * @param timedOut   tasks that timed out, waiting or running
 * @param cancelled  tasks cancelled by their caller or stopped by shutdown
 * @param rejected   submissions refused because the queue was full
 * @param recycled   interpreters replaced (task or age limit, timeout, failure)
 * @param startup    time from {@link InterpreterPool#start} until every interpreter was ready
 * @param waitTime   time tasks waited for an interpreter
 * @param runTime    time tasks ran in an interpreter (including value conversion)
 */
public record PoolMetrics(int size, int ready, int starting, int busy, int queued, long completed, long failed, long timedOut,
                          long cancelled, long rejected, long recycled, Duration startup,
                          Latency waitTime, Latency runTime) {

    /** A distribution of durations (microsecond resolution). */
    public record Latency(long count, Duration mean, Duration p50, Duration p90, Duration p99, Duration max) {

        /** The distribution of a histogram of microseconds. */
        public static Latency of(org.HdrHistogram.Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
            }
            return new Latency(micros.getTotalCount(), us((long) micros.getMean()),
                    us(micros.getValueAtPercentile(50)), us(micros.getValueAtPercentile(90)),
                    us(micros.getValueAtPercentile(99)), us(micros.getMaxValue()));
        }

        private static Duration us(long micros) {
            return Duration.ofNanos(micros * 1000);
        }
    }
}
