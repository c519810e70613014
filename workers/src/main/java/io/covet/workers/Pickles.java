package io.covet.workers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Pickler;
import net.razorvine.pickle.Unpickler;

/** Java values to and from pickle, through Razorvine's codec (one Pickler/Unpickler per use: they are not thread-safe). */
final class Pickles {

    private Pickles() {
    }

    static byte[] dumps(Object value) {
        try {
            return new Pickler().dumps(value);
        } catch (PickleException e) {
            throw new IllegalArgumentException("cannot pickle " + value.getClass().getName() + ": " + e.getMessage(), e);
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
     * Fails with a message naming {@code what} unless the value maps onto a plain Python value:
     * Razorvine would otherwise pickle any other object as a dict of its bean properties.
     */
    static void requirePicklable(Object value, String what) {
        switch (value) {
            case null -> { }
            case Boolean b -> { }
            case Integer i -> { }
            case Long l -> { }
            case Short s -> { }
            case Byte b -> { }
            case BigInteger b -> { }
            case Double d -> { }
            case Float f -> { }
            case String s -> { }
            case byte[] b -> { }
            case double[] d -> { }
            case float[] f -> { }
            case int[] i -> { }
            case long[] l -> { }
            case Object[] items -> {
                for (Object item : items) {
                    requirePicklable(item, what);
                }
            }
            case Collection<?> items -> {
                for (Object item : items) {
                    requirePicklable(item, what);
                }
            }
            case Map<?, ?> map -> map.forEach((k, v) -> {
                requirePicklable(k, what);
                requirePicklable(v, what);
            });
            default -> throw new IllegalArgumentException(what + ": a " + value.getClass().getName()
                    + " cannot be sent to a CPython worker; send null, Boolean, a number, String, byte[], a primitive"
                    + " array, or a List, Set, Map or Object[] of those");
        }
    }
}
