package io.covet.compute;

/**
 * Folds one {@code float} into a partial result, for {@link ComputeEngine#reduce(float[], Object,
 * FloatAccumulator, java.util.function.BinaryOperator)}. Must not modify {@code partial} in place.
 */
@FunctionalInterface
public interface FloatAccumulator<R> {
    R accumulate(R partial, float x);
}
