package io.covet.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class ElementwiseTest {

    /** Inputs that every op must handle: normal values plus IEEE 754's edge cases. */
    private static float[] inputs(int n) {
        float[] special = {0f, -0f, 1f, -1f, 0.5f, 88f, -80f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f, 3.14159f, -2.5f, 1e10f};
        float[] x = ReductionTest.randomFloats(n, n);
        for (int i = 0; i < n; i += 3) {
            x[i] = special[(i / 3) % special.length];
        }
        return x;
    }

    private static boolean transcendental(UnaryOp op) {
        return op == UnaryOp.LOG || op == UnaryOp.EXP;
    }

    /** Vector log/exp may be a few ulps off; every other op must give the same bits, signed zeros included. */
    private static void assertClose(UnaryOp op, float expected, float actual, String what) {
        if (!transcendental(op) || Float.isNaN(expected) || Float.isInfinite(expected) || expected == 0f) {
            assertThat(Float.floatToIntBits(actual)).as("%s: %s vs %s", what, actual, expected)
                    .isEqualTo(Float.floatToIntBits(expected));
        } else {
            assertThat(Math.abs(actual - expected)).as("%s: %s vs %s", what, actual, expected)
                    .isLessThanOrEqualTo(4 * Math.ulp(expected));
        }
    }

    private static void assertClose(UnaryOp op, double expected, double actual, String what) {
        if (!transcendental(op) || Double.isNaN(expected) || Double.isInfinite(expected) || expected == 0d) {
            assertThat(Double.doubleToLongBits(actual)).as("%s: %s vs %s", what, actual, expected)
                    .isEqualTo(Double.doubleToLongBits(expected));
        } else {
            assertThat(Math.abs(actual - expected)).as("%s: %s vs %s", what, actual, expected)
                    .isLessThanOrEqualTo(4 * Math.ulp(expected));
        }
    }

    /** Equal as IEEE 754 values, NaN equal to NaN and -0 distinct from 0. */
    private static void assertSameValue(float expected, float actual) {
        assertThat(Float.floatToIntBits(actual)).as("%s vs %s", actual, expected).isEqualTo(Float.floatToIntBits(expected));
    }

    private static void assertSameValue(double expected, double actual) {
        assertThat(Double.doubleToLongBits(actual)).as("%s vs %s", actual, expected)
                .isEqualTo(Double.doubleToLongBits(expected));
    }

    @Test
    void everyOpMatchesItsScalarDefinitionOnArraysAndSegmentsAtAwkwardSizes() {
        Engines.onEach(Engines.bothPaths(2, 64), engine -> {
            try (Arena arena = Arena.ofShared()) {
                for (UnaryOp op : UnaryOp.values()) {
                    for (int n : Engines.AWKWARD_SIZES) {
                        float[] x = inputs(n);
                        double[] d = ReductionTest.widen(x);
                        float[] out = engine.apply(op, x);
                        double[] outD = engine.apply(op, d);
                        MemorySegment seg = ReductionTest.nativeCopy(arena, x);
                        MemorySegment segOut = engine.apply(op, seg, DType.F32, arena);
                        MemorySegment segD = ReductionTest.nativeCopy(arena, d);
                        engine.apply(op, segD, segD, DType.F64);               // in place
                        for (int i = 0; i < n; i++) {
                            String what = op + " n=" + n + " x[" + i + "]=" + x[i];
                            assertClose(op, op.apply(x[i]), out[i], what);
                            assertClose(op, op.apply(x[i]), segOut.getAtIndex(ScalarKernels.F32, i), what + " (segment)");
                            assertClose(op, op.apply(d[i]), outD[i], what + " (f64)");
                            assertClose(op, op.apply(d[i]), segD.getAtIndex(ScalarKernels.F64, i), what + " (f64 segment)");
                        }
                    }
                }
            }
            return null;
        });
    }

    @Test
    void scaleOffsetRoundsOnceLikeFma() {
        Engines.onEach(Engines.bothPaths(2, 64), engine -> {
            try (Arena arena = Arena.ofShared()) {
                for (int n : Engines.AWKWARD_SIZES) {
                    float[] x = inputs(n);
                    double[] d = ReductionTest.widen(x);
                    float[] out = engine.scaleOffset(x, 1.5f, -3f);
                    double[] outD = engine.scaleOffset(d, 1.5, -3);
                    MemorySegment seg = engine.scaleOffset(ReductionTest.nativeCopy(arena, x), 1.5, -3, DType.F32, arena);
                    MemorySegment segD = engine.scaleOffset(ReductionTest.nativeCopy(arena, d), 1.5, -3, DType.F64, arena);
                    for (int i = 0; i < n; i++) {
                        assertSameValue(Math.fma(d[i], 1.5, -3), segD.getAtIndex(ScalarKernels.F64, i));
                        assertSameValue(Math.fma(x[i], 1.5f, -3f), out[i]);
                        assertSameValue(Math.fma(x[i], 1.5f, -3f), seg.getAtIndex(ScalarKernels.F32, i));
                        assertSameValue(Math.fma(d[i], 1.5, -3), outD[i]);
                    }
                }
            }
            return null;
        });
    }

    @Test
    void mapAppliesTheCallersFunctionToEveryElementInPlace() {
        Engines.onEach(Engines.bothPaths(2, 64), engine -> {
            try (Arena arena = Arena.ofShared()) {
                for (int n : Engines.AWKWARD_SIZES) {
                    float[] x = inputs(n);
                    float[] copy = x.clone();
                    engine.map(x, v -> v * 2 + 1, x);
                    double[] d = engine.map(ReductionTest.widen(copy), v -> v - 1);
                    MemorySegment seg = ReductionTest.nativeCopy(arena, copy);
                    engine.mapF32(seg, v -> -v, seg);
                    MemorySegment segD = ReductionTest.nativeCopy(arena, ReductionTest.widen(copy));
                    MemorySegment segDOut = arena.allocate(segD.byteSize(), 8);
                    engine.mapF64(segD, v -> v * 3, segDOut);
                    for (int i = 0; i < n; i++) {
                        assertSameValue(copy[i] * 2 + 1, x[i]);
                        assertSameValue((double) copy[i] - 1, d[i]);
                        assertSameValue(-copy[i], seg.getAtIndex(ScalarKernels.F32, i));
                        assertSameValue((double) copy[i] * 3, segDOut.getAtIndex(ScalarKernels.F64, i));
                    }
                }
            }
            return null;
        });
    }

    @Test
    void anExceptionInTheCallersFunctionReachesTheCallerOnlyAfterEveryLeafHasStopped() {
        try (ComputeEngine engine = ComputeEngine.builder().threads(2).parallelThreshold(64).build()) {
            float[] x = new float[100_000];
            x[99_999] = 1;                                  // in the right-most leaf, which the caller runs
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
            assertThatThrownBy(() -> engine.map(x, v -> {
                running.incrementAndGet();
                try {
                    if (v == 1) {
                        throw new IllegalStateException("bad element");
                    }
                    return v;
                } finally {
                    running.decrementAndGet();
                }
            })).isInstanceOf(IllegalStateException.class).hasMessageContaining("bad element");
            assertThat(running.get()).as("calls of the function still running after the caller was told").isZero();
        }
    }

    @Test
    void unknownOperationNamesListTheValidOnes() {
        assertThat(UnaryOp.parse("SQRT")).isEqualTo(UnaryOp.SQRT);
        assertThatThrownBy(() -> UnaryOp.parse("cube")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cube'").hasMessageContaining("square, sqrt, log, exp, abs, negate");
    }

    @Test
    void readOnlyAndPartlyOverlappingOutputSegmentsAreRefused() {
        try (ComputeEngine engine = ComputeEngine.create(); Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(64);
            assertThatThrownBy(() -> engine.apply(UnaryOp.ABS, x, x.asReadOnly(), DType.F32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            MemorySegment both = arena.allocate(80);
            assertThatThrownBy(() -> engine.scaleOffset(both.asSlice(0, 64), 2, 0, both.asSlice(16, 64), DType.F32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partly overlaps");
            engine.apply(UnaryOp.ABS, x, x, DType.F32);   // the same memory is fine: in place
        }
    }
}
