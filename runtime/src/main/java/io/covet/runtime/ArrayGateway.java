package io.covet.runtime;

import io.covet.compute.BinaryOp;
import io.covet.compute.ComputeEngine;
import io.covet.compute.DType;
import io.covet.compute.NdArray;
import io.covet.compute.UnaryOp;
import io.covet.interpreters.HostError;
import io.covet.interpreters.HostHandle;
import io.covet.interpreters.InterpreterSession;
import io.covet.interpreters.PyTuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Java side of {@code covet.Array} ({@code python/covet/array.py}): one host function,
 * {@code _covet_host.array(op, ...)}, whose operations run on the calling interpreter's thread
 * (large ones split over the compute engine's pool) on {@link NdArray}s that Python holds as
 * {@link ArrayHandle}s. An array result crosses as {@code (handle, dtype, shape)}, the only data
 * that crosses; element values cross only when Python asks for them ({@code item}, {@code bytes}).
 */
final class ArrayGateway {

    /** What Python holds for an array: a reference, never a copy. */
    record ArrayHandle(NdArray array) implements HostHandle {
        @Override
        public String toString() {
            return array.toString();
        }
    }

    private final Supplier<ComputeEngine> engine;

    ArrayGateway(Supplier<ComputeEngine> engine) {
        this.engine = engine;
    }

    /** An array as Python's {@code covet.array} module takes it: {@code (handle, dtype, shape)}. */
    static PyTuple toPython(NdArray array) {
        List<Object> shape = new ArrayList<>(array.ndim());
        for (long d : array.shape()) {
            shape.add(d);
        }
        return PyTuple.of(new ArrayHandle(array), array.type().numpyName(), new PyTuple(shape));
    }

    /** The most bytes of an array outside shared memory that are copied to a CPython worker. */
    private static final long MAX_COPY_TO_WORKER = 256L << 20;

    /**
     * How a CPython worker finds an array: {@code ("shm", file, byte offset, dtype, shape)} of its
     * shared memory, which the worker maps (no copy), or {@code ("bytes", data, dtype, shape)} for
     * one not in shared memory (small, or made while /dev/shm had no room). dtype and shape are
     * Java's, not what the pickle says.
     */
    static Object[] forWorker(NdArray array) {
        List<Object> shape = new ArrayList<>();
        for (long d : array.shape()) {
            shape.add(d);
        }
        Object[] shapeTuple = shape.toArray();
        String dtype = array.type().numpyName();
        return array.exportLocation()
                .map(at -> new Object[] {"shm", at.file().toString(), at.offset(), dtype, shapeTuple})
                .orElseGet(() -> {
                    long bytes = array.size() * array.type().byteSize();
                    if (bytes > MAX_COPY_TO_WORKER) {
                        throw new HostError("MemoryError", "a covet.Array of " + bytes + " bytes outside shared memory (/dev/shm "
                                + "had no room for it) is too large to copy to a CPython worker (at most " + MAX_COPY_TO_WORKER + ")");
                    }
                    return new Object[] {"bytes", array.toBytes(), dtype, shapeTuple};
                });
    }

    /** The array behind an argument that must be one. */
    static NdArray array(Object value, String what) {
        if (value instanceof ArrayHandle h) {
            return h.array();
        }
        throw new HostError("TypeError", what + " must be a covet.Array");
    }

    /** {@code array(op, ...)}: see {@code python/covet/array.py} for each operation's arguments. */
    Object call(InterpreterSession session, List<Object> a) {
        String op = text(a, 0);
        ComputeEngine e = engine.get();
        try {
            return switch (op) {
                case "zeros" -> toPython(NdArray.zeros(dtype(a, 1), shape(a, 2)));
                case "from_bytes" -> toPython(NdArray.fromBytes(bytes(a, 1), dtype(a, 2), shape(a, 3)));
                case "binary" -> {
                    BinaryOp bop = BinaryOp.parse(text(a, 1));
                    NdArray x = array(arg(a, 2), "the left operand");
                    boolean scalarFirst = Boolean.TRUE.equals(arg(a, 4));
                    yield toPython(arg(a, 3) instanceof ArrayHandle y
                            ? x.binary(bop, y.array(), e)
                            : x.binary(bop, scalar(arg(a, 3)), scalarFirst, e));
                }
                case "binary_in_place" -> {
                    Object y = arg(a, 3) instanceof ArrayHandle h ? h.array() : scalar(arg(a, 3));
                    array(arg(a, 2), "the array").binaryInPlace(BinaryOp.parse(text(a, 1)), y, e);
                    yield null;
                }
                case "unary" -> toPython(array(arg(a, 2), "the operand").unary(UnaryOp.parse(text(a, 1)), e));
                case "unary_into" -> {
                    array(arg(a, 2), "the operand").unaryInto(UnaryOp.parse(text(a, 1)), array(arg(a, 3), "out"), e);
                    yield null;
                }
                case "sum" -> array(arg(a, 1), "the array").sum(e);
                case "mean" -> array(arg(a, 1), "the array").mean(e);
                case "min" -> array(arg(a, 1), "the array").extremum(false, e);
                case "max" -> array(arg(a, 1), "the array").extremum(true, e);
                case "matmul" -> {
                    Object product = array(arg(a, 1), "the left operand").matmul(array(arg(a, 2), "the right operand"), e);
                    yield product instanceof NdArray n ? toPython(n) : product;
                }
                case "reshape" -> toPython(array(arg(a, 1), "the array").reshape(shape(a, 2)));
                case "row" -> toPython(array(arg(a, 1), "the array").row(integer(a, 2)));
                case "slice" -> toPython(array(arg(a, 1), "the array").slice(integer(a, 2), integer(a, 3), integer(a, 4)));
                case "item" -> array(arg(a, 1), "the array").item(integer(a, 2));
                case "set_item" -> {
                    array(arg(a, 1), "the array").setItem(integer(a, 2), scalar(arg(a, 3)));
                    yield null;
                }
                case "fill" -> {
                    array(arg(a, 1), "the array").fill(scalar(arg(a, 2)));
                    yield null;
                }
                case "assign" -> {
                    array(arg(a, 1), "the array").assign(array(arg(a, 2), "the value"));
                    yield null;
                }
                case "astype" -> toPython(array(arg(a, 1), "the array").astype(dtype(a, 2)));
                case "copy" -> toPython(array(arg(a, 1), "the array").copy());
                case "bytes" -> array(arg(a, 1), "the array").toBytes(integer(a, 2), integer(a, 3));
                default -> throw new HostError("ValueError", "unknown array operation '" + op + "'");
            };
        } catch (ArithmeticException ex) {
            String message = message(ex);
            throw new HostError(message.startsWith("Integers to negative") ? "ValueError"
                    : message.contains("by zero") ? "ZeroDivisionError" : "OverflowError", message);
        } catch (ArrayStoreException ex) {
            throw new HostError("TypeError", message(ex));
        } catch (IndexOutOfBoundsException ex) {
            throw new HostError("IndexError", message(ex));
        } catch (IllegalArgumentException ex) {
            throw new HostError("ValueError", message(ex));
        } catch (OutOfMemoryError ex) {
            throw new HostError("MemoryError", message(ex));
        } catch (InternalError ex) {
            // HotSpot's answer to a fault in mapped memory (SIGBUS: the shared-memory file system ran full).
            throw new HostError("MemoryError", "array memory could not be touched: " + message(ex));
        }
    }

    /**
     * The message of the deepest exception in {@code e}'s causes that has one: an exception
     * thrown in the compute engine's pool reaches the caller as a copy whose cause is the original.
     */
    private static String message(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();   // the deepest one: copies may say "java.lang.X: ..."
            }
        }
        return message != null ? message : e.getClass().getSimpleName();
    }

    /** Argument {@code i}; a call with fewer is a TypeError, not an index error of this list. */
    private static Object arg(List<Object> a, int i) {
        if (i >= a.size()) {
            throw new HostError("TypeError", "_covet_host.array(" + (a.isEmpty() ? "" : a.get(0)) + "): missing argument " + i);
        }
        return a.get(i);
    }

    private static Object scalar(Object value) {
        if (value instanceof Boolean || value instanceof Long || value instanceof Double) {
            return value;
        }
        if (value instanceof java.math.BigInteger) {
            throw new HostError("OverflowError", "Python integer " + value + " out of bounds for int64");
        }
        throw new HostError("TypeError", "covet.Array takes numbers (int, float, bool), got " + describe(value));
    }

    private static DType dtype(List<Object> a, int i) {
        return DType.ofNumpyName(text(a, i));
    }

    private static long[] shape(List<Object> a, int i) {
        if (!(arg(a, i) instanceof PyTuple(List<Object> items))) {
            throw new HostError("TypeError", "a shape must be a tuple of ints");
        }
        long[] shape = new long[items.size()];
        for (int k = 0; k < shape.length; k++) {
            if (!(items.get(k) instanceof Long d)) {
                throw new HostError("TypeError", "a shape must be a tuple of ints, got " + describe(items.get(k)));
            }
            shape[k] = d;
        }
        return shape;
    }

    private static String text(List<Object> a, int i) {
        if (!(arg(a, i) instanceof String s)) {
            throw new HostError("TypeError", "argument " + i + " must be a str, got " + describe(a.get(i)));
        }
        return s;
    }

    private static long integer(List<Object> a, int i) {
        if (!(arg(a, i) instanceof Long n)) {
            throw new HostError("TypeError", "argument " + i + " must be an int, got " + describe(a.get(i)));
        }
        return n;
    }

    private static byte[] bytes(List<Object> a, int i) {
        if (!(arg(a, i) instanceof byte[] b)) {
            throw new HostError("TypeError", "argument " + i + " must be bytes, got " + describe(a.get(i)));
        }
        return b;
    }

    private static String describe(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }
}
