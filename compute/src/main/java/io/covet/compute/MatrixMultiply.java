package io.covet.compute;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Row-major {@code C = A * B}, blocked the way BLIS/GotoBLAS do it:
 * <pre>
 *   for each NC-wide column block of B and C           (jc)
 *     for each KC-deep slice of the inner dimension    (pc)   pack B[pc, jc] into NR-wide panels
 *       for each MC-tall row block of A and C  in parallel (ic) pack A[ic, pc] into MR-tall panels
 *         for each B panel, for each A panel: micro-kernel on an MR x NR tile of C
 * </pre>
 * Packed panels are contiguous and zero-padded, so the micro-kernel streams them with unit
 * stride; a packed B panel (KC x NR) stays in L1 and a packed A block (MC x KC) in L2. Each
 * parallel task packs its own A block, so tasks share nothing but the read-only packed B.
 * When there are fewer row blocks than tasks wanted, the B panels are split between tasks too.
 */
final class MatrixMultiply {

    /** Inner-dimension slice: one packed B panel is KC x NR (16 KiB for f32 on AVX2). */
    static final int KC = 256;
    /** Rows of A per task: a packed A block is MC x KC (120 KiB for f32); a multiple of 4 and 6. */
    static final int MC = 120;
    /** Columns of B per packed block. */
    static final int NC = 3072;

    private MatrixMultiply() {
    }

