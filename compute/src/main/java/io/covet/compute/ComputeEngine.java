package io.covet.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Numeric kernels on {@code float}/{@code double} arrays and memory segments, on SIMD lanes and
 * on every core: the compute engine of ADR-007.
 *
 * <h2>Implementation overview</h2>
 * Every public method checks its inputs (null, shapes, element types) and then hands index
 * ranges to a {@link Kernels} implementation, chosen once per engine: SIMD through the Vector API
 * or plain loops. A call whose input is smaller than its parallel threshold runs on the calling
 * thread; a larger one is halved on the engine's {@link ForkJoinPool} until pieces are no longer
 * than {@code max(threshold, n / (}{@value #LEAVES_PER_THREAD}{@code  * threads))}, so that there are
 * a few leaves per thread for work stealing to even out uneven cores. The split depends only on the input's length and the
 * thread count, so results are reproducible run to run, and partial results are combined in
 * index order (left then right), which is what makes {@link #reduce} give the sequential answer
 * for any associative operation.
 *
 * <p>The thresholds come from measurement ({@code ParallelThresholdBenchmark} and
 * {@code MatmulThresholdBenchmark} in {@code bench/}, numbers in BENCHMARKS.md): below them,
 * waking a second thread costs more than it saves.
 *
 * <h2>Memory segments</h2>
 * Segment elements are in native byte order ({@link DType} says which type). A segment that only
 * its owner thread may touch (from {@link Arena#ofConfined()}) is processed on the calling thread.
 * The segment kernels are tuned for native memory; heap segments work, but Java arrays are best
 * passed as arrays (one JIT profile for both kinds of memory measured 3-6x slower). An output
 * segment may be its input, but must not partly overlap it.
 *
 * <h2>Lifecycle</h2>
 * After {@link #close()} every method throws {@link IllegalStateException}.
 *
 * <h2>Errors</h2>
 * Null arguments throw {@link NullPointerException}; mismatched shapes and bad sizes throw
 * {@link IllegalArgumentException} naming both shapes; the min/max/mean of nothing throw
 * {@link IllegalArgumentException}. NaN and infinities follow IEEE 754: a NaN input makes sums,
 * dots, means, min and max NaN.
 */
public final class ComputeEngine implements AutoCloseable {

    /** Leaves per thread when a call is split: enough for work stealing to balance, few enough to stay cheap. */
    static final int LEAVES_PER_THREAD = 4;

    /**
     * Elements below which a memory-bound kernel (sum, dot, min/max, square, abs, negate,
     * scale-offset) stays on the calling thread. Measured on 2 cores (ParallelThresholdBenchmark,
     * BENCHMARKS.md): a float sum split over the pool lost up to 2M elements (the data still in
     * cache, where one core streams it about as fast as two, and waking a worker costs ~15 us)
     * and won 1.4x from 8M; the threshold sits between.
     */
    public static final long DEFAULT_PARALLEL_THRESHOLD = 1 << 22;

    /** sqrt/log/exp split 4x sooner: exp measured even at 1M elements and 1.5x faster split at 2M. */
    static final int TRANSCENDENTAL_FACTOR = 4;

    /** Caller functions (map/reduce) cost at least a call per element, unknown beyond that; split them sooner. */
    static final int CALLER_FUNCTION_FACTOR = 32;

    /**
     * A matrix product stays on the calling thread below threshold / 4 multiply-adds: 2^20, about
     * n = 101. Measured (MatmulThresholdBenchmark, 2 threads): split was 1.45x slower at n = 64,
     * 1.1x faster at 128, 1.3x at 192 and 1.5x at 256.
     */
    static final int MATMUL_THRESHOLD_DIVISOR = 4;

    /** An unstarted thread that owns nothing: a segment it may access is shared, so pool threads may too. */
    private static final Thread NOT_AN_OWNER = Thread.ofVirtual().unstarted(() -> { });

    private final Kernels kernels;
    private final ForkJoinPool pool;
    private final int threads;
    private final long memoryThreshold;
    private volatile boolean closed;

    private ComputeEngine(Builder builder) {
        this.kernels = builder.simd ? KernelSelector.best() : KernelSelector.SCALAR;
        this.threads = builder.threads;
        this.memoryThreshold = builder.parallelThreshold;
        this.pool = new ForkJoinPool(threads, new ComputeThreadFactory(), ComputeThreadFactory.REPORT, false);
    }

    /** An engine with the defaults: all cores, SIMD where available. */
    public static ComputeEngine create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What this engine really uses: kernel path, vector width, threads, accelerators. */
    public Capabilities capabilities() {
        return new Capabilities(kernels.path(), kernels.vectorBitSize(), kernels.floatLanes(), kernels.doubleLanes(),
                threads, List.of());
    }

    /** Parallelism of the engine's pool. */
    public int threads() {
        return threads;
    }

    /**
     * The engine's ForkJoinPool as an executor, for short non-blocking Java work that belongs with
     * the kernels (the runtime's CPU lane). Closing the engine stops it.
     */
    public java.util.concurrent.Executor executor() {
        return pool;
    }

    /** Waits for running kernels to finish (they are short), then stops the pool's threads. Idempotent. */
    @Override
    public void close() {
        closed = true;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ---- sum, mean ----------------------------------------------------------------------------

    /**
     * Sum of the elements; 0 for an empty array.
     *
     * @implNote On the vector path each lane accumulates at most 35 elements in float before the
     * block's total moves into a double, so the error is at most about
     * {@code (37 + log2(lanes)) * 2^-24 * sum(|x[i]|)} plus the final rounding to float, that is
     * {@code 40 * 2^-24 * sum(|x[i]|)} with AVX2's 8 lanes, whatever the length (tested at 1e8
     * elements); the scalar path accumulates in double and does better. Like numpy's float32 sum,
     * the vector path overflows to infinity when a partial sum passes {@link Float#MAX_VALUE}.
     */
    public float sum(float[] x) {
        Objects.requireNonNull(x, "x");
        return (float) splitSum(x.length, memoryThreshold, (from, to) -> kernels.sum(x, (int) from, (int) to));
    }

    /** Sum of the elements; 0 for an empty array. */
    public double sum(double[] x) {
        Objects.requireNonNull(x, "x");
        return splitSum(x.length, memoryThreshold, (from, to) -> kernels.sum(x, (int) from, (int) to));
    }

    /** Sum of a segment's elements; for F32 the float result, widened. */
    public double sum(MemorySegment x, DType type) {
        double sum = unroundedSum(x, type);
        return type == DType.F32 ? (float) sum : sum;
    }

    private double unroundedSum(MemorySegment x, DType type) {
        Objects.requireNonNull(type, "type");
        long n = type.elementCount(Objects.requireNonNull(x, "x"), "x");
        long threshold = sharable(x) ? memoryThreshold : Long.MAX_VALUE;
        return type == DType.F32
                ? splitSum(n, threshold, (from, to) -> kernels.sumF32(x, from, to))
                : splitSum(n, threshold, (from, to) -> kernels.sumF64(x, from, to));
    }

    /** Arithmetic mean; the mean of nothing is an error. */
    public float mean(float[] x) {
        requireNotEmpty(Objects.requireNonNull(x, "x").length, "mean");
        return (float) (splitSum(x.length, memoryThreshold, (from, to) -> kernels.sum(x, (int) from, (int) to)) / x.length);
    }

    public double mean(double[] x) {
        requireNotEmpty(Objects.requireNonNull(x, "x").length, "mean");
        return sum(x) / x.length;
    }

    public double mean(MemorySegment x, DType type) {
        long n = Objects.requireNonNull(type, "type").elementCount(Objects.requireNonNull(x, "x"), "x");
        requireNotEmpty(n, "mean");
        double mean = unroundedSum(x, type) / n;
        return type == DType.F32 ? (float) mean : mean;
    }

    // ---- dot ----------------------------------------------------------------------------------

    /** Inner product; 0 for empty arrays. Same accuracy as {@link #sum(float[])} over the products. */
    public float dot(float[] a, float[] b) {
        requireSameLength(Objects.requireNonNull(a, "a").length, Objects.requireNonNull(b, "b").length, "a", "b");
        return (float) splitSum(a.length, memoryThreshold, (from, to) -> kernels.dot(a, (int) from, b, (int) from, (int) (to - from)));
    }

    public double dot(double[] a, double[] b) {
        requireSameLength(Objects.requireNonNull(a, "a").length, Objects.requireNonNull(b, "b").length, "a", "b");
        return splitSum(a.length, memoryThreshold, (from, to) -> kernels.dot(a, (int) from, b, (int) from, (int) (to - from)));
    }

    public double dot(MemorySegment a, MemorySegment b, DType type) {
        Objects.requireNonNull(type, "type");
        long n = type.elementCount(Objects.requireNonNull(a, "a"), "a");
        requireSameLength(n, type.elementCount(Objects.requireNonNull(b, "b"), "b"), "a", "b");
        long threshold = sharable(a) && sharable(b) ? memoryThreshold : Long.MAX_VALUE;
        return type == DType.F32
                ? (float) splitSum(n, threshold, (from, to) -> kernels.dotF32(a, b, from, to))
                : splitSum(n, threshold, (from, to) -> kernels.dotF64(a, b, from, to));
    }

    // ---- min, max -----------------------------------------------------------------------------

    /** Smallest element ({@link Math#min} semantics: NaN wins, -0.0 &lt; 0.0); an empty array is an error. */
    public float min(float[] x) {
        return extremum(x, false);
    }

    /** Largest element ({@link Math#max} semantics); an empty array is an error. */
    public float max(float[] x) {
        return extremum(x, true);
    }

    public double min(double[] x) {
        return extremum(x, false);
    }

    public double max(double[] x) {
        return extremum(x, true);
    }

    public double min(MemorySegment x, DType type) {
        return extremum(x, type, false);
    }

    public double max(MemorySegment x, DType type) {
        return extremum(x, type, true);
    }

    private float extremum(float[] x, boolean max) {
        requireNotEmpty(Objects.requireNonNull(x, "x").length, max ? "max" : "min");
        return split(x.length, memoryThreshold, (from, to) -> kernels.extremum(x, (int) from, (int) to, max),
                max ? ComputeEngine::maxF : ComputeEngine::minF);
    }

    private double extremum(double[] x, boolean max) {
        requireNotEmpty(Objects.requireNonNull(x, "x").length, max ? "max" : "min");
        return split(x.length, memoryThreshold, (from, to) -> kernels.extremum(x, (int) from, (int) to, max),
                max ? ComputeEngine::maxD : ComputeEngine::minD);
    }

    private double extremum(MemorySegment x, DType type, boolean max) {
        long n = Objects.requireNonNull(type, "type").elementCount(Objects.requireNonNull(x, "x"), "x");
        requireNotEmpty(n, max ? "max" : "min");
        long threshold = sharable(x) ? memoryThreshold : Long.MAX_VALUE;
        if (type == DType.F32) {
            return split(n, threshold, (from, to) -> kernels.extremumF32(x, from, to, max),
                    max ? ComputeEngine::maxF : ComputeEngine::minF);
        }
        return split(n, threshold, (from, to) -> kernels.extremumF64(x, from, to, max),
                max ? ComputeEngine::maxD : ComputeEngine::minD);
    }

    private static Float minF(Float a, Float b) {
        return Math.min(a, b);
    }

    private static Float maxF(Float a, Float b) {
        return Math.max(a, b);
    }

    private static Double minD(Double a, Double b) {
        return Math.min(a, b);
    }

    private static Double maxD(Double a, Double b) {
        return Math.max(a, b);
    }

    // ---- elementwise --------------------------------------------------------------------------

    /** A new array holding {@code op(x[i])}. */
    public float[] apply(UnaryOp op, float[] x) {
        float[] out = new float[Objects.requireNonNull(x, "x").length];
        apply(op, x, out);
        return out;
    }

    /** Writes {@code op(x[i])} into {@code out}, which may be {@code x} itself. */
    public void apply(UnaryOp op, float[] x, float[] out) {
        Objects.requireNonNull(op, "op");
        requireSameLength(Objects.requireNonNull(x, "x").length, Objects.requireNonNull(out, "out").length, "x", "out");
        forEachRange(x.length, threshold(op), (from, to) -> kernels.apply(op, x, out, (int) from, (int) to));
    }

    public double[] apply(UnaryOp op, double[] x) {
        double[] out = new double[Objects.requireNonNull(x, "x").length];
        apply(op, x, out);
        return out;
    }

    public void apply(UnaryOp op, double[] x, double[] out) {
        Objects.requireNonNull(op, "op");
        requireSameLength(Objects.requireNonNull(x, "x").length, Objects.requireNonNull(out, "out").length, "x", "out");
        forEachRange(x.length, threshold(op), (from, to) -> kernels.apply(op, x, out, (int) from, (int) to));
    }

    /** Writes {@code op(x[i])} into the segment {@code out} (which may be {@code x}). */
    public void apply(UnaryOp op, MemorySegment x, MemorySegment out, DType type) {
        Objects.requireNonNull(op, "op");
        long n = sameSizeSegments(x, out, type);
        long threshold = sharable(x) && sharable(out) ? threshold(op) : Long.MAX_VALUE;
        if (type == DType.F32) {
            forEachRange(n, threshold, (from, to) -> kernels.applyF32(op, x, out, from, to));
        } else {
            forEachRange(n, threshold, (from, to) -> kernels.applyF64(op, x, out, from, to));
        }
    }

    /** A new segment, allocated in {@code arena}, holding {@code op(x[i])}. */
    public MemorySegment apply(UnaryOp op, MemorySegment x, DType type, Arena arena) {
        MemorySegment out = allocateLike(x, type, arena);
        apply(op, x, out, type);
        return out;
    }

    /** A new array holding {@code fma(x[i], scale, offset)}, that is {@code scale * x[i] + offset} rounded once. */
    public float[] scaleOffset(float[] x, float scale, float offset) {
        float[] out = new float[Objects.requireNonNull(x, "x").length];
        scaleOffset(x, scale, offset, out);
        return out;
    }

    public void scaleOffset(float[] x, float scale, float offset, float[] out) {
        requireSameLength(Objects.requireNonNull(x, "x").length, Objects.requireNonNull(out, "out").length, "x", "out");
        forEachRange(x.length, memoryThreshold, (from, to) -> kernels.scaleOffset(x, scale, offset, out, (int) from, (int) to));
    }

    public double[] scaleOffset(double[] x, double scale, double offset) {
        double[] out = new double[Objects.requireNonNull(x, "x").length];
        scaleOffset(x, scale, offset, out);
        return out;
    }

    public void scaleOffset(double[] x, double scale, double offset, double[] out) {
        requireSameLength(Objects.requireNonNull(x, "x").length, Objects.requireNonNull(out, "out").length, "x", "out");
        forEachRange(x.length, memoryThreshold, (from, to) -> kernels.scaleOffset(x, scale, offset, out, (int) from, (int) to));
    }

    /** Segment form of {@link #scaleOffset(double[], double, double, double[])}; for F32 the factors are rounded to float. */
    public void scaleOffset(MemorySegment x, double scale, double offset, MemorySegment out, DType type) {
        long n = sameSizeSegments(x, out, type);
        long threshold = sharable(x) && sharable(out) ? memoryThreshold : Long.MAX_VALUE;
        if (type == DType.F32) {
            float s = (float) scale, o = (float) offset;
            forEachRange(n, threshold, (from, to) -> kernels.scaleOffsetF32(x, s, o, out, from, to));
        } else {
            forEachRange(n, threshold, (from, to) -> kernels.scaleOffsetF64(x, scale, offset, out, from, to));
        }
    }

    public MemorySegment scaleOffset(MemorySegment x, double scale, double offset, DType type, Arena arena) {
        MemorySegment out = allocateLike(x, type, arena);
        scaleOffset(x, scale, offset, out, type);
        return out;
    }

    // ---- caller functions: map, reduce ----------------------------------------------------------

    /** A new array holding {@code f(x[i])}; {@code f} runs on pool threads, in no particular order, and must not block. */
    public float[] map(float[] x, FloatUnaryOperator f) {
        float[] out = new float[Objects.requireNonNull(x, "x").length];
        map(x, f, out);
        return out;
    }

    public void map(float[] x, FloatUnaryOperator f, float[] out) {
        Objects.requireNonNull(f, "f");
        requireSameLength(Objects.requireNonNull(x, "x").length, Objects.requireNonNull(out, "out").length, "x", "out");
        forEachRange(x.length, callerThreshold(), (from, to) -> {
            for (int i = (int) from; i < to; i++) {
                out[i] = f.applyAsFloat(x[i]);
            }
        });
    }

    public double[] map(double[] x, DoubleUnaryOperator f) {
        double[] out = new double[Objects.requireNonNull(x, "x").length];
        map(x, f, out);
        return out;
    }

    public void map(double[] x, DoubleUnaryOperator f, double[] out) {
        Objects.requireNonNull(f, "f");
        requireSameLength(Objects.requireNonNull(x, "x").length, Objects.requireNonNull(out, "out").length, "x", "out");
        forEachRange(x.length, callerThreshold(), (from, to) -> {
            for (int i = (int) from; i < to; i++) {
                out[i] = f.applyAsDouble(x[i]);
            }
        });
    }

    /** Writes {@code f(x[i])} for the float32 segment {@code x} into the float32 segment {@code out}. */
    public void mapF32(MemorySegment x, FloatUnaryOperator f, MemorySegment out) {
        Objects.requireNonNull(f, "f");
        long n = sameSizeSegments(x, out, DType.F32);
        long threshold = sharable(x) && sharable(out) ? callerThreshold() : Long.MAX_VALUE;
        forEachRange(n, threshold, (from, to) -> {
            for (long i = from; i < to; i++) {
                out.setAtIndex(ScalarKernels.F32, i, f.applyAsFloat(x.getAtIndex(ScalarKernels.F32, i)));
            }
        });
    }

    /** Writes {@code f(x[i])} for the float64 segment {@code x} into the float64 segment {@code out}. */
    public void mapF64(MemorySegment x, DoubleUnaryOperator f, MemorySegment out) {
        Objects.requireNonNull(f, "f");
        long n = sameSizeSegments(x, out, DType.F64);
        long threshold = sharable(x) && sharable(out) ? callerThreshold() : Long.MAX_VALUE;
        forEachRange(n, threshold, (from, to) -> {
            for (long i = from; i < to; i++) {
                out.setAtIndex(ScalarKernels.F64, i, f.applyAsDouble(x.getAtIndex(ScalarKernels.F64, i)));
            }
        });
    }

    /**
     * Reduces in parallel: each leaf folds its range into {@code identity} with {@code accumulator},
     * and leaves are combined left to right with {@code combiner}. When {@code identity} is an
     * identity of {@code combiner}, and {@code combiner} is associative and agrees with
     * {@code accumulator} (as {@link java.util.stream.Stream#reduce(Object, java.util.function.BiFunction,
     * BinaryOperator)} requires), the result equals the sequential fold. An empty array gives
     * {@code identity}.
     */
    public <R> R reduce(float[] x, R identity, FloatAccumulator<R> accumulator, BinaryOperator<R> combiner) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(accumulator, "accumulator");
        Objects.requireNonNull(combiner, "combiner");
        return split(x.length, callerThreshold(), (from, to) -> {
            R partial = identity;
            for (int i = (int) from; i < to; i++) {
                partial = accumulator.accumulate(partial, x[i]);
            }
            return partial;
        }, combiner);
    }

    /** See {@link #reduce(float[], Object, FloatAccumulator, BinaryOperator)}. */
    public <R> R reduce(double[] x, R identity, DoubleAccumulator<R> accumulator, BinaryOperator<R> combiner) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(accumulator, "accumulator");
        Objects.requireNonNull(combiner, "combiner");
        return split(x.length, callerThreshold(), (from, to) -> {
            R partial = identity;
            for (int i = (int) from; i < to; i++) {
                partial = accumulator.accumulate(partial, x[i]);
            }
            return partial;
        }, combiner);
    }

    /** Segment form of {@link #reduce(float[], Object, FloatAccumulator, BinaryOperator)}, for float32 elements. */
    public <R> R reduceF32(MemorySegment x, R identity, FloatAccumulator<R> accumulator, BinaryOperator<R> combiner) {
        long n = DType.F32.elementCount(Objects.requireNonNull(x, "x"), "x");
        Objects.requireNonNull(accumulator, "accumulator");
        Objects.requireNonNull(combiner, "combiner");
        return split(n, sharable(x) ? callerThreshold() : Long.MAX_VALUE, (from, to) -> {
            R partial = identity;
            for (long i = from; i < to; i++) {
                partial = accumulator.accumulate(partial, x.getAtIndex(ScalarKernels.F32, i));
            }
            return partial;
        }, combiner);
    }

    /** Segment form of {@link #reduce(double[], Object, DoubleAccumulator, BinaryOperator)}, for float64 elements. */
    public <R> R reduceF64(MemorySegment x, R identity, DoubleAccumulator<R> accumulator, BinaryOperator<R> combiner) {
        long n = DType.F64.elementCount(Objects.requireNonNull(x, "x"), "x");
        Objects.requireNonNull(accumulator, "accumulator");
        Objects.requireNonNull(combiner, "combiner");
        return split(n, sharable(x) ? callerThreshold() : Long.MAX_VALUE, (from, to) -> {
            R partial = identity;
            for (long i = from; i < to; i++) {
                partial = accumulator.accumulate(partial, x.getAtIndex(ScalarKernels.F64, i));
            }
            return partial;
        }, combiner);
    }

    // ---- matrix multiply ----------------------------------------------------------------------

    /** {@code a (aRows x aCols) * b (bRows x bCols)}, all row-major; a new {@code aRows x bCols} array. */
    public float[] matmul(float[] a, int aRows, int aCols, float[] b, int bRows, int bCols) {
        int size = checkMatmul(Objects.requireNonNull(a, "a").length, aRows, aCols,
                Objects.requireNonNull(b, "b").length, bRows, bCols);
        float[] c = new float[size];
        matmul(a, aRows, aCols, b, bRows, bCols, c);
        return c;
    }

    /** As {@link #matmul(float[], int, int, float[], int, int)}, into {@code c}, which must not be {@code a} or {@code b}. */
    public void matmul(float[] a, int aRows, int aCols, float[] b, int bRows, int bCols, float[] c) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        checkProduct(checkMatmul(a.length, aRows, aCols, b.length, bRows, bCols), Objects.requireNonNull(c, "c").length,
                aRows, aCols, bRows, bCols);
        requireNotAliased(c == a || c == b);
        runMatmul(aRows, aCols, bCols, threads -> MatrixMultiply.multiply(kernels, a, b, c, aRows, aCols, bCols, threads));
    }

    public double[] matmul(double[] a, int aRows, int aCols, double[] b, int bRows, int bCols) {
        int size = checkMatmul(Objects.requireNonNull(a, "a").length, aRows, aCols,
                Objects.requireNonNull(b, "b").length, bRows, bCols);
        double[] c = new double[size];
        matmul(a, aRows, aCols, b, bRows, bCols, c);
        return c;
    }

    public void matmul(double[] a, int aRows, int aCols, double[] b, int bRows, int bCols, double[] c) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        checkProduct(checkMatmul(a.length, aRows, aCols, b.length, bRows, bCols), Objects.requireNonNull(c, "c").length,
                aRows, aCols, bRows, bCols);
        requireNotAliased(c == a || c == b);
        runMatmul(aRows, aCols, bCols, threads -> MatrixMultiply.multiply(kernels, a, b, c, aRows, aCols, bCols, threads));
    }

    /**
     * Segment form: {@code c = a * b}. The inputs are copied into Java arrays first (O(n^2) next to
     * the product's O(n^3)) so that the packed micro-kernel runs on arrays only; so {@code c} may
     * overlap {@code a} or {@code b}.
     */
    public void matmul(MemorySegment a, int aRows, int aCols, MemorySegment b, int bRows, int bCols, MemorySegment c,
                       DType type) {
        Objects.requireNonNull(type, "type");
        long aLen = type.elementCount(Objects.requireNonNull(a, "a"), "a");
        long bLen = type.elementCount(Objects.requireNonNull(b, "b"), "b");
        long cLen = type.elementCount(Objects.requireNonNull(c, "c"), "c");
        checkProduct(checkMatmul(aLen, aRows, aCols, bLen, bRows, bCols), cLen, aRows, aCols, bRows, bCols);
        if (c.isReadOnly()) {
            throw new IllegalArgumentException("c is a read-only segment");
        }
        if (type == DType.F32) {
            float[] out = matmul(a.toArray(ScalarKernels.F32), aRows, aCols, b.toArray(ScalarKernels.F32), bRows, bCols);
            MemorySegment.copy(out, 0, c, ScalarKernels.F32, 0, out.length);
        } else {
            double[] out = matmul(a.toArray(ScalarKernels.F64), aRows, aCols, b.toArray(ScalarKernels.F64), bRows, bCols);
            MemorySegment.copy(out, 0, c, ScalarKernels.F64, 0, out.length);
        }
    }

    /** Segment form with a new result, allocated in {@code arena}. */
    public MemorySegment matmul(MemorySegment a, int aRows, int aCols, MemorySegment b, int bRows, int bCols, DType type,
                                Arena arena) {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(type, "type");
        int size = checkMatmul(type.elementCount(Objects.requireNonNull(a, "a"), "a"), aRows, aCols,
                type.elementCount(Objects.requireNonNull(b, "b"), "b"), bRows, bCols);
        MemorySegment c = arena.allocate((long) size * type.byteSize(), type.byteSize());
        matmul(a, aRows, aCols, b, bRows, bCols, c, type);
        return c;
    }

    @FunctionalInterface
    private interface MatmulRun {
        void run(int threads);
    }

    private void runMatmul(int m, int k, int n, MatmulRun run) {
        ensureOpen();
        if ((long) m * k * n < memoryThreshold / MATMUL_THRESHOLD_DIVISOR || threads == 1) {
            run.run(1);
        } else {
            pool.invoke(new RecursiveTask<Void>() {
                @Override
                protected Void compute() {
                    run.run(threads);
                    return null;
                }
            });
        }
    }

    /** Checks a product's shapes against its inputs' lengths; returns the result's element count. */
    private static int checkMatmul(long aLen, int aRows, int aCols, long bLen, int bRows, int bCols) {
        if (aRows < 0 || aCols < 0 || bRows < 0 || bCols < 0) {
            throw new IllegalArgumentException("matrix shapes must not be negative: a is " + shape(aRows, aCols)
                    + ", b is " + shape(bRows, bCols));
        }
        if (aCols != bRows) {
            throw new IllegalArgumentException("cannot multiply a " + shape(aRows, aCols) + " by b " + shape(bRows, bCols)
                    + ": a has " + aCols + " columns but b has " + bRows + " rows");
        }
        if (Math.max(aLen, bLen) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a or b has more than " + (Integer.MAX_VALUE - 8)
                    + " elements, more than a Java array (and so this matrix multiply) holds");
        }
        if (aLen != (long) aRows * aCols) {
            throw new IllegalArgumentException("a holds " + aLen + " elements but its shape " + shape(aRows, aCols)
                    + " needs " + (long) aRows * aCols);
        }
        if (bLen != (long) bRows * bCols) {
            throw new IllegalArgumentException("b holds " + bLen + " elements but its shape " + shape(bRows, bCols)
                    + " needs " + (long) bRows * bCols);
        }
        long product = (long) aRows * bCols;
        if (product > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the product " + shape(aRows, bCols) + " has more elements than a Java array holds");
        }
        return (int) product;
    }

    private static void requireNotAliased(boolean aliased) {
        if (aliased) {
            throw new IllegalArgumentException("c must not share memory with a or b: the product overwrites c as it goes");
        }
    }

    /** Checks that the caller's result buffer holds exactly the product. */
    private static void checkProduct(int product, long cLen, int aRows, int aCols, int bRows, int bCols) {
        if (cLen != product) {
            throw new IllegalArgumentException("c holds " + cLen + " elements but the product of a " + shape(aRows, aCols)
                    + " and b " + shape(bRows, bCols) + " is " + shape(aRows, bCols) + " = " + product + " elements");
        }
    }

    private static String shape(long rows, long cols) {
        return "(" + rows + ", " + cols + ")";
    }

    // ---- splitting ----------------------------------------------------------------------------

    @FunctionalInterface
    private interface RangeFunction<R> {
        R apply(long from, long to);
    }

    @FunctionalInterface
    private interface RangeToDouble {
        double apply(long from, long to);
    }

    /** Work over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeAction {
        void run(long from, long to);
    }

    /**
     * Runs {@code action} over {@code [0, n)}: whole on the calling thread when {@code n} is below
     * the memory-bound threshold, else split into ranges on the engine's pool. For elementwise work
     * whose ranges are independent (each writes only its own part of the output).
     */
    public void forEachRange(long n, RangeAction action) {
        forEachRange(n, memoryThreshold, Objects.requireNonNull(action, "action"));
    }

    private long threshold(UnaryOp op) {
        return switch (op) {
            case SQRT, LOG, EXP -> Math.max(1, memoryThreshold / TRANSCENDENTAL_FACTOR);
            default -> memoryThreshold;
        };
    }

    private long callerThreshold() {
        return Math.max(1, memoryThreshold / CALLER_FUNCTION_FACTOR);
    }

    private double splitSum(long n, long threshold, RangeToDouble leaf) {
        return split(n, threshold, leaf::apply, Double::sum);
    }

    private void forEachRange(long n, long threshold, RangeAction leaf) {
        split(n, threshold, (from, to) -> {
            leaf.run(from, to);
            return null;
        }, (left, right) -> null);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this ComputeEngine is closed");
        }
    }

    /** Runs {@code leaf} over {@code [0, n)}: whole on the calling thread when small, else split on the pool. */
    private <R> R split(long n, long threshold, RangeFunction<R> leaf, BinaryOperator<R> combine) {
        ensureOpen();
        if (n <= threshold || threads == 1) {
            return leaf.apply(0, n);
        }
        long leafSize = Math.max(threshold, Math.ceilDiv(n, (long) threads * LEAVES_PER_THREAD));
        return pool.invoke(new RangeTask<>(0, n, leafSize, leaf, combine));
    }

    /** Halves its range until it is at most {@code leafSize}; combines left before right. */
    private static final class RangeTask<R> extends RecursiveTask<R> {
        private final long from;
        private final long to;
        private final long leafSize;
        private final RangeFunction<R> leaf;
        private final BinaryOperator<R> combine;

        RangeTask(long from, long to, long leafSize, RangeFunction<R> leaf, BinaryOperator<R> combine) {
            this.from = from;
            this.to = to;
            this.leafSize = leafSize;
            this.leaf = leaf;
            this.combine = combine;
        }

        @Override
        protected R compute() {
            if (to - from <= leafSize) {
                return leaf.apply(from, to);
            }
            long mid = from + (to - from) / 2;
            RangeTask<R> left = new RangeTask<>(from, mid, leafSize, leaf, combine);
            left.fork();
            R right;
            try {
                right = new RangeTask<>(mid, to, leafSize, leaf, combine).compute();
            } catch (RuntimeException | Error e) {
                // Do not return to the caller while the left half may still be running: drop it if
                // no one has started it, else wait for it (a task completes only after its subtree).
                if (!left.tryUnfork()) {
                    left.quietlyJoin();
                }
                throw e;
            }
            return combine.apply(left.join(), right);
        }
    }

    // ---- checks and segment helpers -------------------------------------------------------------

    private static void requireNotEmpty(long n, String what) {
        if (n == 0) {
            throw new IllegalArgumentException(what + " of an empty array is undefined");
        }
    }

    private static void requireSameLength(long a, long b, String aName, String bName) {
        if (a != b) {
            throw new IllegalArgumentException("shapes differ: " + aName + " has shape (" + a + ",) but "
                    + bName + " has shape (" + b + ",)");
        }
    }

    private static long sameSizeSegments(MemorySegment x, MemorySegment out, DType type) {
        Objects.requireNonNull(type, "type");
        long n = type.elementCount(Objects.requireNonNull(x, "x"), "x");
        requireSameLength(n, type.elementCount(Objects.requireNonNull(out, "out"), "out"), "x", "out");
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out is a read-only segment");
        }
        boolean same = x.equals(out);
        if (!same && x.asOverlappingSlice(out).isPresent()) {
            throw new IllegalArgumentException("out partly overlaps x: it must be x itself or separate memory");
        }
        return n;
    }

    private static MemorySegment allocateLike(MemorySegment x, DType type, Arena arena) {
        Objects.requireNonNull(arena, "arena");
        long n = Objects.requireNonNull(type, "type").elementCount(Objects.requireNonNull(x, "x"), "x");
        return arena.allocate(n * type.byteSize(), type.byteSize());
    }

    /** Whether pool threads may touch the segment (it is not confined to one thread). */
    private static boolean sharable(MemorySegment segment) {
        return segment.isAccessibleBy(NOT_AN_OWNER);
    }

    /** Builds engines; defaults come from the machine. */
    public static final class Builder {
        private int threads = Runtime.getRuntime().availableProcessors();
        private boolean simd = true;
        private long parallelThreshold = DEFAULT_PARALLEL_THRESHOLD;

        private Builder() {
        }

        /** Threads of the engine's ForkJoinPool; default: all cores. */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 32767) {
                throw new IllegalArgumentException("threads must be between 1 and 32767, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** SIMD kernels where the JVM has them (default), or the scalar kernels when false. */
        public Builder simd(boolean simd) {
            this.simd = simd;
            return this;
        }

        /**
         * Elements below which a memory-bound kernel stays on the calling thread (default
         * {@link #DEFAULT_PARALLEL_THRESHOLD}); other kernels scale it by their cost per element
         * (matrix products: a quarter as many multiply-adds). Benchmarks set it to 1 or
         * {@link Long#MAX_VALUE} to measure the crossover.
         */
        public Builder parallelThreshold(long elements) {
            if (elements < 1) {
                throw new IllegalArgumentException("parallelThreshold must be at least 1, got " + elements);
            }
            this.parallelThreshold = elements;
            return this;
        }

        public ComputeEngine build() {
            return new ComputeEngine(this);
        }
    }

    /**
     * Every thread the engine makes: pool threads named {@code covet-compute-N}; what a task leaves
     * uncaught is logged. (Callers' own exceptions reach them through the kernel's result.)
     */
    private static final class ComputeThreadFactory implements ForkJoinPool.ForkJoinWorkerThreadFactory {
        static final Thread.UncaughtExceptionHandler REPORT = (t, e) -> System.getLogger(ComputeEngine.class.getName())
                .log(System.Logger.Level.ERROR, "uncaught exception in " + t.getName(), e);
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
            ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            thread.setName("covet-compute-" + next.getAndIncrement());
            return thread;
        }
    }
}
