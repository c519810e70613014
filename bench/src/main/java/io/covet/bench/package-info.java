/**
 * Side-by-side benchmark suites behind {@code covet bench}: each runs Covet and a peer (numpy,
 * CPython, ...) on the same machine in the same run and reports {@link io.covet.bench.BenchRecord}s.
 * JMH benchmarks of single kernels live in {@code io.covet.bench.jmh}.
 *
 * <p>Threading: suites run on the calling thread and start child processes for peers; they are
 * not meant to run concurrently with each other (they would measure each other).
 */
package io.covet.bench;
