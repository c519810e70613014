package io.covet.interpreters;

/**
 * A Java object that Python code holds by reference: it crosses the {@link Boundary} as itself
 * (Python sees an opaque object whose members it cannot reach under the default sandbox) and comes
 * back to a {@link HostFunction} as the same object. For data that must not be copied into Python,
 * such as an array in off-heap memory; the Java object lives as long as Python references it.
 */
public interface HostHandle {
}
