package io.covet.compute;

import java.util.Locale;

/**
 * Elementwise operations of two operands, with numpy's result types and Python's rules for floor
 * division and modulo (the result takes the divisor's sign). The first four are in this order on
 * purpose: {@link NdArray} has vectorizable loops for them.
 */
public enum BinaryOp {
    ADD, SUBTRACT, MULTIPLY, TRUE_DIVIDE, FLOOR_DIVIDE, MOD, POWER, EQ, NE, LT, LE, GT, GE;

    /** The operation Python's operator module names {@code name} ({@code "add"}, {@code "truediv"}, {@code "eq"} ...). */
    public static BinaryOp parse(String name) {
        return switch (name) {
            case "add" -> ADD;
            case "sub" -> SUBTRACT;
            case "mul" -> MULTIPLY;
            case "truediv" -> TRUE_DIVIDE;
            case "floordiv" -> FLOOR_DIVIDE;
            case "mod" -> MOD;
            case "pow" -> POWER;
            case "eq", "ne", "lt", "le", "gt", "ge" -> valueOf(name.toUpperCase(Locale.ROOT));
            default -> throw new IllegalArgumentException("unknown operation '" + name
                    + "'; valid: add, sub, mul, truediv, floordiv, mod, pow, eq, ne, lt, le, gt, ge");
        };
    }

    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }

    /** numpy's result type for operands of types {@code a} and {@code b}. */
    public DType resultType(DType a, DType b) {
        if (isComparison()) {
            return DType.BOOL;
        }
        DType promoted = promote(a, b);
        if (this == TRUE_DIVIDE && !promoted.isFloat()) {
            return DType.F64;
        }
        return promoted;
    }

    private static DType promote(DType a, DType b) {
        if (a == DType.F64 || b == DType.F64) {
            return DType.F64;
        }
        if (a == DType.F32 || b == DType.F32) {
            // float32 holds int values exactly only up to 2^24: numpy widens to float64, so do we.
            DType other = a == DType.F32 ? b : a;
            return other == DType.F32 || other == DType.BOOL ? DType.F32 : DType.F64;
        }
        if (a == DType.I64 || b == DType.I64) {
            return DType.I64;
        }
        if (a == DType.I32 || b == DType.I32) {
            return DType.I32;
        }
        return DType.I64;   // bool with bool: counted as integers
    }

    /** The operation on doubles; a comparison gives 1 or 0. */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUBTRACT -> a - b;
            case MULTIPLY -> a * b;
            case TRUE_DIVIDE -> a / b;
            case FLOOR_DIVIDE -> floorDivide(a, b);
            case MOD -> {
                double mod = a % b;   // C's fmod
                if (mod != 0) {
                    yield (b < 0) != (mod < 0) ? mod + b : mod;
                }
                yield Math.copySign(0.0, b);
            }
            // C's pow (numpy's): 1 to any power, and -1 to an infinite one, is 1; Java's Math.pow says NaN.
            case POWER -> a == 1.0 || a == -1.0 && Double.isInfinite(b) ? 1.0 : Math.pow(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    /** The operation on longs (wrapping on overflow, as numpy); division by zero is an ArithmeticException. */
    public long apply(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUBTRACT -> a - b;
            case MULTIPLY -> a * b;
            case TRUE_DIVIDE -> throw new AssertionError("true division gives floats");
            case FLOOR_DIVIDE -> {
                requireNonZero(b);
                yield Math.floorDiv(a, b);
            }
            case MOD -> {
                requireNonZero(b);
                yield Math.floorMod(a, b);
            }
            case POWER -> {
                if (b < 0) {
                    throw new ArithmeticException("Integers to negative integer powers are not allowed.");
                }
                long result = 1;
                long base = a;
                for (long e = b; e > 0; e >>= 1) {
                    if ((e & 1) != 0) {
                        result *= base;
                    }
                    base *= base;
                }
                yield result;
            }
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    /**
     * Python's (and numpy's) float floor division, CPython's {@code float_divmod}: exact where
     * {@code floor(a / b)} rounds across an integer (1.0 // 0.1 is 9.0, not 10.0).
     */
    private static double floorDivide(double a, double b) {
        if (b == 0) {
            return a / b;   // inf or nan, as numpy
        }
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) {
            div -= 1.0;
        }
        if (div == 0) {
            return Math.copySign(0.0, a / b);
        }
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1.0 : floor;
    }

    /** {@code out[i] = a[i] op b[i]} for {@code i < n}: one tight loop per operation, which the JIT vectorizes. */
    void applyBlock(double[] a, double[] b, double[] out, int n) {
        switch (this) {
            case ADD -> { for (int i = 0; i < n; i++) { out[i] = a[i] + b[i]; } }
            case SUBTRACT -> { for (int i = 0; i < n; i++) { out[i] = a[i] - b[i]; } }
            case MULTIPLY -> { for (int i = 0; i < n; i++) { out[i] = a[i] * b[i]; } }
            case TRUE_DIVIDE -> { for (int i = 0; i < n; i++) { out[i] = a[i] / b[i]; } }
            case EQ -> { for (int i = 0; i < n; i++) { out[i] = a[i] == b[i] ? 1 : 0; } }
            case NE -> { for (int i = 0; i < n; i++) { out[i] = a[i] != b[i] ? 1 : 0; } }
            case LT -> { for (int i = 0; i < n; i++) { out[i] = a[i] < b[i] ? 1 : 0; } }
            case LE -> { for (int i = 0; i < n; i++) { out[i] = a[i] <= b[i] ? 1 : 0; } }
            case GT -> { for (int i = 0; i < n; i++) { out[i] = a[i] > b[i] ? 1 : 0; } }
            case GE -> { for (int i = 0; i < n; i++) { out[i] = a[i] >= b[i] ? 1 : 0; } }
            default -> { for (int i = 0; i < n; i++) { out[i] = apply(a[i], b[i]); } }
        }
    }

    /** The long form of {@link #applyBlock(double[], double[], double[], int)}. */
    void applyBlock(long[] a, long[] b, long[] out, int n) {
        switch (this) {
            case ADD -> { for (int i = 0; i < n; i++) { out[i] = a[i] + b[i]; } }
            case SUBTRACT -> { for (int i = 0; i < n; i++) { out[i] = a[i] - b[i]; } }
            case MULTIPLY -> { for (int i = 0; i < n; i++) { out[i] = a[i] * b[i]; } }
            case EQ -> { for (int i = 0; i < n; i++) { out[i] = a[i] == b[i] ? 1 : 0; } }
            case NE -> { for (int i = 0; i < n; i++) { out[i] = a[i] != b[i] ? 1 : 0; } }
            case LT -> { for (int i = 0; i < n; i++) { out[i] = a[i] < b[i] ? 1 : 0; } }
            case LE -> { for (int i = 0; i < n; i++) { out[i] = a[i] <= b[i] ? 1 : 0; } }
            case GT -> { for (int i = 0; i < n; i++) { out[i] = a[i] > b[i] ? 1 : 0; } }
            case GE -> { for (int i = 0; i < n; i++) { out[i] = a[i] >= b[i] ? 1 : 0; } }
            default -> { for (int i = 0; i < n; i++) { out[i] = apply(a[i], b[i]); } }
        }
    }

    private static void requireNonZero(long b) {
        if (b == 0) {
            throw new ArithmeticException("integer division or modulo by zero");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
