package io.covet.bench.jmh;

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

/** Square matrix products, f32 and f64, into a preallocated output. GFLOP/s = 2 n^3 / time. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class MatmulBenchmark {

    @Param({"64", "256", "1024"})
    public int n;

    private float[] a;
    private float[] b;
    private float[] c;
    private double[] ad;
    private double[] bd;
    private double[] cd;

    @Setup
    public void setUp() {
        a = EngineState.floats(n * n, 1, -1, 1);
        b = EngineState.floats(n * n, 2, -1, 1);
        c = new float[n * n];
        ad = new double[n * n];
        bd = new double[n * n];
        cd = new double[n * n];
        for (int i = 0; i < n * n; i++) {
            ad[i] = a[i];
            bd[i] = b[i];
        }
    }

    @Benchmark
    public float[] matmulF32(EngineState s) {
        s.engine.matmul(a, n, n, b, n, n, c);
        return c;
    }

    @Benchmark
    public double[] matmulF64(EngineState s) {
        s.engine.matmul(ad, n, n, bd, n, n, cd);
        return cd;
    }
}
