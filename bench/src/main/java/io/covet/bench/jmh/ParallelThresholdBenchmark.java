package io.covet.bench.jmh;

import io.covet.compute.ComputeEngine;
import io.covet.compute.UnaryOp;
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
 * Where splitting over the pool starts to pay: the same call kept on the calling thread
 * ({@code split=caller}) or always split ({@code split=pool}), at sizes around the crossover.
 * The crossovers found are ComputeEngine's thresholds (DEFAULT_PARALLEL_THRESHOLD for sum, and
 * that divided by TRANSCENDENTAL_FACTOR for exp); BENCHMARKS.md has the figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ParallelThresholdBenchmark {

    @Param({"4096", "65536", "262144", "1048576", "2097152", "8388608", "33554432"})
    public int size;

    @Param({"caller", "pool"})
    public String split;

    private ComputeEngine engine;
    private float[] x;
    private float[] out;

    @Setup
    public void setUp() {
        engine = ComputeEngine.builder().parallelThreshold("pool".equals(split) ? 1 : Long.MAX_VALUE).build();
        x = EngineState.floats(size, 1, 0.5f, 1.5f);
        out = new float[size];
    }

    @TearDown
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public float sumF32() {
        return engine.sum(x);
    }

    @Benchmark
    public float[] expF32() {
        engine.apply(UnaryOp.EXP, x, out);
        return out;
    }
}
