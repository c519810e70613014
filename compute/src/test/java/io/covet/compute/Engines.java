package io.covet.compute;

import java.util.List;
import java.util.function.Function;

/**
 * Engines for tests: both kernel paths, each with the parallel split forced on tiny inputs so that
 * ForkJoin leaves, their combination and the kernels' tails are exercised on awkward sizes.
 */
final class Engines {

    private Engines() {
    }

    /** Engines on the vector and the scalar path, with a threshold of {@code threshold} elements. */
    static List<ComputeEngine> bothPaths(int threads, long threshold) {
        return List.of(
                ComputeEngine.builder().threads(threads).parallelThreshold(threshold).build(),
                ComputeEngine.builder().threads(threads).parallelThreshold(threshold).simd(false).build());
    }

    /** Runs {@code check} on each engine, naming the path on failure, and closes every engine. */
    static void onEach(List<ComputeEngine> engines, Function<ComputeEngine, ?> check) {
        try {
            for (ComputeEngine engine : engines) {
                try {
                    check.apply(engine);
                } catch (AssertionError e) {
                    throw new AssertionError("on the " + engine.capabilities().kernelPath() + " path: " + e.getMessage(), e);
                }
            }
        } finally {
            engines.forEach(ComputeEngine::close);
        }
    }

    /** Sizes that straddle vector widths, unroll factors and sum blocks. */
    static final int[] AWKWARD_SIZES = {0, 1, 2, 3, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 207, 1023, 1024,
            1025, 4095, 4096, 4097, 4099, 10_007};
}
