package io.covet.interpreters;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * neither side touches elements one by one.
 *
 * <p>Not thread-safe: one instance per interpreter, used on its thread only.
 */
final class Boundary {

    private final Value none;
    private final Value newList;
    private final Value newDict;
    private final Value toTuple;
    private final Value bigInt;
    private final Value latin1Bytes;
    private final Value latin1Array;
    private final Value arrayInfo;

    Boundary(Value helper) {
        none = helper.getMember("NONE");
        newList = helper.getMember("new_list");
        newDict = helper.getMember("new_dict");
        toTuple = helper.getMember("to_tuple");
        bigInt = helper.getMember("big_int");
        latin1Bytes = helper.getMember("latin1_bytes");
        latin1Array = helper.getMember("latin1_array");
        arrayInfo = helper.getMember("array_info");
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
            case byte[] bytes -> latin1Bytes.execute(new String(bytes, StandardCharsets.ISO_8859_1));
            case double[] doubles -> latin1Array.execute("d", latin1(doubles));
            case float[] floats -> latin1Array.execute("f", latin1(floats));
            case PyTuple tuple -> toTuple.execute(toPythonList(tuple.items()));
            case Collection<?> items -> toPythonList(items);
            case Object[] items -> toPythonList(java.util.Arrays.asList(items));
            case Map<?, ?> map -> {
                Value dict = newDict.execute();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    dict.putHashEntry(toPython(e.getKey()), toPython(e.getValue()));
                }
                yield dict;
            }
            default -> throw new IllegalArgumentException("cannot pass a " + value.getClass().getName()
                    + " to Python; supported: null, Boolean, Integer, Long, BigInteger, Float, Double, String, byte[], "
                    + "double[], float[], List, PyTuple, Map, HostHandle");
        };
    }

    private Value toPythonList(Collection<?> items) {
        Value list = newList.execute();
        for (Object item : items) {
            list.invokeMember("append", toPython(item));
        }
        return list;
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

    /** A Python result as a plain Java value (see the table above). */
    Object toJava(Value value) {
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
    }
}
