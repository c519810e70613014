/**
 * JMH benchmarks: one class per kernel family, each pairing the vector and the scalar path as a
 * {@code @Param}, and two that measure where splitting over the pool starts to pay
 * ({@code ParallelThresholdBenchmark}, {@code MatmulThresholdBenchmark}). Run with
 * {@code ./covet bench jmh [JMH options]}, e.g. {@code ./covet bench jmh ReductionBenchmark -p size=1000000}.
 */
package io.covet.bench.jmh;
