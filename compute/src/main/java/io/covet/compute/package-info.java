/**
 * Covet's compute engine: numeric kernels on {@code float}/{@code double} Java arrays and on
 * {@link java.lang.foreign.MemorySegment}s, with SIMD through {@code jdk.incubator.vector} and
 * work stealing through a {@link java.util.concurrent.ForkJoinPool}. It stands in for the Rust
 * engine of ADR-007.
 *
 * <p>{@link io.covet.compute.ComputeEngine} is the facade: it checks inputs, decides whether a
 * call is big enough to split over the pool, and hands ranges to one of two kernel
 * implementations chosen once per engine (vector or scalar).
 *
 * <p>Threading: an engine is safe to use from any number of threads at once, platform or
 * virtual. Kernels never block, so they may run on the pool's threads; small inputs run on the
 * calling thread. Caller-supplied functions (map, reduce) run on pool threads and must not block.
 */
package io.covet.compute;
