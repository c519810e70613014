package io.covet.bench;

import io.covet.compute.ComputeEngine;
import io.covet.compute.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * {@code covet bench compute}: each compute kernel at a few sizes, Covet's figure next to numpy's
 * for the same work in the same run. Memory-bound kernels report GB/s (bytes read plus bytes
 * written, into a preallocated output on both sides); matrix products report GFLOP/s (2n^3).
 */
public final class ComputeSuite {

    public ComputeSuite() {
    }

    public static final String SUITE = "compute";

    private static final long[] VECTOR_QUICK = {1_000_000, 100_000_000};
    private static final long[] VECTOR_FULL = {10_000, 1_000_000, 100_000_000};
    private static final long[] MATRIX_QUICK = {1024, 2048};
    private static final long[] MATRIX_FULL = {256, 1024, 2048};

    /**
     * Options of one run.
     *
     * @param plan    how each side is timed
     * @param sizes   sizes to run every case at (matrix sides for matmul); null for the defaults
     * @param quick   the quick default sizes rather than the full ones (when {@code sizes} is null)
     * @param threads Covet's compute threads, and OpenBLAS's in the numpy child
     * @param python  the interpreter to look for numpy in; null skips the peer
     * @param cases   case names to run; empty runs them all
     */
    public record Options(TimingPlan plan, long[] sizes, boolean quick, int threads, String python, List<String> cases) {

        public Options {
            cases = List.copyOf(cases);
            for (String c : cases) {
                if (!CASE_NAMES.contains(c)) {
                    throw new IllegalArgumentException("unknown case '" + c + "'; cases: " + String.join(", ", CASE_NAMES));
                }
            }
            if (threads < 1 || threads > 32767) {
                throw new IllegalArgumentException("threads must be between 1 and 32767, got " + threads);
            }
            if (sizes != null) {
                boolean matrices = cases.isEmpty() || cases.stream().anyMatch(c -> c.startsWith("matmul"));
                for (long size : sizes) {
                    if (size < 1 || size > Integer.MAX_VALUE - 8) {
                        throw new IllegalArgumentException("size must be between 1 and " + (Integer.MAX_VALUE - 8)
                                + ", got " + size);
                    }
                    if (matrices && size > MAX_MATRIX_SIDE) {
                        throw new IllegalArgumentException("size " + size + " is too large for the matmul cases (at most "
                                + MAX_MATRIX_SIDE + "); pick smaller sizes or leave matmul out with --cases");
                    }
                }
            }
        }
    }

    /** Largest matrix side a matmul case accepts: three n x n float arrays must fit the heap comfortably. */
    public static final int MAX_MATRIX_SIDE = 16_384;

    /** Hears about progress, e.g. to draw a progress bar. */
    public interface Listener {
        void step(int done, int total, String what);

        /** Said once when the peer cannot run, with the reason. */
        default void peerSkipped(String reason) {
        }

        /** Said when the peer failed on one case; that record has no peer figure and the run goes on. */
        default void peerFailed(String what, String reason) {
        }

        /** Said when a case was measured in conditions its reader should know of (the run goes on). */
        default void note(String what) {
        }
    }

    /** A prepared call and the work (bytes or flops) it does. */
    private record Prepared(Supplier<?> op, double work) {
    }

    @FunctionalInterface
    private interface Preparer {
        Prepared prepare(ComputeEngine engine, int size, Random random);
    }

    private record Case(String name, String unit, boolean matrix, Preparer preparer) {
    }

