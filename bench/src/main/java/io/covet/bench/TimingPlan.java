package io.covet.bench;

import java.time.Duration;

/**
 * How a suite times one case, on both sides alike: run the operation for {@code warmup}, then
 * take {@code samples} batches of calls, each at least {@code minSample} long, and report the
 * median time per call (shared machines are noisy; the median ignores the odd stall).
 */
public record TimingPlan(Duration warmup, int samples, Duration minSample) {

    public TimingPlan {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, got " + samples);
        }
    }

    /**
     * About two seconds a case. The warm-up is a full second because a Vector API kernel runs
     * 50-100x slower until C2 has compiled it, and C2 was seen to need most of a second (and a
     * recompile after an uncommon trap) on these 2 cores.
     */
    public static TimingPlan quick() {
        return new TimingPlan(Duration.ofSeconds(1), 5, Duration.ofMillis(50));
    }

    /** The plan behind the figures in BENCHMARKS.md. */
    public static TimingPlan full() {
        return new TimingPlan(Duration.ofSeconds(2), 10, Duration.ofMillis(200));
    }
}
