package io.covet.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReductionTest {

    private static final double F32_SUM_BOUND = 40 * Math.ulp(1f) / 2;   // 40 * 2^-24, see ComputeEngine.sum(float[])

    /** Exact-enough reference: Kahan-compensated double sum. */
    static double referenceSum(double[] x) {
        double s = 0, c = 0;
        for (double v : x) {
            double y = v - c;
            double t = s + y;
            c = (t - s) - y;
            s = t;
        }
        return s;
    }

    static float[] randomFloats(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 100);
        }
        return x;
    }

    static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    static double sumAbs(double[] x) {
        double s = 0;
        for (double v : x) {
            s += Math.abs(v);
        }
        return s;
    }

    static MemorySegment nativeCopy(Arena arena, float[] x) {
        MemorySegment s = arena.allocate(4L * x.length + 4, 4).asSlice(4); // unaligned to a vector on purpose
        MemorySegment.copy(x, 0, s, ScalarKernels.F32, 0, x.length);
        return s;
    }

    static MemorySegment nativeCopy(Arena arena, double[] x) {
        MemorySegment s = arena.allocate(8L * x.length + 8, 8).asSlice(8);
        MemorySegment.copy(x, 0, s, ScalarKernels.F64, 0, x.length);
        return s;
    }

    @Test
    void floatSumsAndDotsStayWithinTheDocumentedBoundAtEveryAwkwardSize() {
        Engines.onEach(Engines.bothPaths(2, 16), engine -> {
            try (Arena arena = Arena.ofShared()) {
                for (int n : Engines.AWKWARD_SIZES) {
                    float[] x = randomFloats(n, n);
                    float[] y = randomFloats(n, n + 1);
                    double[] xd = widen(x);
                    double ref = referenceSum(xd);
                    double bound = F32_SUM_BOUND * sumAbs(xd) + Math.ulp((float) ref);
                    assertThat((double) engine.sum(x)).as("sum n=%d", n).isCloseTo(ref, within(bound));
                    assertThat(engine.sum(nativeCopy(arena, x), DType.F32)).as("segment sum n=%d", n).isCloseTo(ref, within(bound));
                    assertThat(engine.sum(MemorySegment.ofArray(x), DType.F32)).as("heap segment sum n=%d", n)
                            .isCloseTo(ref, within(bound));

                    double[] products = new double[n];
                    for (int i = 0; i < n; i++) {
                        products[i] = (double) x[i] * y[i];
                    }
                    double dotRef = referenceSum(products);
                    double dotBound = F32_SUM_BOUND * sumAbs(products) + Math.ulp((float) dotRef);
                    assertThat((double) engine.dot(x, y)).as("dot n=%d", n).isCloseTo(dotRef, within(dotBound));
                    assertThat(engine.dot(nativeCopy(arena, x), nativeCopy(arena, y), DType.F32)).as("segment dot n=%d", n)
                            .isCloseTo(dotRef, within(dotBound));
                }
            }
            return null;
        });
    }

    @Test
    void doubleSumsDotsAndMeansMatchACompensatedReference() {
        Engines.onEach(Engines.bothPaths(2, 16), engine -> {
            try (Arena arena = Arena.ofShared()) {
                for (int n : Engines.AWKWARD_SIZES) {
                    double[] x = widen(randomFloats(n, 7 * n));
                    double[] y = widen(randomFloats(n, 7 * n + 1));
                    double[] products = new double[n];
                    for (int i = 0; i < n; i++) {
                        products[i] = x[i] * y[i];
                    }
                    double bound = 1e-15 * (sumAbs(x) + 1);
                    double ref = referenceSum(x);
                    assertThat(engine.sum(x)).as("sum n=%d", n).isCloseTo(ref, within(bound));
                    assertThat(engine.sum(nativeCopy(arena, x), DType.F64)).isCloseTo(ref, within(bound));
                    assertThat(engine.dot(x, y)).as("dot n=%d", n)
                            .isCloseTo(referenceSum(products), within(1e-15 * (sumAbs(products) + 1)));
                    assertThat(engine.dot(nativeCopy(arena, x), nativeCopy(arena, y), DType.F64))
                            .isCloseTo(referenceSum(products), within(1e-15 * (sumAbs(products) + 1)));
                    if (n > 0) {
                        assertThat(engine.mean(x)).isCloseTo(ref / n, within(bound / n));
                        assertThat(engine.mean(nativeCopy(arena, x), DType.F64)).isCloseTo(ref / n, within(bound / n));
                    }
                }
            }
            return null;
        });
    }

    @Test
    void minAndMaxFindTheExtremeElementWhereverItIs() {
        Engines.onEach(Engines.bothPaths(2, 16), engine -> {
            try (Arena arena = Arena.ofShared()) {
                for (int n : Engines.AWKWARD_SIZES) {
                    if (n == 0) {
                        continue;
                    }
                    for (int at : new int[]{0, n / 2, n - 1}) {
                        float[] x = randomFloats(n, n + at);
                        x[at] = -1e30f;
                        double[] d = widen(x);
                        d[at] = -1e300;
                        assertThat(engine.min(x)).as("min n=%d at=%d", n, at).isEqualTo(-1e30f);
                        assertThat(engine.min(d)).isEqualTo(-1e300);
                        assertThat(engine.min(nativeCopy(arena, x), DType.F32)).isEqualTo(-1e30f);
                        assertThat(engine.min(nativeCopy(arena, d), DType.F64)).isEqualTo(-1e300);
                        x[at] = 1e30f;
                        d[at] = 1e300;
                        assertThat(engine.max(x)).as("max n=%d at=%d", n, at).isEqualTo(1e30f);
                        assertThat(engine.max(d)).isEqualTo(1e300);
                        assertThat(engine.max(nativeCopy(arena, x), DType.F32)).isEqualTo(1e30f);
                        assertThat(engine.max(nativeCopy(arena, d), DType.F64)).isEqualTo(1e300);
                    }
                }
            }
            return null;
        });
    }

    @Test
    void nanAndInfinitiesFollowIeee754() {
        Engines.onEach(Engines.bothPaths(2, 16), engine -> {
            for (int n : new int[]{1, 9, 33, 4099}) {
                for (int at : new int[]{0, n / 2, n - 1}) {
                    float[] x = randomFloats(n, n);
                    x[at] = Float.NaN;
                    assertThat(engine.sum(x)).as("sum with NaN n=%d", n).isNaN();
                    assertThat(engine.mean(x)).isNaN();
                    assertThat(engine.min(x)).as("min with NaN n=%d at=%d", n, at).isNaN();
                    assertThat(engine.max(x)).as("max with NaN n=%d at=%d", n, at).isNaN();
                    assertThat(engine.dot(x, randomFloats(n, 1))).isNaN();
                    x[at] = Float.POSITIVE_INFINITY;
                    assertThat(engine.sum(x)).isEqualTo(Float.POSITIVE_INFINITY);
                    assertThat(engine.max(x)).isEqualTo(Float.POSITIVE_INFINITY);
                    x[(at + 1) % n] = Float.NEGATIVE_INFINITY;
                    if (n > 1) {
                        assertThat(engine.sum(x)).as("+Inf + -Inf").isNaN();
                        assertThat(engine.min(x)).isEqualTo(Float.NEGATIVE_INFINITY);
                    }
                }
            }
            // Math.min/max order signed zeros, on vector lanes and tails alike (compared bit for bit).
            float[] zeros = new float[37];
            zeros[20] = -0f;
            assertThat(Float.floatToRawIntBits(engine.min(zeros))).isEqualTo(Float.floatToRawIntBits(-0f));
            double[] negativeZeros = new double[37];
            java.util.Arrays.fill(negativeZeros, -0d);
            negativeZeros[35] = 0d;
            assertThat(Double.doubleToRawLongBits(engine.max(negativeZeros))).isEqualTo(Double.doubleToRawLongBits(0d));
            try (Arena arena = Arena.ofShared()) {
                for (int n : new int[]{1, 9, 33, 4099}) {
                    double[] d = widen(randomFloats(n, n));
                    d[n / 2] = Double.NaN;
                    assertThat(engine.sum(d)).isNaN();
                    assertThat(engine.max(d)).isNaN();
                    assertThat(engine.min(nativeCopy(arena, d), DType.F64)).isNaN();
                    assertThat(engine.sum(nativeCopy(arena, randomFloats(n, 3)), DType.F32)).isFinite();
                    float[] f = randomFloats(n, n);
                    f[n - 1] = Float.NaN;
                    assertThat(engine.max(nativeCopy(arena, f), DType.F32)).isNaN();
                    assertThat(engine.dot(nativeCopy(arena, f), nativeCopy(arena, f), DType.F32)).isNaN();
                }
            }
            return null;
        });
    }

    @Test
    void emptyInputGivesTheIdentityAndMinMaxMeanOfNothingIsAClearError() {
        Engines.onEach(Engines.bothPaths(2, 16), engine -> {
            assertThat(engine.sum(new float[0])).isZero();
            assertThat(engine.sum(new double[0])).isZero();
            assertThat(engine.dot(new float[0], new float[0])).isZero();
            assertThat(engine.sum(MemorySegment.NULL, DType.F64)).isZero();
            assertThat(engine.reduce(new float[0], "id", (s, v) -> s + v, String::concat)).isEqualTo("id");
            assertThat(engine.apply(UnaryOp.SQRT, new float[0])).isEmpty();
            assertThatThrownBy(() -> engine.min(new float[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("min of an empty array");
            assertThatThrownBy(() -> engine.max(new double[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max of an empty array");
            assertThatThrownBy(() -> engine.mean(new float[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mean of an empty array");
            assertThatThrownBy(() -> engine.min(MemorySegment.NULL, DType.F32)).isInstanceOf(IllegalArgumentException.class);
            return null;
        });
    }

    @Test
    void aFloatSegmentsMeanIsTakenBeforeRoundingTheSumToFloat() {
        try (ComputeEngine engine = ComputeEngine.create(); Arena arena = Arena.ofConfined()) {
            float[] big = new float[4];
            java.util.Arrays.fill(big, 2e38f);          // the sum, 8e38, is past Float.MAX_VALUE
            ComputeEngine scalar = ComputeEngine.builder().simd(false).build();
            try (scalar) {
                assertThat(scalar.mean(nativeCopy(arena, big), DType.F32)).isEqualTo((double) 2e38f);
                assertThat(scalar.mean(big)).isEqualTo(2e38f);
            }
        }
    }

    @Test
    void mismatchedShapesNameBothShapes() {
        try (ComputeEngine engine = ComputeEngine.create(); Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> engine.dot(new float[3], new float[4]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3,)").hasMessageContaining("(4,)");
            assertThatThrownBy(() -> engine.apply(UnaryOp.EXP, new double[5], new double[2]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(5,)").hasMessageContaining("(2,)");
            assertThatThrownBy(() -> engine.sum(arena.allocate(10), DType.F32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 bytes");
            assertThatThrownBy(() -> engine.scaleOffset(arena.allocate(16), 2, 1, arena.allocate(8), DType.F64))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2,)").hasMessageContaining("(1,)");
        }
    }

    /** 1e8 elements: the accuracy bound holds at the size the ADR's workloads reach. */
    @Test
    void floatSumOfAHundredMillionElementsStaysWithinTheDocumentedBound() {
        int n = 100_000_000;
        float[] x = new float[n];
        Random r = new Random(42);
        double ref = 0, c = 0, abs = 0;
        for (int i = 0; i < n; i++) {
            x[i] = r.nextFloat();           // all positive: the worst case for drift in a naive float sum
            double y = x[i] - c;
            double t = ref + y;
            c = (t - ref) - y;
            ref = t;
            abs += x[i];
        }
        double bound = F32_SUM_BOUND * abs + Math.ulp((float) ref);
        // A naive float loop is off by orders of magnitude more: make sure this test could tell.
        assertThat(bound).isLessThan(Math.abs(naiveFloatSum(x) - ref));
        double expected = ref;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        Engines.onEach(Engines.bothPaths(2, ComputeEngine.DEFAULT_PARALLEL_THRESHOLD), engine -> {
            assertThat((double) engine.sum(x)).isCloseTo(expected, within(bound));
            assertThat((double) engine.dot(x, ones)).as("dot").isCloseTo(expected, within(bound));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment segment = nativeCopy(arena, x);
                assertThat(engine.sum(segment, DType.F32)).as("segment sum").isCloseTo(expected, within(bound));
                assertThat(engine.dot(segment, nativeCopy(arena, ones), DType.F32)).as("segment dot")
                        .isCloseTo(expected, within(bound));
            }
            return null;
        });
    }

    private static float naiveFloatSum(float[] x) {
        float s = 0;
        for (float v : x) {
            s += v;
        }
        return s;
    }
}
