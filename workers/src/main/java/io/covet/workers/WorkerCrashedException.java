package io.covet.workers;

/**
 * The worker running a task died before it answered ({@code os._exit}, a segfault, an OOM kill);
 * the message names the exit cause and the last lines of its stderr. The pool has replaced it.
 */
public final class WorkerCrashedException extends RuntimeException {

    private final int workerId;
    private final long pid;
    private final int exitStatus;

    WorkerCrashedException(String message, int workerId, long pid, int exitStatus) {
        super(message);
        this.workerId = workerId;
        this.pid = pid;
        this.exitStatus = exitStatus;
    }

    public int workerId() {
        return workerId;
    }

    public long pid() {
        return pid;
    }

    /** As Java reports it: the exit code, or 128 + the signal's number for a process a signal killed. */
    public int exitStatus() {
        return exitStatus;
    }
}
