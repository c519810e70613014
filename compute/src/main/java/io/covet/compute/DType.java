package io.covet.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Element type of a {@link MemorySegment}: elements are in native byte order. The engine's kernels
 * take {@link #F32} and {@link #F64}; {@link NdArray} holds every type.
 */
public enum DType {
    /** IEEE 754 binary32, Python's {@code array('f')}. */
    F32(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 'f', "float32"),
    /** IEEE 754 binary64, Python's {@code array('d')}. */
    F64(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 'd', "float64"),
    /** Two's complement 32-bit integer, Python's {@code array('i')}. */
    I32(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 'i', "int32"),
    /** Two's complement 64-bit integer, Python's {@code array('q')}. */
    I64(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 'q', "int64"),
    /** One byte, 0 or 1 (a comparison's result), struct's {@code '?'}. */
    BOOL(ValueLayout.JAVA_BYTE, '?', "bool");

    private final ValueLayout layout;
    private final char typecode;
    private final String numpyName;

    DType(ValueLayout layout, char typecode, String numpyName) {
        this.layout = layout;
        this.typecode = typecode;
        this.numpyName = numpyName;
    }

    /** numpy's name of the type ({@code "float64"} ...), which Python code uses. */
    public String numpyName() {
        return numpyName;
    }

    /** The type numpy calls {@code name}; an unknown name lists the valid ones. */
    public static DType ofNumpyName(String name) {
        for (DType t : values()) {
            if (t.numpyName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + name + "': expected float32, float64, int32, int64 or bool");
    }

    /** True for F32 and F64. */
    public boolean isFloat() {
        return this == F32 || this == F64;
    }

    /** Bytes per element. */
    public int byteSize() {
        return (int) layout.byteSize();
    }

    /** Python {@code array} (and {@code struct}) typecode of this type; {@code '?'} for BOOL, which array lacks. */
    public char typecode() {
        return typecode;
    }

    /** The float type for a Python {@code array} typecode ({@code 'f'} or {@code 'd'}). */
    public static DType ofTypecode(char typecode) {
        for (DType t : new DType[] {F32, F64}) {
            if (t.typecode == typecode) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unsupported array typecode '" + typecode + "': expected 'f' (float32) or 'd' (float64)");
    }

    /**
     * Number of elements in {@code segment}, for the engine's kernels; fails when the type is not a
     * float type or the size is not a whole number of elements.
     */
    long elementCount(MemorySegment segment, String name) {
        if (!isFloat()) {
            throw new IllegalArgumentException("the compute kernels take f32 or f64 data, got " + this);
        }
        long bytes = segment.byteSize();
        if (bytes % byteSize() != 0) {
            throw new IllegalArgumentException(name + " holds " + bytes + " bytes, which is not a whole number of "
                    + this + " elements (" + byteSize() + " bytes each)");
        }
        return bytes / byteSize();
    }

    /** {@code "f32"}, {@code "f64"}, {@code "i32"}, {@code "i64"}, {@code "bool"}. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
