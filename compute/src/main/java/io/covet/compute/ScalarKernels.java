package io.covet.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain-loop kernels: the path when {@code jdk.incubator.vector} is absent or SIMD is switched
 * off, and the reference the vector kernels are tested against. Float sums and dots accumulate in
 * {@code double}, so they are at least as accurate as the vector path.
 */
final class ScalarKernels implements Kernels {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private static final int GEMM_ROWS = 4;
    private static final int GEMM_COLS = 4;

    @Override
    public String path() {
        return "scalar";
    }

    @Override
    public int vectorBitSize() {
        return 0;
    }

    @Override
    public int floatLanes() {
        return 1;
    }

    @Override
    public int doubleLanes() {
        return 1;
    }

    @Override
    public double sum(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    public double sum(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    public double sumF32(MemorySegment x, long from, long to) {
        double s = 0;
        for (long i = from; i < to; i++) {
            s += x.getAtIndex(F32, i);
        }
        return s;
    }

    @Override
    public double sumF64(MemorySegment x, long from, long to) {
        double s = 0;
        for (long i = from; i < to; i++) {
            s += x.getAtIndex(F64, i);
        }
        return s;
    }

    @Override
    public double dot(float[] a, int aFrom, float[] b, int bFrom, int length) {
        double s = 0;
        for (int i = 0; i < length; i++) {
            s += (double) a[aFrom + i] * b[bFrom + i];
        }
        return s;
    }

    @Override
    public double dot(double[] a, int aFrom, double[] b, int bFrom, int length) {
        double s = 0;
        for (int i = 0; i < length; i++) {
            s = Math.fma(a[aFrom + i], b[bFrom + i], s);
        }
        return s;
    }

    @Override
    public double dotF32(MemorySegment a, MemorySegment b, long from, long to) {
        double s = 0;
        for (long i = from; i < to; i++) {
            s += (double) a.getAtIndex(F32, i) * b.getAtIndex(F32, i);
        }
        return s;
    }

    @Override
    public double dotF64(MemorySegment a, MemorySegment b, long from, long to) {
        double s = 0;
        for (long i = from; i < to; i++) {
            s = Math.fma(a.getAtIndex(F64, i), b.getAtIndex(F64, i), s);
        }
        return s;
    }

    @Override
    public float extremum(float[] x, int from, int to, boolean max) {
        float m = x[from];
        for (int i = from + 1; i < to; i++) {
            m = max ? Math.max(m, x[i]) : Math.min(m, x[i]);
        }
        return m;
    }

    @Override
    public double extremum(double[] x, int from, int to, boolean max) {
        double m = x[from];
        for (int i = from + 1; i < to; i++) {
            m = max ? Math.max(m, x[i]) : Math.min(m, x[i]);
        }
        return m;
    }

    @Override
    public float extremumF32(MemorySegment x, long from, long to, boolean max) {
        float m = x.getAtIndex(F32, from);
        for (long i = from + 1; i < to; i++) {
            float v = x.getAtIndex(F32, i);
            m = max ? Math.max(m, v) : Math.min(m, v);
        }
        return m;
    }

    @Override
    public double extremumF64(MemorySegment x, long from, long to, boolean max) {
        double m = x.getAtIndex(F64, from);
        for (long i = from + 1; i < to; i++) {
            double v = x.getAtIndex(F64, i);
            m = max ? Math.max(m, v) : Math.min(m, v);
        }
        return m;
    }

    @Override
    public void apply(UnaryOp op, float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = op.apply(x[i]);
        }
    }

    @Override
    public void apply(UnaryOp op, double[] x, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = op.apply(x[i]);
        }
    }

    @Override
    public void applyF32(UnaryOp op, MemorySegment x, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) {
            out.setAtIndex(F32, i, op.apply(x.getAtIndex(F32, i)));
        }
    }

    @Override
    public void applyF64(UnaryOp op, MemorySegment x, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) {
            out.setAtIndex(F64, i, op.apply(x.getAtIndex(F64, i)));
        }
    }

    @Override
    public void scaleOffset(float[] x, float scale, float offset, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = Math.fma(x[i], scale, offset);
        }
    }

    @Override
    public void scaleOffset(double[] x, double scale, double offset, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = Math.fma(x[i], scale, offset);
        }
    }

    @Override
    public void scaleOffsetF32(MemorySegment x, float scale, float offset, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) {
            out.setAtIndex(F32, i, Math.fma(x.getAtIndex(F32, i), scale, offset));
        }
    }

    @Override
    public void scaleOffsetF64(MemorySegment x, double scale, double offset, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) {
            out.setAtIndex(F64, i, Math.fma(x.getAtIndex(F64, i), scale, offset));
        }
    }

    @Override
    public int gemmRows() {
        return GEMM_ROWS;
    }

    @Override
    public int gemmCols(DType type) {
        return GEMM_COLS;
    }

    @Override
    public void gemm(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc) {
        float[] acc = new float[GEMM_ROWS * GEMM_COLS];
        for (int p = 0; p < kc; p++, ai += GEMM_ROWS, bi += GEMM_COLS) {
            for (int r = 0; r < GEMM_ROWS; r++) {
                float a = ap[ai + r];
                for (int j = 0; j < GEMM_COLS; j++) {
                    acc[r * GEMM_COLS + j] = Math.fma(a, bp[bi + j], acc[r * GEMM_COLS + j]);
                }
            }
        }
        for (int r = 0; r < GEMM_ROWS; r++) {
            for (int j = 0; j < GEMM_COLS; j++) {
                int at = ci + r * ldc + j;
                c[at] += acc[r * GEMM_COLS + j];
            }
        }
    }

    @Override
    public void gemm(int kc, double[] ap, int ai, double[] bp, int bi, double[] c, int ci, int ldc) {
        double[] acc = new double[GEMM_ROWS * GEMM_COLS];
        for (int p = 0; p < kc; p++, ai += GEMM_ROWS, bi += GEMM_COLS) {
            for (int r = 0; r < GEMM_ROWS; r++) {
                double a = ap[ai + r];
                for (int j = 0; j < GEMM_COLS; j++) {
                    acc[r * GEMM_COLS + j] = Math.fma(a, bp[bi + j], acc[r * GEMM_COLS + j]);
                }
            }
        }
        for (int r = 0; r < GEMM_ROWS; r++) {
            for (int j = 0; j < GEMM_COLS; j++) {
                int at = ci + r * ldc + j;
                c[at] += acc[r * GEMM_COLS + j];
            }
        }
    }
}
