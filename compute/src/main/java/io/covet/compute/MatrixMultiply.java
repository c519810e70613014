package io.covet.compute;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Row-major {@code C = A * B}, blocked after BLIS/GotoBLAS:
 * <pre>
 *   for each NC-wide column block of B and C (jc):  pack every KC-deep slice of B into NR-wide panels
 *     in parallel, for each MC-tall row block of A and C (ic), one task:
 *       for each KC-deep slice (pc):  pack A[ic, pc] into MR-tall panels
 *         for each B panel (jr), for each A panel (ir): the micro-kernel adds A*B into an MR x NR tile
 *       add the task's tiles into C
 * </pre>
 * Packed panels are contiguous and zero-padded, so the micro-kernel streams them with unit
 * stride; a B micro-panel (KC x NR) stays in L1. Each task accumulates its block of C in a
 * private buffer laid out tile by tile (each tile's rows contiguous), sized to stay in L2 from
 * one slice to the next, and adds it into C once at the end. Measured on 2 threads, AVX2,
 * medians at n = 1024 / 2048: BLIS's order (slices outside, a fork/join per slice, tiles written
 * straight into row-major C) ran at ~50 / ~60 GFLOP/s, slices inside the task ~63 / ~74, and
 * the tile buffer ~77 / ~84 (C rows 4 KiB apart came back from L3 on every slice, and the
 * buffer also removes the edge-tile special case: padding lands in the buffer and is dropped).
 * Row blocks are sized so that their count is a multiple of the thread count (even shares);
 * when there are fewer row blocks than threads, the B panels are split between tasks too. A B
 * narrower than half a panel takes a dot-product path instead, and a K so deep that packed B
 * would pass {@link #MAX_PACKED_B} elements is done in chunks.
 */
final class MatrixMultiply {

    /** Bytes of one packed B micro-panel (KC x NR): it must stay in L1 (32 KiB on this machine) beside A. */
    static final int B_PANEL_BYTES = 24 * 1024;
    /** Bytes of a task's tile buffer for C (MC x NC), sized to stay in L2 (512 KiB here) from one slice to the next. */
    static final int C_BLOCK_BYTES = 192 * 1024;
    /**
     * Bytes of one row of a packed column block of B (NC columns). It bounds packed B (K x NC) so
     * that it stays well inside L3 while every row block streams it. Medians on 2 threads at
     * n = 2048: with 3072 columns f64 packed 32 MiB (all of L3) and ran at ~29 GFLOP/s; with 8 KiB
     * rows ~37, with 4 KiB rows ~39-49 (f32: ~76-89 with either).
     */
    static final int NC_BYTES = 4096;

    /** NC: columns of B per packed block, a whole number of panels, blocks of about equal width. */
    static int columnsPerBlock(int n, int nr, int elementBytes) {
        int blocks = ceilDiv(n, Math.max(nr, NC_BYTES / elementBytes));
        return ceilDiv(ceilDiv(n, blocks), nr) * nr;
    }

    /** KC: the inner-dimension slice whose B micro-panel fills {@link #B_PANEL_BYTES}; 128 for AVX2. */
    static int depth(int nr, int elementBytes) {
        return Math.clamp((B_PANEL_BYTES / (nr * elementBytes)) & ~15, 16, 512);
    }

    /**
     * MC: rows per block, a multiple of {@code mr}, at most what keeps the C block within
     * {@link #C_BLOCK_BYTES}, and such that the block count is a multiple of {@code threads}.
     */
    static int rowsPerBlock(int m, int mr, int nc, int elementBytes, int threads) {
        int mcMax = Math.max(mr, C_BLOCK_BYTES / (nc * elementBytes));
        int blocks = ceilDiv(ceilDiv(m, mcMax), threads) * threads;
        return Math.max(mr, ceilDiv(ceilDiv(m, blocks), mr) * mr);
    }

    /** Most elements of packed B held at once (512 MiB of floats); a deeper K is done in chunks that add into C. */
    static final int MAX_PACKED_B = 1 << 27;

    /** How much of K to pack at once: all of it unless that passes {@link #MAX_PACKED_B}; a multiple of KC. */
    static int depthChunk(int paddedWidth, int kcMax) {
        int slices = Math.max(1, MAX_PACKED_B / paddedWidth / kcMax);
        return (int) Math.min(Integer.MAX_VALUE, (long) slices * kcMax);
    }

    /** A range of rows, for the narrow path. */
    @FunctionalInterface
    private interface Rows {
        void run(int from, int to);
    }

    private static void forEachRowRange(int m, int threads, Rows rows) {
        int pieces = threads <= 1 ? 1 : Math.min(m, threads * 4);
        if (pieces <= 1) {
            rows.run(0, m);
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(pieces);
        for (int piece = 0; piece < pieces; piece++) {
            int from = (int) ((long) m * piece / pieces);
            int to = (int) ((long) m * (piece + 1) / pieces);
            tasks.add(new RecursiveAction() {
                @Override
                protected void compute() {
                    rows.run(from, to);
                }
            });
        }
        ForkJoinTask.invokeAll(tasks);
    }

    /** A KC-deep slice of the inner dimension. */
    @FunctionalInterface
    private interface Slice {
        void pack(int pc, int kc);
    }

    /** Runs {@code slice} for each KC-deep slice of {@code [0, k)}, in parallel when {@code threads > 1}. */
    private static void forEachSlice(int k, int kcMax, int threads, Slice slice) {
        if (threads <= 1 || k <= kcMax) {
            for (int pc = 0; pc < k; pc += kcMax) {
                slice.pack(pc, Math.min(kcMax, k - pc));
            }
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>();
        for (int pc = 0; pc < k; pc += kcMax) {
            int from = pc;
            tasks.add(new RecursiveAction() {
                @Override
                protected void compute() {
                    slice.pack(from, Math.min(kcMax, k - from));
                }
            });
        }
        ForkJoinTask.invokeAll(tasks);
    }

    private MatrixMultiply() {
    }

    /** Runs on the calling thread, which may be a pool worker; with {@code threads > 1} it forks tasks in that pool. */
    static void multiply(Kernels kernels, float[] a, float[] b, float[] c, int m, int k, int n, int threads) {
        multiply(new FloatOps(kernels), a, b, c, m, k, n, threads);
    }

    static void multiply(Kernels kernels, double[] a, double[] b, double[] c, int m, int k, int n, int threads) {
        multiply(new DoubleOps(kernels), a, b, c, m, k, n, threads);
    }

    /**
     * What differs between float and double products: buffers, packing, the micro-kernel and the
     * narrow path. The loops around them are shared; the kernel call through this interface costs
     * nothing next to a micro-kernel's 2 x 48 x 128 multiply-adds.
     */
    private interface Ops<A> {
        int elementBytes();

        int panelRows();

        int panelWidth();

        A allocate(int length);

        void zero(A array, int from, int to);

        void packA(A a, int k, int ic, int mc, int pc, int kc, int mr, A ap);

        void packB(A b, int n, int pc, int kc, int jc, int nc, int nr, A bp, int offset);

        void kernel(int kc, A ap, int ai, A bp, int bi, A c, int ci, int ldc);

        /** Adds {@code rows x cols} of the tiles at {@code from} (rows of {@code nr}) into C at {@code ci}. */
        void addTiles(A tiles, int from, int nr, A c, int ci, int ldc, int rows, int cols);

        void narrow(A a, A b, A c, int m, int k, int n, int threads);
    }

    private static <A> void multiply(Ops<A> ops, A a, A b, A c, int m, int k, int n, int threads) {
        if (m == 0 || n == 0) {
            return;
        }
        ops.zero(c, 0, m * n);   // the micro-kernel adds into C
        if (k == 0) {
            return;
        }
        int nr = ops.panelWidth();
        if (n < nr / 2) {
            ops.narrow(a, b, c, m, k, n, threads);
            return;
        }
        int mr = ops.panelRows();
        int kcMax = depth(nr, ops.elementBytes());
        int ncMax = columnsPerBlock(n, nr, ops.elementBytes());
        for (int block = 0; block < n; block += ncMax) {
            int jc = block;
            int nc = Math.min(ncMax, n - jc);
            int bPanels = ceilDiv(nc, nr);
            int mcMax = rowsPerBlock(m, mr, nc, ops.elementBytes(), threads);
            for (int chunk = 0, kChunk = depthChunk(bPanels * nr, kcMax); chunk < k; chunk += kChunk) {
                int k0 = chunk;
                int kLen = Math.min(kChunk, k - k0);
                // Every KC slice of B[k0 : k0+kLen, jc : jc+nc], packed up front; slice p starts at bPanels * nr * p.
                A bp = ops.allocate(bPanels * nr * kLen);
                forEachSlice(kLen, kcMax, threads, (p, kc) -> ops.packB(b, n, k0 + p, kc, jc, nc, nr, bp, bPanels * nr * p));
                runBlocks(m, mcMax, bPanels, threads, (ic, jrFrom, jrTo) -> {
                    int mc = Math.min(mcMax, m - ic);
                    int mcPadded = ceilDiv(mc, mr) * mr;
                    A ap = ops.allocate(mcPadded * kcMax);
                    // The task's block of C, tile by tile: tile (jr, ir) holds mr contiguous rows of nr.
                    A cTiles = ops.allocate((jrTo - jrFrom) * mcPadded * nr);
                    for (int p = 0; p < kLen; p += kcMax) {
                        int kc = Math.min(kcMax, kLen - p);
                        ops.packA(a, k, ic, mc, k0 + p, kc, mr, ap);
                        int slice = bPanels * nr * p;
                        for (int jr = jrFrom; jr < jrTo; jr++) {
                            int tiles = (jr - jrFrom) * mcPadded * nr;
                            for (int ir = 0; ir * mr < mc; ir++) {
                                ops.kernel(kc, ap, ir * mr * kc, bp, slice + jr * nr * kc, cTiles, tiles + ir * mr * nr, nr);
                            }
                        }
                    }
                    for (int jr = jrFrom; jr < jrTo; jr++) {
                        int col = jc + jr * nr;
                        ops.addTiles(cTiles, (jr - jrFrom) * mcPadded * nr, nr, c, ic * n + col, n, mc, Math.min(nr, jc + nc - col));
                    }
                });
            }
        }
    }

    private record FloatOps(Kernels kernels) implements Ops<float[]> {
        @Override
        public int elementBytes() {
            return 4;
        }

        @Override
        public int panelRows() {
            return kernels.gemmRows();
        }

        @Override
        public int panelWidth() {
            return kernels.gemmCols(DType.F32);
        }

        @Override
        public float[] allocate(int length) {
            return new float[length];
        }

        @Override
        public void zero(float[] array, int from, int to) {
            java.util.Arrays.fill(array, from, to, 0f);
        }

        @Override
        public void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc) {
            kernels.gemm(kc, ap, ai, bp, bi, c, ci, ldc);
        }

        /** Packs rows {@code [ic, ic+mc)} x columns {@code [pc, pc+kc)} of A (row stride {@code k}) into MR-tall panels. */
        @Override
        public void packA(float[] a, int k, int ic, int mc, int pc, int kc, int mr, float[] ap) {
            for (int ir = 0; ir * mr < mc; ir++) {
                int base = ir * mr * kc;
                int rows = Math.min(mr, mc - ir * mr);
                if (rows < mr) {
                    java.util.Arrays.fill(ap, base, base + mr * kc, 0f);   // zero padding, not a previous slice's values
                }
                for (int r = 0; r < rows; r++) {
                    int src = (ic + ir * mr + r) * k + pc;
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * mr + r] = a[src + p];
                    }
                }
            }
        }

        /** Packs rows {@code [pc, pc+kc)} x columns {@code [jc, jc+nc)} of B (row stride {@code n}) into NR-wide panels at {@code offset}. */
        @Override
        public void packB(float[] b, int n, int pc, int kc, int jc, int nc, int nr, float[] bp, int offset) {
            for (int jr = 0; jr * nr < nc; jr++) {
                int cols = Math.min(nr, nc - jr * nr);
                int base = offset + jr * nr * kc;
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, (pc + p) * n + jc + jr * nr, bp, base + p * nr, cols);
                }
            }
        }

        @Override
        public void addTiles(float[] tiles, int from, int nr, float[] c, int ci, int ldc, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    c[ci + r * ldc + j] += tiles[from + r * nr + j];
                }
            }
        }

        /**
         * B narrower than half a micro-panel (a matrix-vector product, say): padding it to NR
         * columns would multiply mostly zeros, so each element of C is a dot product of a row of A
         * with a column of B (transposed once so that both run with unit stride).
         */
        @Override
        public void narrow(float[] a, float[] b, float[] c, int m, int k, int n, int threads) {
            float[] bt = new float[k * n];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bt[j * k + p] = b[p * n + j];
                }
            }
            forEachRowRange(m, threads, (from, to) -> {
                for (int i = from; i < to; i++) {
                    for (int j = 0; j < n; j++) {
                        c[i * n + j] = (float) kernels.dot(a, i * k, bt, j * k, k);
                    }
                }
            });
        }
    }

    private record DoubleOps(Kernels kernels) implements Ops<double[]> {
        @Override
        public int elementBytes() {
            return 8;
        }

        @Override
        public int panelRows() {
            return kernels.gemmRows();
        }

        @Override
        public int panelWidth() {
            return kernels.gemmCols(DType.F64);
        }

        @Override
        public double[] allocate(int length) {
            return new double[length];
        }

        @Override
        public void zero(double[] array, int from, int to) {
            java.util.Arrays.fill(array, from, to, 0d);
        }

        @Override
        public void kernel(int kc, double[] ap, int ai, double[] bp, int bi, double[] c, int ci, int ldc) {
            kernels.gemm(kc, ap, ai, bp, bi, c, ci, ldc);
        }

        /** Packs rows {@code [ic, ic+mc)} x columns {@code [pc, pc+kc)} of A (row stride {@code k}) into MR-tall panels. */
        @Override
        public void packA(double[] a, int k, int ic, int mc, int pc, int kc, int mr, double[] ap) {
            for (int ir = 0; ir * mr < mc; ir++) {
                int base = ir * mr * kc;
                int rows = Math.min(mr, mc - ir * mr);
                if (rows < mr) {
                    java.util.Arrays.fill(ap, base, base + mr * kc, 0d);   // zero padding, not a previous slice's values
                }
                for (int r = 0; r < rows; r++) {
                    int src = (ic + ir * mr + r) * k + pc;
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * mr + r] = a[src + p];
                    }
                }
            }
        }

        /** Packs rows {@code [pc, pc+kc)} x columns {@code [jc, jc+nc)} of B (row stride {@code n}) into NR-wide panels at {@code offset}. */
        @Override
        public void packB(double[] b, int n, int pc, int kc, int jc, int nc, int nr, double[] bp, int offset) {
            for (int jr = 0; jr * nr < nc; jr++) {
                int cols = Math.min(nr, nc - jr * nr);
                int base = offset + jr * nr * kc;
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, (pc + p) * n + jc + jr * nr, bp, base + p * nr, cols);
                }
            }
        }

        @Override
        public void addTiles(double[] tiles, int from, int nr, double[] c, int ci, int ldc, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    c[ci + r * ldc + j] += tiles[from + r * nr + j];
                }
            }
        }

        /**
         * B narrower than half a micro-panel (a matrix-vector product, say): padding it to NR
         * columns would multiply mostly zeros, so each element of C is a dot product of a row of A
         * with a column of B (transposed once so that both run with unit stride).
         */
        @Override
        public void narrow(double[] a, double[] b, double[] c, int m, int k, int n, int threads) {
            double[] bt = new double[k * n];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bt[j * k + p] = b[p * n + j];
                }
            }
            forEachRowRange(m, threads, (from, to) -> {
                for (int i = from; i < to; i++) {
                    for (int j = 0; j < n; j++) {
                        c[i * n + j] = (double) kernels.dot(a, i * k, bt, j * k, k);
                    }
                }
            });
        }
    }

    /** One unit of parallel work: the row block starting at {@code ic}, B panels {@code [jrFrom, jrTo)}. */
    @FunctionalInterface
    private interface Block {
        void run(int ic, int jrFrom, int jrTo);
    }

    private static void runBlocks(int m, int mc, int bPanels, int threads, Block block) {
        int rowBlocks = ceilDiv(m, mc);
        int panelGroups = Math.min(bPanels, Math.max(1, ceilDiv(threads, rowBlocks)));
        if (threads <= 1 || rowBlocks * panelGroups == 1) {
            for (int ic = 0; ic < m; ic += mc) {
                block.run(ic, 0, bPanels);
            }
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(rowBlocks * panelGroups);
        for (int ic = 0; ic < m; ic += mc) {
            for (int g = 0; g < panelGroups; g++) {
                int from = (int) ((long) bPanels * g / panelGroups);
                int to = (int) ((long) bPanels * (g + 1) / panelGroups);
                int icF = ic;
                tasks.add(new RecursiveAction() {
                    @Override
                    protected void compute() {
                        block.run(icF, from, to);
                    }
                });
            }
        }
        ForkJoinTask.invokeAll(tasks);
    }

    private static int ceilDiv(int x, int y) {
        return -Math.floorDiv(-x, y);
    }
}
