package io.covet.interpreters;

/**
 * Thrown by a {@link HostFunction} to raise a Python exception of a given built-in type (e.g.
 * {@code "TypeError"}, {@code "TimeoutError"}) in the calling Python code.
 */
public final class HostError extends RuntimeException {

    private final String pythonType;

    public HostError(String pythonType, String message) {
        super(message);
        if (pythonType == null || !pythonType.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not a Python exception type name: " + pythonType);
        }
        this.pythonType = pythonType;
    }

    public String pythonType() {
        return pythonType;
    }
}
