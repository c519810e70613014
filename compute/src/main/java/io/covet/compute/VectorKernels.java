package io.covet.compute;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels at the platform's preferred vector species. Each loop handles full vectors (four
 * at a time where the loop is memory-bound, so that loads overlap) and finishes the tail with
 * the scalar definition.
 *
 * <p>Float sums and dots are blocked for accuracy: each of the four lane accumulators takes
 * {@value #SUM_STEPS_PER_LANE} additions per block (plus at most three from the single-vector
 * loop) before the block's total moves into a {@code double}, so the float rounding error per
 * element is bounded by a constant instead of growing with the input's length (see
 * {@link ComputeEngine#sum(float[])} for the bound). Lanes add in float, so like numpy's float32
 * sum they overflow to infinity when a partial sum passes {@link Float#MAX_VALUE}.
 *
 * <p>Every Vector API operator below is a constant in the loop that uses it: the intrinsics
 * need that, and C2 cannot be relied on to propagate one into a separately compiled helper.
 */
final class VectorKernels implements Kernels {

    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int FL = FS.length();
    private static final int DL = DS.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Additions each lane accumulator takes before a block's float total is folded into a double. */
    static final int SUM_STEPS_PER_LANE = 32;
    private static final int F_BLOCK = SUM_STEPS_PER_LANE * 4 * FL;

    /** Micro-kernel tile: 2 rows x 6 vectors = 12 accumulators, which leaves registers for A and B on AVX2. */
    private static final int GEMM_ROWS = 2;
    private static final int GEMM_VECTORS = 6;

    @Override
    public String path() {
        return "vector";
    }

    @Override
    public int vectorBitSize() {
        return FS.vectorBitSize();
    }

    @Override
    public int floatLanes() {
        return FL;
    }

    @Override
    public int doubleLanes() {
        return DL;
    }

    // ---- sum ---------------------------------------------------------------------------------

    @Override
    public double sum(float[] x, int from, int to) {
        double total = 0;
        for (int block = from, end; block < to; block = end) {
            end = (int) Math.min(to, (long) block + F_BLOCK);
            FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
            int i = block;
            for (; i <= end - 4 * FL; i += 4 * FL) {
                a0 = a0.add(FloatVector.fromArray(FS, x, i));
                a1 = a1.add(FloatVector.fromArray(FS, x, i + FL));
                a2 = a2.add(FloatVector.fromArray(FS, x, i + 2 * FL));
                a3 = a3.add(FloatVector.fromArray(FS, x, i + 3 * FL));
            }
            for (; i <= end - FL; i += FL) {
                a0 = a0.add(FloatVector.fromArray(FS, x, i));
            }
            double tail = 0;
            for (; i < end; i++) {
                tail += x[i];
            }
            total += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) + tail;
        }
        return total;
    }

    @Override
    public double sumF32(MemorySegment x, long from, long to) {
        double total = 0;
        for (long block = from, end; block < to; block = end) {
            end = Math.min(to, block + F_BLOCK);
            FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
            long i = block;
            for (; i <= end - 4 * FL; i += 4 * FL) {
                a0 = a0.add(FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE));
                a1 = a1.add(FloatVector.fromMemorySegment(FS, x, (i + FL) * 4, NATIVE));
                a2 = a2.add(FloatVector.fromMemorySegment(FS, x, (i + 2 * FL) * 4, NATIVE));
                a3 = a3.add(FloatVector.fromMemorySegment(FS, x, (i + 3 * FL) * 4, NATIVE));
            }
            for (; i <= end - FL; i += FL) {
                a0 = a0.add(FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE));
            }
            double tail = 0;
            for (; i < end; i++) {
                tail += x.getAtIndex(ScalarKernels.F32, i);
            }
            total += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) + tail;
        }
        return total;
    }

    @Override
    public double sum(double[] x, int from, int to) {
        DoubleVector a0 = DoubleVector.zero(DS), a1 = a0, a2 = a0, a3 = a0;
        int i = from;
        for (; i <= to - 4 * DL; i += 4 * DL) {
            a0 = a0.add(DoubleVector.fromArray(DS, x, i));
            a1 = a1.add(DoubleVector.fromArray(DS, x, i + DL));
            a2 = a2.add(DoubleVector.fromArray(DS, x, i + 2 * DL));
            a3 = a3.add(DoubleVector.fromArray(DS, x, i + 3 * DL));
        }
        for (; i <= to - DL; i += DL) {
            a0 = a0.add(DoubleVector.fromArray(DS, x, i));
        }
        double s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    public double sumF64(MemorySegment x, long from, long to) {
        DoubleVector a0 = DoubleVector.zero(DS), a1 = a0, a2 = a0, a3 = a0;
        long i = from;
        for (; i <= to - 4 * DL; i += 4 * DL) {
            a0 = a0.add(DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE));
            a1 = a1.add(DoubleVector.fromMemorySegment(DS, x, (i + DL) * 8, NATIVE));
            a2 = a2.add(DoubleVector.fromMemorySegment(DS, x, (i + 2 * DL) * 8, NATIVE));
            a3 = a3.add(DoubleVector.fromMemorySegment(DS, x, (i + 3 * DL) * 8, NATIVE));
        }
        for (; i <= to - DL; i += DL) {
            a0 = a0.add(DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE));
        }
        double s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s += x.getAtIndex(ScalarKernels.F64, i);
        }
        return s;
    }

    // ---- dot ---------------------------------------------------------------------------------

    @Override
    public double dot(float[] a, int aFrom, float[] b, int bFrom, int length) {
        double total = 0;
        for (int block = 0, end; block < length; block = end) {
            end = (int) Math.min(length, (long) block + F_BLOCK);
            FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
            int i = block;
            for (; i <= end - 4 * FL; i += 4 * FL) {
                a0 = FloatVector.fromArray(FS, a, aFrom + i).fma(FloatVector.fromArray(FS, b, bFrom + i), a0);
                a1 = FloatVector.fromArray(FS, a, aFrom + i + FL).fma(FloatVector.fromArray(FS, b, bFrom + i + FL), a1);
                a2 = FloatVector.fromArray(FS, a, aFrom + i + 2 * FL).fma(FloatVector.fromArray(FS, b, bFrom + i + 2 * FL), a2);
                a3 = FloatVector.fromArray(FS, a, aFrom + i + 3 * FL).fma(FloatVector.fromArray(FS, b, bFrom + i + 3 * FL), a3);
            }
            for (; i <= end - FL; i += FL) {
                a0 = FloatVector.fromArray(FS, a, aFrom + i).fma(FloatVector.fromArray(FS, b, bFrom + i), a0);
            }
            double tail = 0;
            for (; i < end; i++) {
                tail += (double) a[aFrom + i] * b[bFrom + i];
            }
            total += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) + tail;
        }
        return total;
    }

    @Override
    public double dotF32(MemorySegment a, MemorySegment b, long from, long to) {
        double total = 0;
        for (long block = from, end; block < to; block = end) {
            end = Math.min(to, block + F_BLOCK);
            FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
            long i = block;
            for (; i <= end - 4 * FL; i += 4 * FL) {
                a0 = load(a, i).fma(load(b, i), a0);
                a1 = load(a, i + FL).fma(load(b, i + FL), a1);
                a2 = load(a, i + 2 * FL).fma(load(b, i + 2 * FL), a2);
                a3 = load(a, i + 3 * FL).fma(load(b, i + 3 * FL), a3);
            }
            for (; i <= end - FL; i += FL) {
                a0 = load(a, i).fma(load(b, i), a0);
            }
            double tail = 0;
            for (; i < end; i++) {
                tail += (double) a.getAtIndex(ScalarKernels.F32, i) * b.getAtIndex(ScalarKernels.F32, i);
            }
            total += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) + tail;
        }
        return total;
    }

    private static FloatVector load(MemorySegment x, long index) {
        return FloatVector.fromMemorySegment(FS, x, index * 4, NATIVE);
    }

    @Override
    public double dot(double[] a, int aFrom, double[] b, int bFrom, int length) {
        DoubleVector a0 = DoubleVector.zero(DS), a1 = a0;
        int i = 0;
        for (; i <= length - 2 * DL; i += 2 * DL) {
            a0 = DoubleVector.fromArray(DS, a, aFrom + i).fma(DoubleVector.fromArray(DS, b, bFrom + i), a0);
            a1 = DoubleVector.fromArray(DS, a, aFrom + i + DL).fma(DoubleVector.fromArray(DS, b, bFrom + i + DL), a1);
        }
        for (; i <= length - DL; i += DL) {
            a0 = DoubleVector.fromArray(DS, a, aFrom + i).fma(DoubleVector.fromArray(DS, b, bFrom + i), a0);
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < length; i++) {
            s = Math.fma(a[aFrom + i], b[bFrom + i], s);
        }
        return s;
    }

    @Override
    public double dotF64(MemorySegment a, MemorySegment b, long from, long to) {
        DoubleVector a0 = DoubleVector.zero(DS), a1 = a0;
        long i = from;
        for (; i <= to - 2 * DL; i += 2 * DL) {
            a0 = DoubleVector.fromMemorySegment(DS, a, i * 8, NATIVE)
                    .fma(DoubleVector.fromMemorySegment(DS, b, i * 8, NATIVE), a0);
            a1 = DoubleVector.fromMemorySegment(DS, a, (i + DL) * 8, NATIVE)
                    .fma(DoubleVector.fromMemorySegment(DS, b, (i + DL) * 8, NATIVE), a1);
        }
        for (; i <= to - DL; i += DL) {
            a0 = DoubleVector.fromMemorySegment(DS, a, i * 8, NATIVE)
                    .fma(DoubleVector.fromMemorySegment(DS, b, i * 8, NATIVE), a0);
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s = Math.fma(a.getAtIndex(ScalarKernels.F64, i), b.getAtIndex(ScalarKernels.F64, i), s);
        }
        return s;
    }

    // ---- min / max ---------------------------------------------------------------------------
    // A loop per operator, for the same reason as in the elementwise kernels below.

    @Override
    public float extremum(float[] x, int from, int to, boolean max) {
        int i = from;
        float m = x[from];
        if (to - from >= FL) {
            FloatVector acc = FloatVector.fromArray(FS, x, i);
            if (max) {
                for (i += FL; i <= to - FL; i += FL) {
                    acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(FS, x, i));
                }
                m = acc.reduceLanes(VectorOperators.MAX);
            } else {
                for (i += FL; i <= to - FL; i += FL) {
                    acc = acc.lanewise(VectorOperators.MIN, FloatVector.fromArray(FS, x, i));
                }
                m = acc.reduceLanes(VectorOperators.MIN);
            }
        }
        for (; i < to; i++) {
            float v = x[i];
            m = max ? Math.max(m, v) : Math.min(m, v);
        }
        return m;
    }

    @Override
    public double extremum(double[] x, int from, int to, boolean max) {
        int i = from;
        double m = x[from];
        if (to - from >= DL) {
            DoubleVector acc = DoubleVector.fromArray(DS, x, i);
            if (max) {
                for (i += DL; i <= to - DL; i += DL) {
                    acc = acc.lanewise(VectorOperators.MAX, DoubleVector.fromArray(DS, x, i));
                }
                m = acc.reduceLanes(VectorOperators.MAX);
            } else {
                for (i += DL; i <= to - DL; i += DL) {
                    acc = acc.lanewise(VectorOperators.MIN, DoubleVector.fromArray(DS, x, i));
                }
                m = acc.reduceLanes(VectorOperators.MIN);
            }
        }
        for (; i < to; i++) {
            double v = x[i];
            m = max ? Math.max(m, v) : Math.min(m, v);
        }
        return m;
    }

    @Override
    public float extremumF32(MemorySegment x, long from, long to, boolean max) {
        long i = from;
        float m = x.getAtIndex(ScalarKernels.F32, from);
        if (to - from >= FL) {
            FloatVector acc = FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE);
            if (max) {
                for (i += FL; i <= to - FL; i += FL) {
                    acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE));
                }
                m = acc.reduceLanes(VectorOperators.MAX);
            } else {
                for (i += FL; i <= to - FL; i += FL) {
                    acc = acc.lanewise(VectorOperators.MIN, FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE));
                }
                m = acc.reduceLanes(VectorOperators.MIN);
            }
        }
        for (; i < to; i++) {
            float v = x.getAtIndex(ScalarKernels.F32, i);
            m = max ? Math.max(m, v) : Math.min(m, v);
        }
        return m;
    }

    @Override
    public double extremumF64(MemorySegment x, long from, long to, boolean max) {
        long i = from;
        double m = x.getAtIndex(ScalarKernels.F64, from);
        if (to - from >= DL) {
            DoubleVector acc = DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE);
            if (max) {
                for (i += DL; i <= to - DL; i += DL) {
                    acc = acc.lanewise(VectorOperators.MAX, DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE));
                }
                m = acc.reduceLanes(VectorOperators.MAX);
            } else {
                for (i += DL; i <= to - DL; i += DL) {
                    acc = acc.lanewise(VectorOperators.MIN, DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE));
                }
                m = acc.reduceLanes(VectorOperators.MIN);
            }
        }
        for (; i < to; i++) {
            double v = x.getAtIndex(ScalarKernels.F64, i);
            m = max ? Math.max(m, v) : Math.min(m, v);
        }
        return m;
    }

    // ---- elementwise -------------------------------------------------------------------------

    // One loop per operator, each naming its operator as a constant: the Vector API intrinsifies
    // only constant operators. A shared helper taking the operator as a parameter was measured
    // 25x slower once C2 compiled it on its own (too big to inline afterwards).
    @Override
    public void apply(UnaryOp op, float[] x, float[] out, int from, int to) {
        int i = from;
        int bound = to - FL;
        switch (op) {
            case SQUARE -> {
                for (; i <= bound; i += FL) {
                    FloatVector v = FloatVector.fromArray(FS, x, i);
                    v.mul(v).intoArray(out, i);
                }
            }
            case SQRT -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromArray(FS, x, i).lanewise(VectorOperators.SQRT).intoArray(out, i);
                }
            }
            case LOG -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromArray(FS, x, i).lanewise(VectorOperators.LOG).intoArray(out, i);
                }
            }
            case EXP -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromArray(FS, x, i).lanewise(VectorOperators.EXP).intoArray(out, i);
                }
            }
            case ABS -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromArray(FS, x, i).lanewise(VectorOperators.ABS).intoArray(out, i);
                }
            }
            case NEGATE -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromArray(FS, x, i).lanewise(VectorOperators.NEG).intoArray(out, i);
                }
            }
        }
        for (; i < to; i++) {
            out[i] = op.apply(x[i]);
        }
    }

    @Override
    public void apply(UnaryOp op, double[] x, double[] out, int from, int to) {
        int i = from;
        int bound = to - DL;
        switch (op) {
            case SQUARE -> {
                for (; i <= bound; i += DL) {
                    DoubleVector v = DoubleVector.fromArray(DS, x, i);
                    v.mul(v).intoArray(out, i);
                }
            }
            case SQRT -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromArray(DS, x, i).lanewise(VectorOperators.SQRT).intoArray(out, i);
                }
            }
            case LOG -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromArray(DS, x, i).lanewise(VectorOperators.LOG).intoArray(out, i);
                }
            }
            case EXP -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromArray(DS, x, i).lanewise(VectorOperators.EXP).intoArray(out, i);
                }
            }
            case ABS -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromArray(DS, x, i).lanewise(VectorOperators.ABS).intoArray(out, i);
                }
            }
            case NEGATE -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromArray(DS, x, i).lanewise(VectorOperators.NEG).intoArray(out, i);
                }
            }
        }
        for (; i < to; i++) {
            out[i] = op.apply(x[i]);
        }
    }

    @Override
    public void applyF32(UnaryOp op, MemorySegment x, MemorySegment out, long from, long to) {
        long i = from;
        long bound = to - FL;
        switch (op) {
            case SQUARE -> {
                for (; i <= bound; i += FL) {
                    FloatVector v = FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE);
                    v.mul(v).intoMemorySegment(out, i * 4, NATIVE);
                }
            }
            case SQRT -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE).lanewise(VectorOperators.SQRT).intoMemorySegment(out, i * 4, NATIVE);
                }
            }
            case LOG -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE).lanewise(VectorOperators.LOG).intoMemorySegment(out, i * 4, NATIVE);
                }
            }
            case EXP -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE).lanewise(VectorOperators.EXP).intoMemorySegment(out, i * 4, NATIVE);
                }
            }
            case ABS -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE).lanewise(VectorOperators.ABS).intoMemorySegment(out, i * 4, NATIVE);
                }
            }
            case NEGATE -> {
                for (; i <= bound; i += FL) {
                    FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE).lanewise(VectorOperators.NEG).intoMemorySegment(out, i * 4, NATIVE);
                }
            }
        }
        for (; i < to; i++) {
            out.setAtIndex(ScalarKernels.F32, i, op.apply(x.getAtIndex(ScalarKernels.F32, i)));
        }
    }

    @Override
    public void applyF64(UnaryOp op, MemorySegment x, MemorySegment out, long from, long to) {
        long i = from;
        long bound = to - DL;
        switch (op) {
            case SQUARE -> {
                for (; i <= bound; i += DL) {
                    DoubleVector v = DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE);
                    v.mul(v).intoMemorySegment(out, i * 8, NATIVE);
                }
            }
            case SQRT -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE).lanewise(VectorOperators.SQRT).intoMemorySegment(out, i * 8, NATIVE);
                }
            }
            case LOG -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE).lanewise(VectorOperators.LOG).intoMemorySegment(out, i * 8, NATIVE);
                }
            }
            case EXP -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE).lanewise(VectorOperators.EXP).intoMemorySegment(out, i * 8, NATIVE);
                }
            }
            case ABS -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE).lanewise(VectorOperators.ABS).intoMemorySegment(out, i * 8, NATIVE);
                }
            }
            case NEGATE -> {
                for (; i <= bound; i += DL) {
                    DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE).lanewise(VectorOperators.NEG).intoMemorySegment(out, i * 8, NATIVE);
                }
            }
        }
        for (; i < to; i++) {
            out.setAtIndex(ScalarKernels.F64, i, op.apply(x.getAtIndex(ScalarKernels.F64, i)));
        }
    }

    @Override
    public void scaleOffset(float[] x, float scale, float offset, float[] out, int from, int to) {
        FloatVector s = FloatVector.broadcast(FS, scale), o = FloatVector.broadcast(FS, offset);
        int i = from;
        for (; i <= to - FL; i += FL) {
            FloatVector.fromArray(FS, x, i).fma(s, o).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = Math.fma(x[i], scale, offset);
        }
    }

    @Override
    public void scaleOffset(double[] x, double scale, double offset, double[] out, int from, int to) {
        DoubleVector s = DoubleVector.broadcast(DS, scale), o = DoubleVector.broadcast(DS, offset);
        int i = from;
        for (; i <= to - DL; i += DL) {
            DoubleVector.fromArray(DS, x, i).fma(s, o).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = Math.fma(x[i], scale, offset);
        }
    }

    @Override
    public void scaleOffsetF32(MemorySegment x, float scale, float offset, MemorySegment out, long from, long to) {
        FloatVector s = FloatVector.broadcast(FS, scale), o = FloatVector.broadcast(FS, offset);
        long i = from;
        for (; i <= to - FL; i += FL) {
            FloatVector.fromMemorySegment(FS, x, i * 4, NATIVE).fma(s, o).intoMemorySegment(out, i * 4, NATIVE);
        }
        for (; i < to; i++) {
            out.setAtIndex(ScalarKernels.F32, i, Math.fma(x.getAtIndex(ScalarKernels.F32, i), scale, offset));
        }
    }

    @Override
    public void scaleOffsetF64(MemorySegment x, double scale, double offset, MemorySegment out, long from, long to) {
        DoubleVector s = DoubleVector.broadcast(DS, scale), o = DoubleVector.broadcast(DS, offset);
        long i = from;
        for (; i <= to - DL; i += DL) {
            DoubleVector.fromMemorySegment(DS, x, i * 8, NATIVE).fma(s, o).intoMemorySegment(out, i * 8, NATIVE);
        }
        for (; i < to; i++) {
            out.setAtIndex(ScalarKernels.F64, i, Math.fma(x.getAtIndex(ScalarKernels.F64, i), scale, offset));
        }
    }

    // ---- matrix multiply micro-kernel ----------------------------------------------------------
    // A 2 x 6-vector tile: 12 accumulators, 6 loads of B and only 2 broadcasts of A per step.
    // Broadcasts are what C2's code pays most for: measured single-threaded on AVX2 with
    // L1-resident panels (kc = 128), 6x2 and 4x3 tiles ran at ~40 GFLOP/s and this one at ~85.
    // Full tiles only: an edge path that spilled the accumulators to an array, in the same method,
    // made C2 keep the vectors boxed and ran 25x slower; MatrixMultiply handles edge tiles. The
    // kernel always adds into C (which starts zeroed): a flag choosing between add-and-store and
    // plain store cost a third of the speed.

    @Override
    public int gemmRows() {
        return GEMM_ROWS;
    }

    @Override
    public int gemmCols(DType type) {
        return GEMM_VECTORS * (type == DType.F32 ? FL : DL);
    }

    @Override
    public void gemm(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(FS), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
        for (int p = 0; p < kc; p++) {
            int a = ai + p * GEMM_ROWS;   // indices linear in p, so C2 hoists the bounds checks
            int b = bi + p * GEMM_VECTORS * FL;
            FloatVector b0 = FloatVector.fromArray(FS, bp, b);
            FloatVector b1 = FloatVector.fromArray(FS, bp, b + 1 * FL);
            FloatVector b2 = FloatVector.fromArray(FS, bp, b + 2 * FL);
            FloatVector b3 = FloatVector.fromArray(FS, bp, b + 3 * FL);
            FloatVector b4 = FloatVector.fromArray(FS, bp, b + 4 * FL);
            FloatVector b5 = FloatVector.fromArray(FS, bp, b + 5 * FL);
            FloatVector a0 = FloatVector.broadcast(FS, ap[a]);
            FloatVector a1 = FloatVector.broadcast(FS, ap[a + 1]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
            c05 = a0.fma(b5, c05);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c14 = a1.fma(b4, c14);
            c15 = a1.fma(b5, c15);
        }
        addInto(c00, c, ci);
        addInto(c01, c, ci + 1 * FL);
        addInto(c02, c, ci + 2 * FL);
        addInto(c03, c, ci + 3 * FL);
        addInto(c04, c, ci + 4 * FL);
        addInto(c05, c, ci + 5 * FL);
        addInto(c10, c, ci + 1 * ldc);
        addInto(c11, c, ci + 1 * ldc + 1 * FL);
        addInto(c12, c, ci + 1 * ldc + 2 * FL);
        addInto(c13, c, ci + 1 * ldc + 3 * FL);
        addInto(c14, c, ci + 1 * ldc + 4 * FL);
        addInto(c15, c, ci + 1 * ldc + 5 * FL);
    }

    private static void addInto(FloatVector v, float[] c, int at) {
        v.add(FloatVector.fromArray(FS, c, at)).intoArray(c, at);
    }

    @Override
    public void gemm(int kc, double[] ap, int ai, double[] bp, int bi, double[] c, int ci, int ldc) {
        DoubleVector c00 = DoubleVector.zero(DS), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
        DoubleVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
        for (int p = 0; p < kc; p++) {
            int a = ai + p * GEMM_ROWS;   // indices linear in p, so C2 hoists the bounds checks
            int b = bi + p * GEMM_VECTORS * DL;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, b);
            DoubleVector b1 = DoubleVector.fromArray(DS, bp, b + 1 * DL);
            DoubleVector b2 = DoubleVector.fromArray(DS, bp, b + 2 * DL);
            DoubleVector b3 = DoubleVector.fromArray(DS, bp, b + 3 * DL);
            DoubleVector b4 = DoubleVector.fromArray(DS, bp, b + 4 * DL);
            DoubleVector b5 = DoubleVector.fromArray(DS, bp, b + 5 * DL);
            DoubleVector a0 = DoubleVector.broadcast(DS, ap[a]);
            DoubleVector a1 = DoubleVector.broadcast(DS, ap[a + 1]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
            c05 = a0.fma(b5, c05);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c14 = a1.fma(b4, c14);
            c15 = a1.fma(b5, c15);
        }
        addInto(c00, c, ci);
        addInto(c01, c, ci + 1 * DL);
        addInto(c02, c, ci + 2 * DL);
        addInto(c03, c, ci + 3 * DL);
        addInto(c04, c, ci + 4 * DL);
        addInto(c05, c, ci + 5 * DL);
        addInto(c10, c, ci + 1 * ldc);
        addInto(c11, c, ci + 1 * ldc + 1 * DL);
        addInto(c12, c, ci + 1 * ldc + 2 * DL);
        addInto(c13, c, ci + 1 * ldc + 3 * DL);
        addInto(c14, c, ci + 1 * ldc + 4 * DL);
        addInto(c15, c, ci + 1 * ldc + 5 * DL);
    }

    private static void addInto(DoubleVector v, double[] c, int at) {
        v.add(DoubleVector.fromArray(DS, c, at)).intoArray(c, at);
    }
}
