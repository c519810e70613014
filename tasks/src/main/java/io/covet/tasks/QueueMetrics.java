package io.covet.tasks;

import java.time.Duration;

/**
 * One queue's counters since it was made, and its state now.
 *
 * @param capacity   tasks its executor runs at once when every slot is free
 * @param queueLimit tasks that may wait; more are refused
 * @param queued     waiting now
 * @param running    running now
 * @param completed  finished with a value
 * @param failed     finished with an error (deadlines included)
 * @param timedOut   of the failed, those that reached their deadline
 * @param cancelled  cancelled by their caller, withdrawn to run elsewhere, or stopped by shutdown
 * @param rejected   refused at submission because the queue was full
 * @param waitTime   time from submission to start
 * @param runTime    time from start to end
 */
public record QueueMetrics(int capacity, int queueLimit, int queued, int running, long completed, long failed,
                           long timedOut, long cancelled, long rejected, Latency waitTime, Latency runTime) {

    /** A distribution of durations (microsecond resolution). */
    public record Latency(long count, Duration mean, Duration p50, Duration p90, Duration p99, Duration max) {

        static final Latency NONE = new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

        /** The distribution of a histogram of microseconds. */
        static Latency of(org.HdrHistogram.Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return NONE;
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