    /** Runs on the calling thread, which may be a pool worker; {@code tasksWanted} is how many leaves to aim for. */
    static void multiply(Kernels kernels, float[] a, float[] b, float[] c, int m, int k, int n, int tasksWanted) {
        int mr = kernels.gemmRows();
        int nr = kernels.gemmCols(DType.F32);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            java.util.Arrays.fill(c, 0, m * n, 0f);
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int bPanels = ceilDiv(nc, nr);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bp = new float[bPanels * nr * kc];
                packB(b, n, pc, kc, jc, nc, nr, bp);
                boolean accumulate = pc > 0;
                final int jcF = jc, pcF = pc;
                runBlocks(m, bPanels, tasksWanted, (ic, jrFrom, jrTo) -> {
                    int mc = Math.min(MC, m - ic);
                    float[] ap = new float[ceilDiv(mc, mr) * mr * kc];
                    packA(a, k, ic, mc, pcF, kc, mr, ap);
                    float[] tile = new float[mr * nr];
                    for (int jr = jrFrom; jr < jrTo; jr++) {
                        int col = jcF + jr * nr;
                        int cols = Math.min(nr, jcF + nc - col);
                        for (int ir = 0; ir * mr < mc; ir++) {
                            int row = ic + ir * mr;
                            int rows = Math.min(mr, ic + mc - row);
                            if (rows == mr && cols == nr) {
                                kernels.gemm(kc, ap, ir * mr * kc, bp, jr * nr * kc, c, row * n + col, n, accumulate);
                            } else {
                                kernels.gemm(kc, ap, ir * mr * kc, bp, jr * nr * kc, tile, 0, nr, false);
                                addTile(tile, nr, c, row * n + col, n, rows, cols, accumulate);
                            }
                        }
                    }
                });
            }
        }
    }

    static void multiply(Kernels kernels, double[] a, double[] b, double[] c, int m, int k, int n, int tasksWanted) {
        int mr = kernels.gemmRows();
        int nr = kernels.gemmCols(DType.F64);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            java.util.Arrays.fill(c, 0, m * n, 0d);
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int bPanels = ceilDiv(nc, nr);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                double[] bp = new double[bPanels * nr * kc];
                packB(b, n, pc, kc, jc, nc, nr, bp);
                boolean accumulate = pc > 0;
                final int jcF = jc, pcF = pc;
                runBlocks(m, bPanels, tasksWanted, (ic, jrFrom, jrTo) -> {
                    int mc = Math.min(MC, m - ic);
                    double[] ap = new double[ceilDiv(mc, mr) * mr * kc];
                    packA(a, k, ic, mc, pcF, kc, mr, ap);
                    double[] tile = new double[mr * nr];
                    for (int jr = jrFrom; jr < jrTo; jr++) {
                        int col = jcF + jr * nr;
                        int cols = Math.min(nr, jcF + nc - col);
                        for (int ir = 0; ir * mr < mc; ir++) {
                            int row = ic + ir * mr;
                            int rows = Math.min(mr, ic + mc - row);
                            if (rows == mr && cols == nr) {
                                kernels.gemm(kc, ap, ir * mr * kc, bp, jr * nr * kc, c, row * n + col, n, accumulate);
                            } else {
                                kernels.gemm(kc, ap, ir * mr * kc, bp, jr * nr * kc, tile, 0, nr, false);
                                addTile(tile, nr, c, row * n + col, n, rows, cols, accumulate);
                            }
                        }
                    }
                });
            }
        }
    }

    /** One unit of parallel work: the row block starting at {@code ic}, B panels {@code [jrFrom, jrTo)}. */
    @FunctionalInterface
    private interface Block {
        void run(int ic, int jrFrom, int jrTo);
    }

    private static void runBlocks(int m, int bPanels, int tasksWanted, Block block) {
        int rowBlocks = ceilDiv(m, MC);
        int panelGroups = Math.min(bPanels, Math.max(1, ceilDiv(tasksWanted, rowBlocks)));
        if (tasksWanted <= 1 || rowBlocks * panelGroups == 1) {
            for (int ic = 0; ic < m; ic += MC) {
                block.run(ic, 0, bPanels);
            }
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(rowBlocks * panelGroups);
        for (int ic = 0; ic < m; ic += MC) {
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

    /** Packs rows {@code [ic, ic+mc)} x columns {@code [pc, pc+kc)} of A (row stride {@code k}) into MR-tall panels. */
    private static void packA(float[] a, int k, int ic, int mc, int pc, int kc, int mr, float[] ap) {
        for (int ir = 0; ir * mr < mc; ir++) {
            int base = ir * mr * kc;
            int rows = Math.min(mr, mc - ir * mr);
            for (int r = 0; r < rows; r++) {
                int src = (ic + ir * mr + r) * k + pc;
                for (int p = 0; p < kc; p++) {
                    ap[base + p * mr + r] = a[src + p];
                }
            }
        }
    }

    private static void packA(double[] a, int k, int ic, int mc, int pc, int kc, int mr, double[] ap) {
        for (int ir = 0; ir * mr < mc; ir++) {
            int base = ir * mr * kc;
            int rows = Math.min(mr, mc - ir * mr);
            for (int r = 0; r < rows; r++) {
                int src = (ic + ir * mr + r) * k + pc;
                for (int p = 0; p < kc; p++) {
                    ap[base + p * mr + r] = a[src + p];
                }
            }
        }
    }

    /** Packs rows {@code [pc, pc+kc)} x columns {@code [jc, jc+nc)} of B (row stride {@code n}) into NR-wide panels. */
    private static void packB(float[] b, int n, int pc, int kc, int jc, int nc, int nr, float[] bp) {
        for (int jr = 0; jr * nr < nc; jr++) {
            int cols = Math.min(nr, nc - jr * nr);
            int base = jr * nr * kc;
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, (pc + p) * n + jc + jr * nr, bp, base + p * nr, cols);
            }
        }
    }

    private static void packB(double[] b, int n, int pc, int kc, int jc, int nc, int nr, double[] bp) {
        for (int jr = 0; jr * nr < nc; jr++) {
            int cols = Math.min(nr, nc - jr * nr);
            int base = jr * nr * kc;
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, (pc + p) * n + jc + jr * nr, bp, base + p * nr, cols);
            }
        }
    }

    /** Copies (or adds, when accumulating) the {@code rows x cols} corner of an edge tile into C. */
    private static void addTile(float[] tile, int nr, float[] c, int ci, int ldc, int rows, int cols, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int at = ci + r * ldc + j;
                c[at] = accumulate ? c[at] + tile[r * nr + j] : tile[r * nr + j];
            }
        }
    }

    private static void addTile(double[] tile, int nr, double[] c, int ci, int ldc, int rows, int cols, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int at = ci + r * ldc + j;
                c[at] = accumulate ? c[at] + tile[r * nr + j] : tile[r * nr + j];
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return -Math.floorDiv(-x, y);
    }
}
