package io.covet.compute;

/**
 * Folds one {@code double} into a partial result, for {@link ComputeEngine#reduce(double[], Object,
 * DoubleAccumulator, java.util.function.BinaryOperator)}. Must not modify {@code partial} in place.
 */
@FunctionalInterface
public interface DoubleAccumulator<R> {
    R accumulate(R partial, double x);
}
