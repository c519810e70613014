package io.covet.bench.jmh;

import io.covet.compute.ComputeEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where a matrix product starts to gain from the pool: the same n x n product kept on the
 * calling thread ({@code split=caller}) or always split over the pool ({@code split=pool}).
 * The crossover found is ComputeEngine's MATMUL_THRESHOLD_DIVISOR; BENCHMARKS.md has the figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MatmulThresholdBenchmark {

    @Param({"64", "128", "192", "256", "384"})
    public int n;

    @Param({"caller", "pool"})
    public String split;

    private ComputeEngine engine;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        engine = ComputeEngine.builder().parallelThreshold("pool".equals(split) ? 1 : Long.MAX_VALUE).build();
        a = EngineState.floats(n * n, 1, -1, 1);
        b = EngineState.floats(n * n, 2, -1, 1);
        c = new float[n * n];
    }

    @TearDown
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public float[] matmulF32() {
        engine.matmul(a, n, n, b, n, n, c);
        return c;
    }
}
