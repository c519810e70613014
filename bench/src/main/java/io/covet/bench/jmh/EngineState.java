package io.covet.bench.jmh;

import io.covet.compute.ComputeEngine;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** An engine on the path under test, all cores, default thresholds; shared by the benchmark's threads. */
@State(Scope.Benchmark)
public class EngineState {

    @Param({"vector", "scalar"})
    public String path;

    public ComputeEngine engine;

    @Setup
    public void start() {
        engine = ComputeEngine.builder().simd("vector".equals(path)).build();
    }

    @TearDown
    public void stop() {
        engine.close();
    }

    static float[] floats(int n, long seed, float lo, float hi) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (float) r.nextDouble() * (hi - lo);
        }
        return x;
    }
}
