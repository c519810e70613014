package io.covet.interpreters;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * Converts values between Java and one interpreter, always by value, so no polyglot {@link Value}
 * leaves the pool and Python code only sees native Python objects.
 *
 * <pre>
 *   Java                         Python
 *   null                         None
 *   Boolean                      bool
 *   Integer, Long, BigInteger    int (any size; results: Long when it fits, else BigInteger)
 *   Float, Double                float (results: Double)
 *   String                       str
 *   byte[]                       bytes (bytearray results too)
 *   List / Collection            list
 *   PyTuple                      tuple
 *   Map                          dict
 *   double[] / float[]           array.array('d') / array.array('f') (memoryviews of those formats too)
 *   HostHandle                   an opaque object, the same Java object when it comes back
 * </pre>
 *
 * Byte and float arrays move in bulk: into Python as one Latin-1 string decoded by
 * {@code bytes}/{@code array.frombytes}, out of Python with one {@link Value#readBuffer} call;
 * neither side touches elements one by one. Containers cross in few calls too, since each
 * interop call costs more than the value it carries: into Python a container is one call of a
 * varargs helper with its items converted; out of Python, {@code to_host} describes a whole
 * value in one call (its shape, its bytes joined, its other leaves), which Java reads back.
 * A request's 13-item tuple took 4.3 µs item by item and ~1.6 µs in one call; a response's
 * tuple of a dozen values ~4.2 µs probed value by value and ~2.5 µs described (warm, one thread).
 *
 * <p>Not thread-safe: one instance per interpreter, used on its thread only.
 */
final class Boundary {

    /** Items one call into Python carries at most (even): larger containers cross in calls of this many. */
    static final int ITEMS_PER_CALL = 4096;

    private final Value none;
    private final Value emptyBytes;
    private final Value tupleOf;
    private final Value toTuple;
    private final Value listOf;
    private final Value extendList;
    private final Value dictOf;
    private final Value updateDict;
    private final Value bigInt;
    private final Value latin1Bytes;
    private final Value latin1Array;
    private final Value arrayInfo;
    private final Value toHost;

    Boundary(Value helper) {
        none = helper.getMember("NONE");
        emptyBytes = helper.getMember("EMPTY_BYTES");
        tupleOf = helper.getMember("tuple_of");
        toTuple = helper.getMember("to_tuple");
        listOf = helper.getMember("list_of");
        extendList = helper.getMember("extend_list");
        dictOf = helper.getMember("dict_of");
        updateDict = helper.getMember("update_dict");
        bigInt = helper.getMember("big_int");
        latin1Bytes = helper.getMember("latin1_bytes");
        latin1Array = helper.getMember("latin1_array");
        arrayInfo = helper.getMember("array_info");
        toHost = helper.getMember("to_host");
    }

    /** A Java value as a Python object; rejects what has no Python counterpart. */
    Object toPython(Object value) {
        return switch (value) {
            case null -> none;
            case Value v -> v;   // already Python's (a value made earlier on this interpreter's thread)
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s.intValue();
            case Byte b -> b.intValue();
            case Double d -> d;
            case Float f -> f.doubleValue();
            case String s -> s;
            case Character c -> String.valueOf(c);
            case HostHandle handle -> handle;
            case BigInteger big -> big.bitLength() < 64 ? (Object) big.longValue() : bigInt.execute(big.toString());
            case byte[] bytes -> bytes.length == 0 ? emptyBytes : latin1Bytes.execute(new String(bytes, StandardCharsets.ISO_8859_1));
            case double[] doubles -> latin1Array.execute("d", latin1(doubles));
            case float[] floats -> latin1Array.execute("f", latin1(floats));
            case PyTuple tuple -> tuple.items().size() <= ITEMS_PER_CALL
                    ? tupleOf.execute(toPythonEach(tuple.items()))
                    : toTuple.execute(toPythonList(tuple.items()));
            case Collection<?> items -> toPythonList(items);
            case Object[] items -> toPythonList(Arrays.asList(items));
            case Map<?, ?> map -> toPythonDict(map);
            default -> throw new IllegalArgumentException("cannot pass a " + value.getClass().getName()
                    + " to Python; supported: null, Boolean, Integer, Long, BigInteger, Float, Double, String, byte[], "
                    + "double[], float[], List, PyTuple, Map, HostHandle");
        };
    }

    private Object[] toPythonEach(Collection<?> items) {
        Object[] out = new Object[items.size()];
        int i = 0;
        for (Object item : items) {
            out[i++] = toPython(item);
        }
        return out;
    }

    private Value toPythonList(Collection<?> items) {
        Object[] converted = toPythonEach(items);
        return converted.length <= ITEMS_PER_CALL ? listOf.execute(converted) : inCalls(listOf.execute(), extendList, converted);
    }

    private Value toPythonDict(Map<?, ?> map) {
        Object[] keysAndValues = new Object[2 * map.size()];
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            keysAndValues[i++] = toPython(e.getKey());
            keysAndValues[i++] = toPython(e.getValue());
        }
        return keysAndValues.length <= ITEMS_PER_CALL ? dictOf.execute(keysAndValues)
                : inCalls(dictOf.execute(), updateDict, keysAndValues);
    }

    /** {@code add(target, *items)} in calls of {@link #ITEMS_PER_CALL} items (even: a key stays with its value). */
    private static Value inCalls(Value target, Value add, Object[] items) {
        for (int from = 0; from < items.length; from += ITEMS_PER_CALL) {
            int n = Math.min(ITEMS_PER_CALL, items.length - from);
            Object[] args = new Object[n + 1];
            args[0] = target;
            System.arraycopy(items, from, args, 1, n);
            add.execute(args);
        }
        return target;
    }

    private static String latin1(double[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.nativeOrder());
        buf.asDoubleBuffer().put(values);
        return new String(buf.array(), StandardCharsets.ISO_8859_1);
    }

    private static String latin1(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.nativeOrder());
        buf.asFloatBuffer().put(values);
        return new String(buf.array(), StandardCharsets.ISO_8859_1);
    }

    /**
     * A Python result as a plain Java value (see the table above). Python describes a value of
     * the built-in types in one call ({@code to_host}: its shape, its bytes joined, its other
     * leaves), so a response of a dozen values crosses in a few calls, not a hundred.
     */
    Object toJava(Value value) {
        if (value.isString()) {
            return value.asString();
        }
        if (value.isNull()) {
            return null;
        }
        Value described;
        try {
            described = toHost.execute(value);
        } catch (PolyglotException e) {
            if (!e.isGuestException() || e.isCancelled() || e.isInterrupted() || e.isExit()) {
                throw e;
            }
            throw new UnsupportedValue("value nested this deeply, or containing itself,", e.getMessage());
        }
        String shape = described.getArrayElement(0).asString();
        byte[] blobs = null;
        if (shape.indexOf('b') >= 0) {
            Value joined = described.getArrayElement(1);
            blobs = readBytes(joined, joined.getBufferSize());
        }
        return new Described(shape, blobs, described).next();
    }

    /** Reads {@code to_host}'s description of a value back into Java values, depth first. */
    private final class Described {
        private final String shape;
        private final byte[] blobs;
        private final Value leaves;
        private int at;
        private int blobAt;
        private int leaf = 2;

        Described(String shape, byte[] blobs, Value leaves) {
            this.shape = shape;
            this.blobs = blobs;
            this.leaves = leaves;
        }

        Object next() {
            char kind = shape.charAt(at++);
            return switch (kind) {
                case 'N' -> null;
                case 'T' -> Boolean.TRUE;
                case 'F' -> Boolean.FALSE;
                case 's' -> leaves.getArrayElement(leaf++).asString();
                case 'i' -> leaves.getArrayElement(leaf++).asLong();
                case 'f' -> leaves.getArrayElement(leaf++).asDouble();
                case 'o' -> toJavaOther(leaves.getArrayElement(leaf++));
                case 'b' -> {
                    int n = count();
                    blobAt += n;
                    yield Arrays.copyOfRange(blobs, blobAt - n, blobAt);
                }
                case 't' -> new PyTuple(items(count()));
                case 'l' -> items(count());
                case 'd' -> {
                    int n = count();
                    Map<Object, Object> out = LinkedHashMap.newLinkedHashMap(n);
                    for (int i = 0; i < n; i++) {
                        out.put(next(), next());
                    }
                    yield out;
                }
                default -> throw new IllegalStateException("to_host described a value as '" + kind + "': " + shape);
            };
        }

        private List<Object> items(int n) {
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(next());
            }
            return out;
        }

        private int count() {
            int end = shape.indexOf(';', at);
            int n = Integer.parseInt(shape, at, end, 10);
            at = end + 1;
            return n;
        }
    }

    /** A value of another type than to_host's own (subclasses, big ints, arrays, foreign objects). */
    private Object toJavaOther(Value value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isString()) {
            return value.asString();
        }
        if (value.isHostObject() && value.asHostObject() instanceof HostHandle handle) {
            return handle;
        }
        String type = value.getMetaObject().getMetaSimpleName();
        if (value.isNumber()) {
            // A Python float reaching a host function arrives unboxed, with the meta name of a Java Double.
            if (type.equals("float") || type.equals("Double") || type.equals("Float")) {
                return value.asDouble();
            }
            if (value.fitsInLong()) {
                return value.asLong();
            }
            if (value.fitsInBigInteger()) {
                return value.asBigInteger();
            }
            return value.asDouble();
        }
        return switch (type) {
            case "bytes", "bytearray" -> readBytes(value, value.getBufferSize());
            case "array", "memoryview" -> readArray(value, type);
            case "tuple" -> new PyTuple(toJavaList(value));
            case "list" -> toJavaList(value);
            case "dict" -> toJavaMap(value);
            default -> {
                if (value.hasHashEntries()) {
                    yield toJavaMap(value);
                }
                if (value.hasArrayElements() && !value.hasBufferElements()) {
                    yield toJavaList(value);
                }
                throw new UnsupportedValue(type);
            }
        };
    }

    private List<Object> toJavaList(Value value) {
        int n = Math.toIntExact(value.getArraySize());
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(toJava(value.getArrayElement(i)));
        }
        return out;
    }

    private Map<Object, Object> toJavaMap(Value value) {
        Map<Object, Object> out = new LinkedHashMap<>();
        Value entries = value.getHashEntriesIterator();
        while (entries.hasIteratorNextElement()) {
            Value entry = entries.getIteratorNextElement();
            out.put(toJava(entry.getArrayElement(0)), toJava(entry.getArrayElement(1)));
        }
        return out;
    }

    private Object readArray(Value value, String type) {
        Value info = arrayInfo.execute(value);
        String code = info.getArrayElement(0).asString();
        boolean contiguous = info.getArrayElement(2).asBoolean();
        int nbytes = Math.toIntExact(info.getArrayElement(3).asLong());
        if (!contiguous) {
            throw new UnsupportedValue("non-contiguous " + type);
        }
        return switch (code) {
            case "d" -> {
                double[] out = new double[nbytes / Double.BYTES];
                ByteBuffer.wrap(readBytes(value, nbytes)).order(ByteOrder.nativeOrder()).asDoubleBuffer().get(out);
                yield out;
            }
            case "f" -> {
                float[] out = new float[nbytes / Float.BYTES];
                ByteBuffer.wrap(readBytes(value, nbytes)).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
                yield out;
            }
            case "B", "b", "c" -> readBytes(value, nbytes);
            // Other typecodes (integers of various widths) arrive as a list of numbers.
            default -> toJavaList(value);
        };
    }

    private static byte[] readBytes(Value value, long size) {
        byte[] out = new byte[Math.toIntExact(size)];
        value.readBuffer(0, out, 0, out.length);
        return out;
    }

    /** A result of a Python type with no Java counterpart. */
    static final class UnsupportedValue extends RuntimeException {
        UnsupportedValue(String type) {
            super("cannot return a Python '" + type + "' across the pool boundary; supported: None, bool, int, float, str, "
                    + "bytes, list, tuple, dict, array.array / memoryview of 'd' or 'f' (convert it, e.g. list(x) for a set)");
        }

        UnsupportedValue(String what, String why) {
            super("cannot return a " + what + " across the pool boundary (" + why + ")");
        }
    }
}
