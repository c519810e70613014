package io.covet.bench;

import java.util.Arrays;
import java.util.function.Supplier;

/** Times an operation by a {@link TimingPlan}; numpy_peer.py does the same on the Python side. */
public final class Timing {

    /** Results go here so that the JIT cannot drop the work that produced them. */
    private static volatile Object sink;

    private Timing() {
    }

    /** Median seconds per call of {@code op}. */
    public static double secondsPerCall(Supplier<?> op, TimingPlan plan) {
        long warmupNanos = plan.warmup().toNanos();
        long start = System.nanoTime();
        long elapsed;
        int calls = 0;
        do {
            sink = op.get();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < warmupNanos || calls < 2);
        long batch = Math.max(1, plan.minSample().toNanos() / Math.max(1, elapsed / calls) + 1);
        double[] perCall = new double[plan.samples()];
        for (int s = 0; s < perCall.length; s++) {
            long t = System.nanoTime();
            for (long b = 0; b < batch; b++) {
                sink = op.get();
            }
            perCall[s] = (System.nanoTime() - t) / 1e9 / batch;
        }
        return median(perCall);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
