package io.covet.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatrixMultiplyTest {

    private static double[] reference(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        return c;
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }

    /** Shapes around the micro-tile (6 x 2 vectors), the KC and MC blocks, and degenerate ones. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 7, 1}, {7, 1, 9}, {6, 5, 16}, {7, 13, 17}, {13, 17, 31}, {0, 3, 4}, {3, 0, 4}, {3, 4, 0},
            {121, 257, 33}, {240, 300, 8}, {5, 513, 129}, {1, 1000, 1},
            // narrow B (the dot-product path), wide products over two NC blocks, panels split between tasks
            {300, 40, 1}, {17, 300, 5}, {130, 64, 3075}, {3, 700, 4100}, {257, 200, 200}};

    @Test
    void productsMatchTheTextbookLoopForAwkwardShapes() {
        Engines.onEach(Engines.bothPaths(2, 64), engine -> {
            for (int[] s : SHAPES) {
                int m = s[0], k = s[1], n = s[2];
                float[] a = random(m * k, m * 31 + k);
                float[] b = random(k * n, n * 17 + k);
                double[] ref = reference(ReductionTest.widen(a), ReductionTest.widen(b), m, k, n);
                float[] c = engine.matmul(a, m, k, b, k, n);
                double[] cd = engine.matmul(ReductionTest.widen(a), m, k, ReductionTest.widen(b), k, n);
                double tol = 1e-6 * k + 1e-6;
                for (int i = 0; i < m * n; i++) {
                    assertThat((double) c[i]).as("f32 %dx%dx%d at %d", m, k, n, i).isCloseTo(ref[i], within(tol));
                    assertThat(cd[i]).as("f64 %dx%dx%d at %d", m, k, n, i).isCloseTo(ref[i], within(1e-12 * k + 1e-12));
                }
            }
            return null;
        });
    }

    @Test
    void intoACallersBufferOverwritesWhatWasThere() {
        try (ComputeEngine engine = ComputeEngine.create()) {
            float[] c = new float[4];
            java.util.Arrays.fill(c, 99f);
            engine.matmul(new float[]{1, 2, 3, 4}, 2, 2, new float[]{1, 0, 0, 1}, 2, 2, c);
            assertThat(c).containsExactly(1, 2, 3, 4);
        }
    }

    @Test
    void segmentsMultiplyLikeArrays() {
        try (ComputeEngine engine = ComputeEngine.create(); Arena arena = Arena.ofConfined()) {
            int m = 19, k = 23, n = 29;
            float[] af = random(m * k, 1);
            float[] bf = random(k * n, 2);
            double[] a = ReductionTest.widen(af);
            double[] b = ReductionTest.widen(bf);
            MemorySegment c = arena.allocate(8L * m * n);
            engine.matmul(ReductionTest.nativeCopy(arena, a), m, k, ReductionTest.nativeCopy(arena, b), k, n, c, DType.F64);
            MemorySegment cf = engine.matmul(ReductionTest.nativeCopy(arena, af), m, k, ReductionTest.nativeCopy(arena, bf), k, n,
                    DType.F32, arena);
            double[] ref = reference(a, b, m, k, n);
            for (int i = 0; i < m * n; i++) {
                assertThat(c.getAtIndex(ScalarKernels.F64, i)).isCloseTo(ref[i], within(1e-12));
                assertThat((double) cf.getAtIndex(ScalarKernels.F32, i)).isCloseTo(ref[i], within(1e-5));
            }
            assertThatThrownBy(() -> engine.matmul(ReductionTest.nativeCopy(arena, a), m, k, ReductionTest.nativeCopy(arena, b),
                    k, n, c.asReadOnly(), DType.F64)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        }
    }

    @Test
    void incompatibleShapesAreRefusedNamingBoth() {
        try (ComputeEngine engine = ComputeEngine.create()) {
            assertThatThrownBy(() -> engine.matmul(new float[12], 3, 4, new float[10], 5, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(3, 4)").hasMessageContaining("(5, 2)");
            assertThatThrownBy(() -> engine.matmul(new float[11], 3, 4, new float[8], 4, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a holds 11 elements");
            assertThatThrownBy(() -> engine.matmul(new double[12], 3, 4, new double[8], 4, 2, new double[5]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3, 2)");
            assertThatThrownBy(() -> engine.matmul(new double[0], -1, 0, new double[0], 0, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
            float[] square = new float[4];
            assertThatThrownBy(() -> engine.matmul(square, 2, 2, new float[4], 2, 2, square))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not share memory");
        }
    }
}
