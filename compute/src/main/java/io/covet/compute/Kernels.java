package io.covet.compute;

import java.lang.foreign.MemorySegment;

/**
 * The kernels behind {@link ComputeEngine}, on one range {@code [from, to)} of elements. Two
 * implementations: {@link VectorKernels} (SIMD) and {@link ScalarKernels} (plain loops, used when
 * {@code jdk.incubator.vector} is absent or SIMD is switched off).
 *
 * <p>Arrays and memory segments have separate methods on purpose: one loop fed both heap and
 * native segments gets a polluted JIT profile and ran 3-6x slower when measured, so arrays (and
 * array-backed segments) take the array kernels and the segment kernels only ever see native
 * memory. Segment indices are element indices, elements in native byte order.
 *
 * <p>Callers (the engine) have validated ranges and shapes; kernels do no checks of their own.
 * Reductions of floats return their partial result as a {@code double}, so that ForkJoin leaves
 * combine without another float rounding.
 */
interface Kernels {

    /** {@code "vector"} or {@code "scalar"}. */
    String path();

    /** Bits per SIMD register in use; 0 for the scalar path. */
    int vectorBitSize();

    int floatLanes();

    int doubleLanes();

    double sum(float[] x, int from, int to);

    double sum(double[] x, int from, int to);

    double sumF32(MemorySegment x, long from, long to);

    double sumF64(MemorySegment x, long from, long to);

    /** Inner product of {@code a[aFrom, aFrom + length)} and {@code b[bFrom, bFrom + length)}. */
    double dot(float[] a, int aFrom, float[] b, int bFrom, int length);

    double dot(double[] a, int aFrom, double[] b, int bFrom, int length);

    double dotF32(MemorySegment a, MemorySegment b, long from, long to);

    double dotF64(MemorySegment a, MemorySegment b, long from, long to);

    /** Smallest ({@code max == false}) or largest element; NaN if any element is NaN. Range not empty. */
    float extremum(float[] x, int from, int to, boolean max);

    double extremum(double[] x, int from, int to, boolean max);

    float extremumF32(MemorySegment x, long from, long to, boolean max);

    double extremumF64(MemorySegment x, long from, long to, boolean max);

    /** {@code out[i] = op(x[i])}; {@code out} may be {@code x}. */
    void apply(UnaryOp op, float[] x, float[] out, int from, int to);

    void apply(UnaryOp op, double[] x, double[] out, int from, int to);

    void applyF32(UnaryOp op, MemorySegment x, MemorySegment out, long from, long to);

    void applyF64(UnaryOp op, MemorySegment x, MemorySegment out, long from, long to);

    /** {@code out[i] = fma(x[i], scale, offset)}; {@code out} may be {@code x}. */
    void scaleOffset(float[] x, float scale, float offset, float[] out, int from, int to);

    void scaleOffset(double[] x, double scale, double offset, double[] out, int from, int to);

    void scaleOffsetF32(MemorySegment x, float scale, float offset, MemorySegment out, long from, long to);

    void scaleOffsetF64(MemorySegment x, double scale, double offset, MemorySegment out, long from, long to);

    /** Rows of the matrix-multiply micro-kernel's tile (the packed A panel height). */
    int gemmRows();

    /** Columns of the micro-kernel's tile (the packed B panel width) for {@code float} or {@code double}. */
    int gemmCols(DType type);

    /**
     * The matrix-multiply micro-kernel on one full tile: {@code C[gemmRows x gemmCols] += Ap * Bp}
     * over {@code kc} steps, where {@code Ap} holds {@link #gemmRows()} values per step and
     * {@code Bp} holds {@link #gemmCols} values per step, and C is row-major with stride {@code ldc}.
     */
    void gemm(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc);

    void gemm(int kc, double[] ap, int ai, double[] bp, int bi, double[] c, int ci, int ldc);
}
