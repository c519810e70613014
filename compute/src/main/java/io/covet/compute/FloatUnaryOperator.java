package io.covet.compute;

/** A function from {@code float} to {@code float}: the {@code float} twin of {@link java.util.function.DoubleUnaryOperator}. */
@FunctionalInterface
public interface FloatUnaryOperator {
    float applyAsFloat(float x);
}
