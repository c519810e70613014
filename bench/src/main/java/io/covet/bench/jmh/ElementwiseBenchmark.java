package io.covet.bench.jmh;

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
import org.openjdk.jmh.annotations.Warmup;

/** Every elementwise op, scale-offset and map with a caller function, into a preallocated output. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ElementwiseBenchmark {

    @Param({"1000", "100000", "10000000"})
    public int size;

    @Param({"SQUARE", "SQRT", "LOG", "EXP", "ABS", "NEGATE"})
    public UnaryOp op;

    private float[] x;
    private float[] out;

    @Setup
    public void setUp() {
        x = EngineState.floats(size, 1, 0.5f, 1.5f);
        out = new float[size];
    }

    @Benchmark
    public float[] apply(EngineState s) {
        s.engine.apply(op, x, out);
        return out;
    }

    @Benchmark
    public float[] scaleOffset(EngineState s) {
        s.engine.scaleOffset(x, 1.5f, -0.25f, out);
        return out;
    }

    @Benchmark
    public float[] mapWithCallerFunction(EngineState s) {
        s.engine.map(x, v -> v * 1.5f - 0.25f, out);
        return out;
    }
}
