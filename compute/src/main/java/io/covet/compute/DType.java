package io.covet.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Element type of a {@link MemorySegment} handed to the engine: elements are in native byte order. */
public enum DType {
    /** IEEE 754 binary32, Python's {@code array('f')}. */
    F32(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 'f'),
    /** IEEE 754 binary64, Python's {@code array('d')}. */
    F64(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 'd');

    private final ValueLayout layout;
    private final char typecode;

    DType(ValueLayout layout, char typecode) {
        this.layout = layout;
        this.typecode = typecode;
    }

    /** Bytes per element. */
    public int byteSize() {
        return (int) layout.byteSize();
    }

    /** Python {@code array} typecode of this type. */
    public char typecode() {
        return typecode;
    }

    /** The type for a Python {@code array} typecode ({@code 'f'} or {@code 'd'}). */
    public static DType ofTypecode(char typecode) {
        for (DType t : values()) {
            if (t.typecode == typecode) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unsupported array typecode '" + typecode + "': expected 'f' (float32) or 'd' (float64)");
    }

    /** Number of elements in {@code segment}; fails when its size is not a whole number of elements. */
    long elementCount(MemorySegment segment, String name) {
        long bytes = segment.byteSize();
        if (bytes % byteSize() != 0) {
            throw new IllegalArgumentException(name + " holds " + bytes + " bytes, which is not a whole number of "
                    + this + " elements (" + byteSize() + " bytes each)");
        }
        return bytes / byteSize();
    }

    /** {@code "f32"} / {@code "f64"}. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
