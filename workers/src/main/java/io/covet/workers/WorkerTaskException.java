package io.covet.workers;

/**
 * A task raised an exception in its worker. {@link #pythonTraceback()} is the formatted traceback
 * from the worker; {@link #pickledException()} the exception itself, pickled, for Python callers to
 * re-raise (empty when it could not be pickled).
 */
public final class WorkerTaskException extends RuntimeException {

    private final String pythonType;
    private final String pythonMessage;
    private final String pythonTraceback;
    private final byte[] pickledException;

    WorkerTaskException(String description, String pythonType, String pythonMessage, String pythonTraceback,
                        byte[] pickledException) {
        super(pythonType + (pythonMessage.isEmpty() ? "" : ": " + pythonMessage) + " (raised by " + description
                + " in a CPython worker)");
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.pythonTraceback = pythonTraceback;
        this.pickledException = pickledException;
    }

    /** The exception's type: a built-in's name ({@code ValueError}) or {@code module.Qualname}. */
    public String pythonType() {
        return pythonType;
    }

    public String pythonMessage() {
        return pythonMessage;
    }

    public String pythonTraceback() {
        return pythonTraceback;
    }

    public byte[] pickledException() {
        return pickledException.clone();
    }
}