    private static final List<Case> CASES = List.of(
            new Case("sum_f32", "GB/s", false, (e, n, r) -> {
                float[] x = floats(n, r, -1, 1);
                return new Prepared(() -> e.sum(x), 4.0 * n);
            }),
            new Case("sum_f64", "GB/s", false, (e, n, r) -> {
                double[] x = doubles(n, r);
                return new Prepared(() -> e.sum(x), 8.0 * n);
            }),
            new Case("dot_f32", "GB/s", false, (e, n, r) -> {
                float[] x = floats(n, r, -1, 1);
                float[] y = floats(n, r, -1, 1);
                return new Prepared(() -> e.dot(x, y), 8.0 * n);
            }),
            unary("square_f32", UnaryOp.SQUARE, 0.5f, 1.5f),
            unary("sqrt_f32", UnaryOp.SQRT, 0.5f, 1.5f),
            unary("log_f32", UnaryOp.LOG, 0.5f, 1.5f),
            unary("exp_f32", UnaryOp.EXP, -10f, 10f),
            new Case("matmul_f32", "GFLOP/s", true, (e, n, r) -> {
                float[] a = floats(n * n, r, -1, 1);
                float[] b = floats(n * n, r, -1, 1);
                float[] c = new float[n * n];
                return new Prepared(() -> {
                    e.matmul(a, n, n, b, n, n, c);
                    return c;
                }, 2.0 * n * n * n);
            }),
            new Case("matmul_f64", "GFLOP/s", true, (e, n, r) -> {
                double[] a = doubles(n * n, r);
                double[] b = doubles(n * n, r);
                double[] c = new double[n * n];
                return new Prepared(() -> {
                    e.matmul(a, n, n, b, n, n, c);
                    return c;
                }, 2.0 * n * n * n);
            }));

    /** Case names, in the order they run. */
    public static final List<String> CASE_NAMES = CASES.stream().map(Case::name).toList();

    private static Case unary(String name, UnaryOp op, float lo, float hi) {
        return new Case(name, "GB/s", false, (e, n, r) -> {
            float[] x = floats(n, r, lo, hi);
            float[] out = new float[n];
            return new Prepared(() -> {
                e.apply(op, x, out);
                return out;
            }, 8.0 * n);
        });
    }

    /** Runs every case; Covet first, then the peer, case by case, so both see the same machine state. */
    public List<BenchRecord> run(Options options, Listener listener) {
        TimingPlan plan = options.plan();
        List<Case> cases = CASES.stream()
                .filter(c -> options.cases().isEmpty() || options.cases().contains(c.name()))
                .toList();
        NumpyPeer peer = null;
        if (options.python() != null) {
            switch (NumpyPeer.probe(options.python())) {
                case NumpyPeer.Found found -> peer = found.peer();
                case NumpyPeer.Missing missing -> listener.peerSkipped(missing.reason());
            }
        }
        int total = 0;
        for (Case c : cases) {
            total += sizes(c, options).length;
        }
        List<BenchRecord> records = new ArrayList<>();
        int done = 0;
        try (ComputeEngine engine = ComputeEngine.builder().threads(options.threads()).build()) {
            for (Case c : cases) {
                for (long size : sizes(c, options)) {
                    String what = c.name() + " n=" + size;
                    listener.step(done, total, what + " (covet)");
                    double covet = measureCovet(engine, c, (int) size, plan);
                    NumpyPeer.Result peerResult = null;
                    if (peer != null) {
                        listener.step(done, total, what + " (numpy)");
                        try {
                            peerResult = peer.measure(c.name(), size, plan, options.threads());
                        } catch (RuntimeException e) {
                            listener.peerFailed(what, e.getMessage());
                        }
                    }
                    records.add(new BenchRecord(SUITE, c.name(), size, engine.threads(), c.unit(), BenchRecord.HIGHER,
                            covet, peerResult == null ? null : peerResult.peer(),
                            peerResult == null ? null : peerResult.value(),
                            peerResult == null ? null : peerResult.threads()));
                    listener.step(++done, total, what);
                }
            }
        }
        return records;
    }

    private static double measureCovet(ComputeEngine engine, Case c, int size, TimingPlan plan) {
        Prepared prepared = c.preparer().prepare(engine, size, new Random(42));
        double seconds = Timing.secondsPerCall(prepared.op(), plan);
        return prepared.work() / seconds / 1e9;   // GB/s or GFLOP/s
    }

    private static long[] sizes(Case c, Options options) {
        if (options.sizes() != null) {
            return options.sizes();
        }
        if (c.matrix()) {
            return options.quick() ? MATRIX_QUICK : MATRIX_FULL;
        }
        return options.quick() ? VECTOR_QUICK : VECTOR_FULL;
    }

    private static float[] floats(int n, Random r, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + r.nextFloat() * (hi - lo);
        }
        return x;
    }

    private static double[] doubles(int n, Random r) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() * 2 - 1;
        }
        return x;
    }
}
