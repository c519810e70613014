package io.covet.compute;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Elementwise operations with a SIMD kernel. Results follow IEEE 754 (NaN in, NaN out; log(0) = -Inf). */
public enum UnaryOp {
    SQUARE, SQRT, LOG, EXP, ABS, NEGATE;

    /** Parses a name such as {@code "sqrt"} (case-insensitive); an unknown name lists the valid ones. */
    public static UnaryOp parse(String name) {
        for (UnaryOp op : values()) {
            if (op.name().equalsIgnoreCase(name)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + name + "'; valid operations: "
                + Arrays.stream(values()).map(UnaryOp::toString).collect(Collectors.joining(", ")));
    }

    /** The scalar definition, which the vector kernels match to within a few ulps. */
    public float apply(float x) {
        return switch (this) {
            case SQUARE -> x * x;
            case SQRT -> (float) Math.sqrt(x);
            case LOG -> (float) Math.log(x);
            case EXP -> (float) Math.exp(x);
            case ABS -> Math.abs(x);
            case NEGATE -> -x;
        };
    }

    /** The scalar definition for doubles. */
    public double apply(double x) {
        return switch (this) {
            case SQUARE -> x * x;
            case SQRT -> Math.sqrt(x);
            case LOG -> Math.log(x);
            case EXP -> Math.exp(x);
            case ABS -> Math.abs(x);
            case NEGATE -> -x;
        };
    }

    /** Lower-case name, as Python code spells it. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
