package io.covet.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An n-dimensional array of one {@link DType} in off-heap memory ({@link ArrayMemory}): the data
 * behind Python's {@code covet.Array}, which holds only a reference to one of these, so kernels run
 * on the bytes where they are. C order, always contiguous; a view ({@link #reshape}, {@link #row},
 * a step-1 {@link #slice}) shares its base's memory and keeps it alive.
 *
 * <p>Semantics follow numpy where Python code would notice: type promotion (an int32 and a float32
 * give a float64; a Python scalar takes the array's type where it fits, NEP 50), true division
 * always floats, floor division and modulo with Python's signs, comparisons give {@link DType#BOOL}.
 * Differences: broadcasting covers same shapes, scalars and a trailing-shape operand (a row over a
 * matrix); integer division or modulo by zero raises instead of giving 0 with a warning; arithmetic
 * on two bool arrays gives int64. A result that cannot be stored in place (a float into an int
 * array) is an {@link ArrayStoreException}, Python's TypeError.
 *
 * <p>Not synchronized: like a numpy array, concurrent writers to one array race; readers may share it.
 *
 * <p>Every method that reads or writes {@code data} keeps this array (and its operands) reachable
 * until it is done ({@link Reference#reachabilityFence}): the memory of an unreachable array goes
 * back to {@link ArrayMemory}'s pool, and the JIT may drop {@code this} once it has loaded the
 * segment.
 */
public final class NdArray {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfByte BOOL = ValueLayout.JAVA_BYTE;

    private final ArrayMemory memory;
    private final MemorySegment data;
    private final DType type;
    private final long[] shape;
    private final long size;

    private NdArray(ArrayMemory memory, MemorySegment data, DType type, long[] shape) {
        this.memory = memory;
        this.data = data;
        this.type = type;
        this.shape = shape;
        this.size = data.byteSize() / type.byteSize();
    }

    // ---- making arrays --------------------------------------------------------------------------

    /** A new array of zeros. */
    public static NdArray zeros(DType type, long... shape) {
        return allocate(type, shape, true);
    }

    /** A new array whose every element the caller is about to write (its memory may hold old bytes). */
    private static NdArray uninitialized(DType type, long... shape) {
        return allocate(type, shape, false);
    }

    private static NdArray allocate(DType type, long[] shape, boolean zeroed) {
        long[] s = checkShape(shape);
        long bytes = Math.multiplyExact(product(s), (long) Objects.requireNonNull(type, "type").byteSize());
        ArrayMemory memory = ArrayMemory.allocate(bytes, zeroed);
        return new NdArray(memory, memory.segment(), type, s);
    }

    /** A new 1-D float64 array holding {@code values}. */
    public static NdArray of(double[] values) {
        NdArray out = uninitialized(DType.F64, values.length);
        MemorySegment.copy(values, 0, out.data, F64, 0, values.length);
        return out;
    }

    /** A new array holding a copy of {@code raw} read as {@code type} elements in native order, in {@code shape}. */
    public static NdArray fromBytes(byte[] raw, DType type, long... shape) {
        long[] s = checkShape(shape);
        if ((long) raw.length != product(s) * type.byteSize()) {
            throw new IllegalArgumentException(raw.length + " bytes do not hold " + shapeText(s) + " " + type.numpyName()
                    + " elements (" + product(s) * type.byteSize() + " bytes)");
        }
        NdArray out = uninitialized(type, s);
        MemorySegment.copy(MemorySegment.ofArray(raw), 0, out.data, 0, raw.length);
        if (type == DType.BOOL) {
            for (long i = 0; i < raw.length; i++) {
                out.data.set(BOOL, i, (byte) (raw[(int) i] != 0 ? 1 : 0));   // any nonzero byte is True
            }
        }
        return out;
    }

    // ---- what it is ------------------------------------------------------------------------------

    public DType type() {
        return type;
    }

    /** The shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /**
     * The elements' bytes, for the engine's kernels. Valid while this array is reachable: the
     * memory of an unreachable array is reused, so hold the array, not only its segment.
     */
    public MemorySegment segment() {
        return data;
    }

    /**
     * Where another process (a CPython worker) can map these bytes: the shared file and this
     * array's offset in it; empty when the memory is not shared. The memory is never reused for
     * another array afterwards, since the other process may keep its mapping.
     */
    public Optional<SharedLocation> exportLocation() {
        return memory.exportFile().map(file -> new SharedLocation(file, data.address() - memory.segment().address()));
    }

    /** A file in shared memory, and a byte offset in it. */
    public record SharedLocation(Path file, long offset) {}

    // ---- views and copies ------------------------------------------------------------------------

    /** The same elements in another shape; one dimension may be -1 (inferred). A view. */
    public NdArray reshape(long... newShape) {
        long[] s = newShape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && unknown < 0) {
                unknown = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("cannot reshape to " + shapeText(newShape) + ": negative dimension");
            } else {
                known = Math.multiplyExact(known, s[i]);
            }
        }
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape array of size " + size + " into shape " + shapeText(newShape));
            }
            s[unknown] = size / known;
        }
        if (product(s) != size) {
            throw new IllegalArgumentException("cannot reshape array of size " + size + " into shape " + shapeText(newShape));
        }
        return new NdArray(memory, data, type, s);
    }

    /** Row {@code i} (0 <= i < shape[0]) of an array of two or more dimensions: a view. */
    public NdArray row(long i) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("row() needs 2 or more dimensions; index a 1-D array with item()");
        }
        Objects.checkIndex(i, shape[0]);
        long[] rest = Arrays.copyOfRange(shape, 1, shape.length);
        long rowBytes = product(rest) * type.byteSize();
        return new NdArray(memory, data.asSlice(i * rowBytes, rowBytes), type, rest);
    }

    /**
     * {@code [start:stop:step]} along the first axis, bounds already normalized as Python's
     * {@code slice.indices} does: a view for step 1, else a copy.
     */
    public NdArray slice(long start, long stop, long step) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("cannot slice a 0-dimensional array");
        }
        if (step == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        long count = step > 0 ? Math.max(0, Math.ceilDiv(Math.subtractExact(stop, start), step))
                : Math.max(0, Math.ceilDiv(Math.subtractExact(start, stop), -step));
        if (count > 0) {
            // The first and last rows taken must exist (Python's slice.indices gives such bounds).
            Objects.checkIndex(start, shape[0]);
            Objects.checkIndex(Math.addExact(start, Math.multiplyExact(count - 1, step)), shape[0]);
        }
        long[] s = shape.clone();
        s[0] = count;
        long rowBytes = (shape[0] == 0 ? 0 : size / shape[0]) * type.byteSize();
        try {
            if (step == 1) {
                return new NdArray(memory, data.asSlice(start * rowBytes, count * rowBytes), type, s);
            }
            NdArray out = uninitialized(type, s);
            for (long k = 0; k < count; k++) {
                MemorySegment.copy(data, (start + k * step) * rowBytes, out.data, k * rowBytes, rowBytes);
            }
            return out;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** A new array with the same elements. */
    public NdArray copy() {
        try {
            NdArray out = uninitialized(type, shape);
            out.data.copyFrom(data);
            return out;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** A copy converted to {@code to} (floats to ints truncate toward zero, as numpy). */
    public NdArray astype(DType to) {
        try {
            if (to == type) {
                return copy();
            }
            NdArray out = uninitialized(to, shape);
            if (to.isFloat() || type.isFloat()) {
                for (long i = 0; i < size; i++) {
                    out.setDouble(i, getDouble(i));
                }
            } else {
                for (long i = 0; i < size; i++) {
                    out.setLong(i, getLong(i));
                }
            }
            return out;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The elements' bytes in native order (a copy). */
    public byte[] toBytes() {
        return toBytes(0, size);
    }

    /** The bytes of elements {@code [from, to)} of the flattened array. */
    public byte[] toBytes(long from, long to) {
        try {
            Objects.checkFromToIndex(from, to, size);
            return data.asSlice(from * type.byteSize(), (to - from) * type.byteSize()).toArray(ValueLayout.JAVA_BYTE);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    // ---- elements --------------------------------------------------------------------------------

    /** Element {@code i} of the flattened array: a Double, Long or Boolean. */
    public Object item(long i) {
        try {
            Objects.checkIndex(i, size);
            return switch (type) {
                case F32, F64 -> getDouble(i);
                case I32, I64 -> getLong(i);
                case BOOL -> data.get(BOOL, i) != 0;
            };
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Sets element {@code i} of the flattened array, converted to the array's type. */
    public void setItem(long i, Object value) {
        try {
            Objects.checkIndex(i, size);
            store(i, value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Sets every element to {@code value}. */
    public void fill(Object value) {
        try {
            for (long i = 0; i < size; i++) {
                store(i, value);
            }
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Copies {@code source} (same shape) into this array, converting types. */
    public void assign(NdArray source) {
        try {
            if (!Arrays.equals(shape, source.shape)) {
                throw new IllegalArgumentException("could not broadcast input array from shape " + shapeText(source.shape)
                        + " into shape " + shapeText(shape));
            }
            if (source.type == type) {
                data.copyFrom(source.data);
            } else if (type.isFloat() || source.type.isFloat()) {
                for (long i = 0; i < size; i++) {
                    setDouble(i, source.getDouble(i));
                }
            } else {
                for (long i = 0; i < size; i++) {
                    setLong(i, source.getLong(i));
                }
            }
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(source);
        }
    }

    private void store(long i, Object value) {
        switch (value) {
            case null -> throw new IllegalArgumentException("an array element must be a number, got None");
            case Boolean b -> setLong(i, b ? 1 : 0);
            case Double d -> {
                if (type.isFloat() || type == DType.BOOL) {
                    setDouble(i, d);   // bool: nonzero (NaN too) is True, as numpy
                } else if (Double.isFinite(d)) {
                    setLong(i, (long) d.doubleValue());
                } else {
                    throw new IllegalArgumentException("cannot convert float " + d + " to integer");
                }
            }
            case Number n -> {
                if (type.isFloat()) {
                    setDouble(i, n.doubleValue());
                } else {
                    setLong(i, checkFits(n.longValue(), type));
                }
            }
            default -> throw new IllegalArgumentException("an array element must be a number, got " + value.getClass().getSimpleName());
        }
    }

    double getDouble(long i) {
        return switch (type) {
            case F32 -> data.getAtIndex(F32, i);
            case F64 -> data.getAtIndex(F64, i);
            case I32 -> data.getAtIndex(I32, i);
            case I64 -> data.getAtIndex(I64, i);
            case BOOL -> data.get(BOOL, i);
        };
    }

    long getLong(long i) {
        return switch (type) {
            case F32 -> (long) data.getAtIndex(F32, i);
            case F64 -> (long) data.getAtIndex(F64, i);
            case I32 -> data.getAtIndex(I32, i);
            case I64 -> data.getAtIndex(I64, i);
            case BOOL -> data.get(BOOL, i);
        };
    }

    void setDouble(long i, double v) {
        switch (type) {
            case F32 -> data.setAtIndex(F32, i, (float) v);
            case F64 -> data.setAtIndex(F64, i, v);
            case I32 -> data.setAtIndex(I32, i, (int) (long) v);
            case I64 -> data.setAtIndex(I64, i, (long) v);
            case BOOL -> data.set(BOOL, i, (byte) (v != 0 || Double.isNaN(v) ? 1 : 0));
        }
    }

    void setLong(long i, long v) {
        switch (type) {
            case F32 -> data.setAtIndex(F32, i, (float) v);
            case F64 -> data.setAtIndex(F64, i, (double) v);
            case I32 -> data.setAtIndex(I32, i, (int) v);
            case I64 -> data.setAtIndex(I64, i, v);
            case BOOL -> data.set(BOOL, i, (byte) (v != 0 ? 1 : 0));
        }
    }

    private static long checkFits(long v, DType type) {
        if (type == DType.I32 && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
            throw new ArithmeticException("Python integer " + v + " out of bounds for int32");   // Python's OverflowError
        }
        return v;
    }

    // ---- arithmetic and comparisons --------------------------------------------------------------

    /** {@code this op other}, elementwise. */
    public NdArray binary(BinaryOp op, NdArray other, ComputeEngine engine) {
        try {
            boolean thisBig = bigFirst(shape, other.shape);
            NdArray big = thisBig ? this : other;
            NdArray small = thisBig ? other : this;
            DType result = op.resultType(type, other.type);
            NdArray out = uninitialized(result, big.shape);
            run(op, result, new Operands(big, small, small.size, !thisBig), out, engine);
            return out;
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(other);
        }
    }

    /**
     * {@code this op= other} (numpy's {@code out=this}): the result written into this array, which
     * must have the result's shape; a float result cannot go into an int array (numpy's
     * same-kind casting rule).
     */
    public void binaryInPlace(BinaryOp op, Object other, ComputeEngine engine) {
        try {
            NdArray operand = other instanceof NdArray a ? a : null;
            DType otherType = operand != null ? operand.type : scalarType(other);
            DType result = op.resultType(type, otherType);
            if (kind(result) > kind(type)) {
                throw new ArrayStoreException("Cannot cast ufunc '" + op + "' output from dtype('" + result.numpyName()
                        + "') to dtype('" + type.numpyName() + "') with casting rule 'same_kind'");
            }
            if (operand == null) {
                NdArray one = zeros(otherType, 1);
                one.store(0, other);
                run(op, result, new Operands(this, one, 1, false), this, engine);
                return;
            }
            if (!bigFirst(shape, operand.shape) && !Arrays.equals(shape, operand.shape)) {
                throw new IllegalArgumentException("non-broadcastable output operand with shape " + shapeText(shape)
                        + " doesn't match the broadcast shape " + shapeText(operand.shape));
            }
            if (operand.data.asOverlappingSlice(data).isPresent() && !operand.data.equals(data)) {
                operand = operand.copy();   // a partly overlapping view would read what this loop already wrote
            }
            run(op, result, new Operands(this, operand, operand.size, false), this, engine);
            Reference.reachabilityFence(operand);   // the copy, when one was made
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(other);
        }
    }

    /** {@code op(this)} written into {@code out} (same shape; may be this array): numpy's {@code out=}. */
    public void unaryInto(UnaryOp op, NdArray out, ComputeEngine engine) {
        try {
            if (!Arrays.equals(shape, out.shape)) {
                throw new IllegalArgumentException("out has shape " + shapeText(out.shape) + " but the result has shape " + shapeText(shape));
            }
            if (type.isFloat() && out.type == type && (out.data.equals(data) || out.data.asOverlappingSlice(data).isEmpty())) {
                engine.apply(op, data, out.data, type);
                return;
            }
            NdArray result = unary(op, engine);
            if (kind(result.type) > kind(out.type)) {
                throw new ArrayStoreException("Cannot cast ufunc '" + op + "' output from dtype('" + result.type.numpyName()
                        + "') to dtype('" + out.type.numpyName() + "') with casting rule 'same_kind'");
            }
            out.assign(result);
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(out);
        }
    }

    /** numpy's kinds, in the order same-kind casting allows: bool, int, float. */
    private static int kind(DType t) {
        return t == DType.BOOL ? 0 : t.isFloat() ? 2 : 1;
    }

    /** The type a Python scalar takes next to this array (NEP 50: a Python int or float is "weak"). */
    private DType scalarType(Object scalar) {
        return switch (scalar) {
            case Boolean b -> DType.BOOL;
            case Double d -> type.isFloat() ? type : DType.F64;
            case Long l -> type == DType.BOOL ? DType.I64 : type;
            case Integer i -> type == DType.BOOL ? DType.I64 : type;
            case null, default -> throw new IllegalArgumentException("unsupported operand: "
                    + (scalar == null ? "None" : scalar.getClass().getSimpleName()));
        };
    }

    /** {@code this op scalar}, or {@code scalar op this} when {@code scalarFirst}; the scalar is a Long, Double or Boolean. */
    public NdArray binary(BinaryOp op, Object scalar, boolean scalarFirst, ComputeEngine engine) {
        try {
            DType scalarType = scalarType(scalar);
            if (!scalarType.isFloat() && scalar instanceof Number n) {
                checkFits(n.longValue(), scalarType);
            }
            NdArray one = zeros(scalarType, 1);
            one.store(0, scalar);
            DType result = op.resultType(scalarFirst ? scalarType : type, scalarFirst ? type : scalarType);
            NdArray out = uninitialized(result, shape);
            run(op, result, new Operands(this, one, 1, scalarFirst), out, engine);
            return out;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The big operand, the small one repeated with the given period (1: a scalar), and which comes first. */
    private record Operands(NdArray big, NdArray small, long period, boolean smallFirst) {
        NdArray left() {
            return smallFirst ? small : big;
        }

        NdArray right() {
            return smallFirst ? big : small;
        }
    }

    /** Elements per block of the general path: buffers that stay in the L1 cache. */
    private static final int BLOCK = 1024;

    private static void run(BinaryOp op, DType result, Operands x, NdArray out, ComputeEngine engine) {
        long n = out.size;
        if (result == DType.F64 && x.big.type == DType.F64 && x.small.type == DType.F64 && op.ordinal() <= BinaryOp.TRUE_DIVIDE.ordinal()
                && (x.period == n || x.period == 1)) {
            engine.forEachRange(n, (from, to) -> fastF64(op, x, out.data, from, to));
            return;
        }
        boolean floating = op.isComparison()
                ? x.big.type.isFloat() || x.small.type.isFloat()
                : result.isFloat();
        // Block by block: read both operands into buffers, apply the operation to the buffers, write
        // the result; each step one tight loop for its type, instead of a type switch per element.
        engine.forEachRange(n, (from, to) -> {
            if (floating) {
                double[] a = new double[BLOCK];
                double[] b = new double[BLOCK];
                double[] r = new double[BLOCK];
                for (long start = from; start < to; start += BLOCK) {
                    int len = (int) Math.min(BLOCK, to - start);
                    x.left().read(start, len, a, x.smallFirst ? x.period : x.left().size);
                    x.right().read(start, len, b, x.smallFirst ? x.right().size : x.period);
                    op.applyBlock(a, b, r, len);
                    out.write(start, len, r);
                }
            } else {
                long[] a = new long[BLOCK];
                long[] b = new long[BLOCK];
                long[] r = new long[BLOCK];
                for (long start = from; start < to; start += BLOCK) {
                    int len = (int) Math.min(BLOCK, to - start);
                    x.left().read(start, len, a, x.smallFirst ? x.period : x.left().size);
                    x.right().read(start, len, b, x.smallFirst ? x.right().size : x.period);
                    op.applyBlock(a, b, r, len);
                    out.write(start, len, r);
                }
            }
        });
    }

    /** Elements {@code [start, start + len)} as doubles, this array repeating every {@code period} elements. */
    private void read(long start, int len, double[] buf, long period) {
        if (period == 1) {
            Arrays.fill(buf, 0, len, getDouble(0));
        } else if (period != size || start + len > size) {
            for (int i = 0; i < len; i++) {
                buf[i] = getDouble((start + i) % period);
            }
        } else {
            switch (type) {
                case F64 -> MemorySegment.copy(data, F64, start * 8, buf, 0, len);
                case F32 -> { for (int i = 0; i < len; i++) { buf[i] = data.getAtIndex(F32, start + i); } }
                case I32 -> { for (int i = 0; i < len; i++) { buf[i] = data.getAtIndex(I32, start + i); } }
                case I64 -> { for (int i = 0; i < len; i++) { buf[i] = data.getAtIndex(I64, start + i); } }
                case BOOL -> { for (int i = 0; i < len; i++) { buf[i] = data.get(BOOL, start + i); } }
            }
        }
    }

    private void read(long start, int len, long[] buf, long period) {
        if (period == 1) {
            Arrays.fill(buf, 0, len, getLong(0));
        } else if (period != size || start + len > size) {
            for (int i = 0; i < len; i++) {
                buf[i] = getLong((start + i) % period);
            }
        } else {
            switch (type) {
                case I64 -> MemorySegment.copy(data, I64, start * 8, buf, 0, len);
                case I32 -> { for (int i = 0; i < len; i++) { buf[i] = data.getAtIndex(I32, start + i); } }
                case BOOL -> { for (int i = 0; i < len; i++) { buf[i] = data.get(BOOL, start + i); } }
                default -> { for (int i = 0; i < len; i++) { buf[i] = getLong(start + i); } }
            }
        }
    }

    /** Writes {@code buf[0, len)} to elements {@code [start, start + len)}, converted to this array's type. */
    private void write(long start, int len, double[] buf) {
        switch (type) {
            case F64 -> MemorySegment.copy(buf, 0, data, F64, start * 8, len);
            case F32 -> { for (int i = 0; i < len; i++) { data.setAtIndex(F32, start + i, (float) buf[i]); } }
            case BOOL -> { for (int i = 0; i < len; i++) { data.set(BOOL, start + i, (byte) (buf[i] != 0 ? 1 : 0)); } }
            default -> { for (int i = 0; i < len; i++) { setDouble(start + i, buf[i]); } }
        }
    }

    private void write(long start, int len, long[] buf) {
        switch (type) {
            case I64 -> MemorySegment.copy(buf, 0, data, I64, start * 8, len);
            case I32 -> { for (int i = 0; i < len; i++) { data.setAtIndex(I32, start + i, (int) buf[i]); } }
            case BOOL -> { for (int i = 0; i < len; i++) { data.set(BOOL, start + i, (byte) (buf[i] != 0 ? 1 : 0)); } }
            default -> { for (int i = 0; i < len; i++) { setLong(start + i, buf[i]); } }
        }
    }

    /**
     * float64 with float64 (same shape, or a scalar) for + - * /: one loop per case, which the JIT
     * compiles to vector code, where the general loop reads each element through a type switch.
     */
    private static void fastF64(BinaryOp op, Operands x, MemorySegment out, long from, long to) {
        MemorySegment big = x.big.data;
        if (x.period == 1) {
            double s = x.small.getDouble(0);
            boolean sFirst = x.smallFirst;
            switch (op) {
                case ADD -> {
                    for (long i = from; i < to; i++) {
                        out.setAtIndex(F64, i, big.getAtIndex(F64, i) + s);
                    }
                }
                case SUBTRACT -> {
                    for (long i = from; i < to; i++) {
                        double v = big.getAtIndex(F64, i);
                        out.setAtIndex(F64, i, sFirst ? s - v : v - s);
                    }
                }
                case MULTIPLY -> {
                    for (long i = from; i < to; i++) {
                        out.setAtIndex(F64, i, big.getAtIndex(F64, i) * s);
                    }
                }
                default -> {
                    for (long i = from; i < to; i++) {
                        double v = big.getAtIndex(F64, i);
                        out.setAtIndex(F64, i, sFirst ? s / v : v / s);
                    }
                }
            }
            return;
        }
        MemorySegment a = x.smallFirst ? x.small.data : big;
        MemorySegment b = x.smallFirst ? big : x.small.data;
        switch (op) {
            case ADD -> {
                for (long i = from; i < to; i++) {
                    out.setAtIndex(F64, i, a.getAtIndex(F64, i) + b.getAtIndex(F64, i));
                }
            }
            case SUBTRACT -> {
                for (long i = from; i < to; i++) {
                    out.setAtIndex(F64, i, a.getAtIndex(F64, i) - b.getAtIndex(F64, i));
                }
            }
            case MULTIPLY -> {
                for (long i = from; i < to; i++) {
                    out.setAtIndex(F64, i, a.getAtIndex(F64, i) * b.getAtIndex(F64, i));
                }
            }
            default -> {
                for (long i = from; i < to; i++) {
                    out.setAtIndex(F64, i, a.getAtIndex(F64, i) / b.getAtIndex(F64, i));
                }
            }
        }
    }

    // ---- functions -------------------------------------------------------------------------------

    /** {@code op(x)} elementwise: float arrays keep their type, int arrays give float64 for sqrt/log/exp. */
    public NdArray unary(UnaryOp op, ComputeEngine engine) {
        try {
            if (type.isFloat()) {
                NdArray out = uninitialized(type, shape);
                engine.apply(op, data, out.data, type);
                return out;
            }
            if (op == UnaryOp.SQRT || op == UnaryOp.LOG || op == UnaryOp.EXP) {
                NdArray floats = astype(DType.F64);
                engine.apply(op, floats.data, floats.data, DType.F64);
                return floats;
            }
            DType result = type == DType.BOOL ? DType.I64 : type;
            NdArray out = uninitialized(result, shape);
            engine.forEachRange(size, (from, to) -> {
                for (long i = from; i < to; i++) {
                    long v = getLong(i);
                    out.setLong(i, switch (op) {
                        case SQUARE -> v * v;
                        case ABS -> Math.abs(v);
                        case NEGATE -> -v;
                        default -> throw new AssertionError(op);
                    });
                }
            });
            return out;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Sum of the elements: a Double for floats, a Long for ints and bools (numpy's int64 accumulator). */
    public Object sum(ComputeEngine engine) {
        try {
            if (type.isFloat()) {
                return engine.sum(data, type);
            }
            long total = 0;
            for (long i = 0; i < size; i++) {
                total += getLong(i);
            }
            return total;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Arithmetic mean (a Double); NaN for an empty array, as numpy (which also warns). */
    public double mean(ComputeEngine engine) {
        try {
            if (size == 0) {
                return Double.NaN;
            }
            if (type.isFloat()) {
                return engine.mean(data, type);
            }
            return ((Long) sum(engine)).doubleValue() / size;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Smallest ({@code max} false) or largest element: Double, Long or Boolean; empty is an error. */
    public Object extremum(boolean max, ComputeEngine engine) {
        try {
            requireNotEmpty(max ? "maximum" : "minimum");
            if (type.isFloat()) {
                return max ? engine.max(data, type) : engine.min(data, type);
            }
            long best = getLong(0);
            for (long i = 1; i < size; i++) {
                long v = getLong(i);
                best = max ? Math.max(best, v) : Math.min(best, v);
            }
            return type == DType.BOOL ? (Object) (best != 0) : (Object) best;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * numpy's {@code matmul} for 1-D and 2-D operands: vector·vector is a scalar (Double or Long),
     * matrix·vector and vector·matrix a vector, matrix·matrix a matrix.
     */
    public Object matmul(NdArray other, ComputeEngine engine) {
        try {
            if (ndim() == 0 || other.ndim() == 0 || ndim() > 2 || other.ndim() > 2) {
                throw new IllegalArgumentException("matmul takes 1-D or 2-D arrays, got shapes " + shapeText(shape) + " and "
                        + shapeText(other.shape));
            }
            long m = ndim() == 2 ? shape[0] : 1;
            long k = shape[ndim() - 1];
            long k2 = other.shape[0];
            long n = other.ndim() == 2 ? other.shape[1] : 1;
            if (k != k2) {
                throw new IllegalArgumentException("matmul: input operand 1 has a mismatch in its core dimension 0 (size " + k2
                        + " is different from " + k + "): shapes " + shapeText(shape) + " and " + shapeText(other.shape));
            }
            DType result = BinaryOp.MULTIPLY.resultType(type, other.type);
            if (ndim() == 1 && other.ndim() == 1) {
                if (result.isFloat() && type == result && other.type == result) {
                    return engine.dot(data, other.data, result);
                }
                NdArray product = binary(BinaryOp.MULTIPLY, other, engine);
                return product.sum(engine);
            }
            long[] outShape = ndim() == 1 ? new long[] {n} : other.ndim() == 1 ? new long[] {m} : new long[] {m, n};
            if (m > Integer.MAX_VALUE || k > Integer.MAX_VALUE || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("matmul: dimensions above " + Integer.MAX_VALUE + " are not supported");
            }
            if (result.isFloat()) {
                NdArray a = type == result ? this : astype(result);
                NdArray b = other.type == result ? other : other.astype(result);
                NdArray out = zeros(result, outShape);
                engine.matmul(a.data, (int) m, (int) k, b.data, (int) k, (int) n, out.data, result);
                Reference.reachabilityFence(a);
                Reference.reachabilityFence(b);
                return out;
            }
            NdArray out = zeros(result, outShape);
            engine.forEachRange(m, (from, to) -> {
                for (long i = from; i < to; i++) {
                    for (long j = 0; j < n; j++) {
                        long acc = 0;
                        for (long p = 0; p < k; p++) {
                            acc += getLong(i * k + p) * other.getLong(p * n + j);
                        }
                        out.setLong(i * n + j, acc);
                    }
                }
            });
            return out;
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(other);
        }
    }

    private void requireNotEmpty(String what) {
        if (size == 0) {
            throw new IllegalArgumentException("zero-size array to reduction operation " + what + " which has no identity");
        }
    }

    // ---- shapes ----------------------------------------------------------------------------------

    /**
     * Whether {@code a} is the operand that gives an elementwise result its shape ({@code b} then
     * repeats over it): equal shapes, or one operand of one element, or one whose shape is the
     * other's trailing dimensions; else numpy's message.
     */
    private static boolean bigFirst(long[] a, long[] b) {
        if (Arrays.equals(a, b)) {
            return true;
        }
        long sa = product(a);
        long sb = product(b);
        if (sb == 1 && b.length <= a.length || trailing(b, a)) {
            return true;
        }
        if (sa == 1 && a.length <= b.length || trailing(a, b)) {
            return false;
        }
        throw new IllegalArgumentException("operands could not be broadcast together with shapes " + shapeText(a) + " "
                + shapeText(b) + " (covet.Array broadcasts equal shapes, scalars and trailing shapes)");
    }

    /** Whether {@code small}'s shape is the last dimensions of {@code big}'s. */
    private static boolean trailing(long[] small, long[] big) {
        return small.length <= big.length
                && Arrays.equals(small, Arrays.copyOfRange(big, big.length - small.length, big.length));
    }

    private static long[] checkShape(long[] shape) {
        Objects.requireNonNull(shape, "shape");
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimensions are not allowed: " + shapeText(shape));
            }
        }
        product(shape);
        return shape.clone();
    }

    static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p = Math.multiplyExact(p, d);
        }
        return p;
    }

    /** Python's spelling of a shape: {@code (3,)}, {@code (2, 3)}. */
    public static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return b.append(')').toString();
    }

    @Override
    public String toString() {
        return "NdArray(" + type.numpyName() + ", shape=" + shapeText(shape) + ")";
    }
}
