package io.covet.interpreters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What Python code in the pool may do beyond pure computation. Everything is denied by default
 * ({@link #strict()}); each permission is switched on by name.
 *
 * <p>A denied operation raises a catchable Python exception in the interpreter, usually
 * {@code PermissionError} naming the setting that would allow it.
 *
 * @param hostAccess   Python may look up and use Java classes ({@code import java; java.type(...)})
 * @param nativeAccess native code: {@code ctypes}, C extensions, the native POSIX backend
 * @param processes    {@code subprocess}, {@code os.system}, {@code os.fork} and the like
 * @param fileWrites   creating, writing, deleting or renaming files anywhere (also lifts read limits)
 * @param network      sockets and name lookups
 * @param threads      {@code threading.Thread.start} and {@code _thread}
 * @param fileReads    reading and listing any file; when false, only the python path, the bytecode
 *                     cache, GraalPy's own files and {@link #readable()} may be read
 * @param readable     directories readable in addition (e.g. {@code covet exec --allow-read DIR})
 * @param writable     directories below which Python may create, write, rename and delete files
 *                     and directories (and read them), when {@code fileWrites} is false
 *                     ({@code --allow-write DIR}); nowhere else
 */
public record SandboxPolicy(boolean hostAccess, boolean nativeAccess, boolean processes,
                            boolean fileWrites, boolean network, boolean threads, boolean fileReads,
                            List<Path> readable, List<Path> writable) {

    private static final SandboxPolicy STRICT = new SandboxPolicy(false, false, false, false, false, false, false, List.of(),
            List.of());

    public SandboxPolicy {
        readable = readable.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        writable = writable.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /** Whether Python may write any file at all (everywhere, or below {@link #writable()}). */
    public boolean anyWrites() {
        return fileWrites || !writable.isEmpty();
    }

    /** Nothing beyond computation and reading the code's own files: the pool's default. */
    public static SandboxPolicy strict() {
        return STRICT;
    }

    /** Everything allowed, as a plain {@code python3} process would be. */
    public static SandboxPolicy trusted() {
        return new SandboxPolicy(true, true, true, true, true, true, true, List.of(), List.of());
    }

    public SandboxPolicy withHostAccess(boolean allow) {
        return new SandboxPolicy(allow, nativeAccess, processes, fileWrites, network, threads, fileReads, readable, writable);
    }

    public SandboxPolicy withNativeAccess(boolean allow) {
        return new SandboxPolicy(hostAccess, allow, processes, fileWrites, network, threads, fileReads, readable, writable);
    }

    public SandboxPolicy withProcesses(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, allow, fileWrites, network, threads, fileReads, readable, writable);
    }

    public SandboxPolicy withFileWrites(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, processes, allow, network, threads, fileReads, readable, writable);
    }

    public SandboxPolicy withNetwork(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, processes, fileWrites, allow, threads, fileReads, readable, writable);
    }

    public SandboxPolicy withThreads(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, processes, fileWrites, network, allow, fileReads, readable, writable);
    }

    /** Reading any file (true), or only the code's own files and {@link #readable()} (false). */
    public SandboxPolicy withFileReads(boolean allow) {
        return new SandboxPolicy(hostAccess, nativeAccess, processes, fileWrites, network, threads, allow, readable, writable);
    }

    /** This policy with files below {@code dir} writable (created, written, renamed, deleted) and readable. */
    public SandboxPolicy withWritable(Path dir) {
        List<Path> dirs = new ArrayList<>(writable);
        dirs.add(dir);
        return new SandboxPolicy(hostAccess, nativeAccess, processes, fileWrites, network, threads, fileReads, readable, dirs);
    }

    /** This policy with {@code dir} (and everything below it) readable too. */
    public SandboxPolicy withReadable(Path dir) {
        List<Path> dirs = new ArrayList<>(readable);
        dirs.add(dir);
        return new SandboxPolicy(hostAccess, nativeAccess, processes, fileWrites, network, threads, fileReads, dirs, writable);
    }
}
