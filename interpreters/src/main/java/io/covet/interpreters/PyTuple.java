package io.covet.interpreters;

import java.util.List;

/** A Python {@code tuple} on the Java side, so that a round trip gives a tuple back (a {@link List} becomes a {@code list}). */
public record PyTuple(List<Object> items) {

    public PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    public static PyTuple of(Object... items) {
        return new PyTuple(java.util.Arrays.asList(items));
    }
}
