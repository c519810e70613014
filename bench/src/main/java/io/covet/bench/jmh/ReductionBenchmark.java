package io.covet.bench.jmh;

import io.covet.compute.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

/** sum, dot, min, max, mean and reduce on arrays and a native segment. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ReductionBenchmark {

    @Param({"1000", "100000", "10000000"})
    public int size;

    private float[] x;
    private float[] y;
    private double[] d;
    private Arena arena;
    private MemorySegment segment;

    @Setup
    public void setUp() {
        x = EngineState.floats(size, 1, -1, 1);
        y = EngineState.floats(size, 2, -1, 1);
        d = new double[size];
        for (int i = 0; i < size; i++) {
            d[i] = x[i];
        }
        arena = Arena.ofShared();
        segment = arena.allocate(4L * size, 64);
        MemorySegment.copy(x, 0, segment, ValueLayout.JAVA_FLOAT, 0, size);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float sumF32(EngineState s) {
        return s.engine.sum(x);
    }

    @Benchmark
    public double sumF64(EngineState s) {
        return s.engine.sum(d);
    }

    @Benchmark
    public double sumSegmentF32(EngineState s) {
        return s.engine.sum(segment, DType.F32);
    }

    @Benchmark
    public float dotF32(EngineState s) {
        return s.engine.dot(x, y);
    }

    @Benchmark
    public float minF32(EngineState s) {
        return s.engine.min(x);
    }

    @Benchmark
    public float maxF32(EngineState s) {
        return s.engine.max(x);
    }

    @Benchmark
    public float meanF32(EngineState s) {
        return s.engine.mean(x);
    }

    @Benchmark
    public Double reduceF32WithCallerFunctions(EngineState s) {
        return s.engine.reduce(x, 0.0, (partial, v) -> partial + v, Double::sum);
    }
}
