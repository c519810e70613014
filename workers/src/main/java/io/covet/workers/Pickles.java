package io.covet.workers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Pickler;
import net.razorvine.pickle.Unpickler;

/**
 * Java values to and from pickle, through Razorvine's codec (one Pickler/Unpickler per use: they
 * are not thread-safe). Razorvine writes a {@code byte[]} as a bytearray built from a latin-1
 * string and a {@code double[]} float by float; {@link #prepare} wraps them first, so that they
 * go out as bytes ({@code BINBYTES}) and as {@code array.array(typecode, raw bytes)}, in bulk.
 */
final class Pickles {

    /** A byte[] to pickle as Python bytes. */
    private record Bytes(byte[] value) {
    }

    /** A primitive array to pickle as array.array(typecode, its bytes in this machine's order). */
    private record NumberArray(String typecode, byte[] data) {
    }

    private static final int SHORT_BINBYTES = 'C';
    private static final int BINBYTES = 'B';
    private static final int GLOBAL = 'c';
    private static final int TUPLE2 = 0x86;
    private static final int REDUCE = 'R';

    static {
        Pickler.registerCustomPickler(Bytes.class, (o, out, pickler) -> writeBytes(((Bytes) o).value, out));
        Pickler.registerCustomPickler(NumberArray.class, (o, out, pickler) -> {
            NumberArray array = (NumberArray) o;
            out.write(GLOBAL);
            out.write("array\narray\n".getBytes(StandardCharsets.US_ASCII));
            pickler.save(array.typecode);
            writeBytes(array.data, out);
            out.write(TUPLE2);
            out.write(REDUCE);
        });
    }

    private Pickles() {
    }

    private static void writeBytes(byte[] bytes, OutputStream out) throws IOException {
        if (bytes.length < 256) {
            out.write(SHORT_BINBYTES);
            out.write(bytes.length);
        } else {
            out.write(BINBYTES);
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
        }
        out.write(bytes);
    }

    /** Pickles a value {@link #prepare}d first. */
    static byte[] dumps(Object prepared) {
        try {
            return new Pickler().dumps(prepared);
        } catch (PickleException e) {
            throw new IllegalArgumentException("cannot pickle " + prepared.getClass().getName() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Object loads(byte[] pickle) {
        try {
            return new Unpickler().loads(pickle);
        } catch (PickleException e) {
            throw new IllegalStateException("a CPython worker's result could not be read in Java: " + e.getMessage()
                    + " (return plain values: None, bool, int, float, str, bytes, list, tuple, dict, set)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The value ready for {@link #dumps}, or an {@link IllegalArgumentException} naming {@code
     * what} when it does not map onto a plain Python value (Razorvine would otherwise pickle any
     * other object as a dict of its bean properties).
     */
    static Object prepare(Object value, String what) {
        return switch (value) {
            case null -> null;
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s;
            case Byte b -> b;
            case BigInteger b -> b;
            case Double d -> d;
            case Float f -> f;
            case String s -> s;
            case byte[] b -> new Bytes(b);
            case double[] d -> array("d", d.length * 8, b -> b.asDoubleBuffer().put(d));
            case float[] f -> array("f", f.length * 4, b -> b.asFloatBuffer().put(f));
            case int[] i -> array("i", i.length * 4, b -> b.asIntBuffer().put(i));
            // "l": a C long, 8 bytes on 64-bit Linux and macOS (Razorvine reads no "q").
            case long[] l -> array("l", l.length * 8, b -> b.asLongBuffer().put(l));
            case Object[] items -> {
                Object[] out = new Object[items.length];
                for (int i = 0; i < items.length; i++) {
                    out[i] = prepare(items[i], what);
                }
                yield out;
            }
            case List<?> items -> {
                List<Object> out = new ArrayList<>(items.size());
                for (Object item : items) {
                    out.add(prepare(item, what));
                }
                yield out;
            }
            case Set<?> items -> {
                Set<Object> out = new LinkedHashSet<>();
                for (Object item : items) {
                    out.add(prepare(item, what));
                }
                yield out;
            }
            case Collection<?> items -> prepare(new ArrayList<>(items), what);
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(prepare(k, what), prepare(v, what)));
                yield out;
            }
            default -> throw new IllegalArgumentException(what + ": a " + value.getClass().getName()
                    + " cannot be sent to a CPython worker; send null, Boolean, a number, String, byte[], a primitive"
                    + " array, or a List, Set, Map or Object[] of those");
        };
    }

    private static NumberArray array(String typecode, int bytes, Consumer<ByteBuffer> fill) {
        ByteBuffer buffer = ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
        fill.accept(buffer);
        return new NumberArray(typecode, buffer.array());
    }
}
