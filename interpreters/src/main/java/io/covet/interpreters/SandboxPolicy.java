package io.covet.interpreters;

/**
 * What Python code in the pool may do beyond pure computation. Everything is denied by default
 * ({@link #strict()}); each permission is switched on by name. Reading files (the python path,
 * the standard library) is always allowed.
 *
 * <p>A denied operation raises a catchable Python exception in the interpreter, usually
 * {@code PermissionError} naming the setting that would allow it.
 *
 * @param hostAccess  Python may look up and use Java classes ({@code import java; java.type(...)})
 * @param nativeAccess native code: {@code ctypes}, C extensions, the native POSIX backend
 * @param processes   {@code subprocess}, {@code os.system}, {@code os.fork} and the like
 * @param fileWrites  creating, writing, deleting or renaming files
 * @param network     sockets and name lookups
 * @param threads     {@code threading.Thread.start} and {@code _thread}
 */
public record SandboxPolicy(boolean hostAccess, boolean nativeAccess, boolean processes,
                            boolean fileWrites, boolean network, boolean threads) {

    private static final SandboxPolicy STRICT = new SandboxPolicy(false, false, false, false, false, false);

    /** Nothing beyond computation and reading files: the pool's default. */
    public static SandboxPolicy strict() {
        return STRICT;
    }

    /** Everything allowed, as a plain {@code python3} process would be. */
    public static SandboxPolicy trusted() {
        return new SandboxPolicy(true, true, true, true, true, true);
    }

    public SandboxPolicy withHostAccess(boolean allow) {
        return new SandboxPolicy(allow, nativeAccess, processes, fileWrites, network, threads);
    }

    public SandboxPolicy withNativeAccess(boolean allow) {
        return new SandboxPolicy(hostAccess, allow, processes, fileWrites, network, threads);
    }

    public SandboxPolicy withProcesses(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, allow, fileWrites, network, threads);
    }

    public SandboxPolicy withFileWrites(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, processes, allow, network, threads);
    }

    public SandboxPolicy withNetwork(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, processes, fileWrites, allow, threads);
    }

    public SandboxPolicy withThreads(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, processes, fileWrites, network, allow);
    }
}
