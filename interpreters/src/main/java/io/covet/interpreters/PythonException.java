package io.covet.interpreters;

/**
 * A Python exception raised by a task, carried to Java by value: its Python type (qualified,
 * e.g. {@code ValueError} or {@code json.decoder.JSONDecodeError}), its message and the formatted
 * Python traceback. Values that cannot cross the boundary also arrive as a {@code TypeError}.
 */
public final class PythonException extends RuntimeException {

    private final String pythonType;
    private final String pythonMessage;
    private final String pythonTraceback;

    public PythonException(String pythonType, String pythonMessage, String pythonTraceback) {
        super(pythonMessage.isEmpty() ? pythonType : pythonType + ": " + pythonMessage);
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.pythonTraceback = pythonTraceback;
    }

    /** The exception's class, qualified by module unless it is a builtin. */
    public String pythonType() {
        return pythonType;
    }

    /** {@code str(exception)}. */
    public String pythonMessage() {
        return pythonMessage;
    }

    /** The traceback as Python's {@code traceback.format_exception} prints it. */
    public String pythonTraceback() {
        return pythonTraceback;
    }
}
