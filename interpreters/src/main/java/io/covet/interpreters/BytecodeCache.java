package io.covet.interpreters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/**
 * The {@code .pyc} files of one pool, written only by Covet. Each app and sandbox policy has its
 * own directory below {@link PoolConfig#bytecodeCache()} ({@link #dirFor}), so no run reads what a
 * run of another app, or of the same app under another policy, left there. Sandboxed interpreters
 * read it but never write it (GraalPy's {@code DontWriteBytecodeFlag}, and their file system
 * writes nothing): bytecode is executed without being checked against its source, so code that
 * could write a {@code .pyc} could plant code that later runs execute. Instead interpreters name
 * the source files they imported ({@link #imported}); a context of Covet's own, which runs no
 * user code and reads only what the sandbox may read, compiles those whose bytecode is missing or
 * stale, and this class writes the results into the directory (a temporary file, then an atomic
 * rename, so an import never reads half a file). Trusted pools ({@link SandboxPolicy#fileWrites()})
 * write their own directory as GraalPy normally does, and have no compiler.
 */
final class BytecodeCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BytecodeCache.class.getName());
    /** Files compiled per call into the compiler context: bounds the bytecode held at once. */
    private static final int BATCH = 64;
    private static final String COMPILER = """
            import importlib._bootstrap_external as _bx, importlib.util, os

            def _covet_compile(files):
                # (cache path, bytecode) for each source whose cached bytecode is missing or stale
                # (by mtime and size, as import checks it), then the failures and the first of them:
                # one unreadable or broken file does not stop the others.
                out, failed, first = [], 0, ''
                for f in files.split('\\0'):
                    try:
                        cached = importlib.util.cache_from_source(f)
                        st = os.stat(f)
                        try:
                            with open(cached, 'rb') as fh:
                                head = fh.read(16)
                            if (head[:4] == importlib.util.MAGIC_NUMBER and head[4:8] == b'\\0\\0\\0\\0'
                                    and int.from_bytes(head[8:12], 'little') == int(st.st_mtime) & 0xFFFFFFFF
                                    and int.from_bytes(head[12:16], 'little') == st.st_size & 0xFFFFFFFF):
                                continue
                        except OSError:
                            pass
                        with open(f, 'rb') as fh:
                            source = fh.read()
                        code = compile(source, f, 'exec', dont_inherit=True)
                        out.append((cached, bytes(_bx._code_to_timestamp_pyc(code, st.st_mtime, st.st_size))))
                    except Exception as e:
                        failed += 1
                        first = first or f"{f}: {type(e).__name__}: {e}"
                return (out, failed, first)
            _covet_compile
            """;

    private final Path dir;
    private final PoolConfig config;
    private final Engine engine;
    private final ExecutorService thread;
    // ---- guarded by this ----------------------------------------------------------------------
    private final Set<String> known = new HashSet<>();
    private final List<String> pending = new ArrayList<>();
    private boolean compiling;
    private boolean closed;
    private Context compiler;
    private Value compileFunction;
    private long written;

    BytecodeCache(Path dir, PoolConfig config, Engine engine, ExecutorService thread) {
        this.dir = dir;
        this.config = config;
        this.engine = engine;
        this.thread = thread;
    }

    /**
     * The cache directory of a pool of {@code config}: below the configured base, one per python
     * path and sandbox policy; empty when the cache is off.
     */
    static Optional<Path> dirFor(PoolConfig config) {
        return config.bytecodeCache().map(base -> {
            String key = config.pythonPath().stream().map(p -> p.toAbsolutePath().normalize().toString())
                    .collect(Collectors.joining("\n")) + "\n\n" + config.sandbox();
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
                return base.toAbsolutePath().resolve(HexFormat.of().formatHex(digest, 0, 8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
        });
    }

    /** Where the {@code .pyc} files are. */
    Path dir() {
        return dir;
    }

    /** {@code .pyc} files the compiler has written so far. */
    synchronized long written() {
        return written;
    }

    /**
     * Source files an interpreter has imported (separated by NUL); those not seen before are
     * compiled soon, on the compiler's thread. Any thread; never blocks.
     */
    void imported(String files) {
        synchronized (this) {
            for (String f : files.split("\0")) {
                if (!f.isEmpty() && known.add(f)) {
                    pending.add(f);
                }
            }
            if (compiling || closed || pending.isEmpty()) {
                return;
            }
            compiling = true;
        }
        try {
            thread.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                compiling = false;  // the pool is closing
            }
        }
    }

    private void drain() {
        while (true) {
            List<String> batch;
            Value compile;
            synchronized (this) {
                if (closed || pending.isEmpty()) {
                    compiling = false;
                    return;
                }
                List<String> next = pending.subList(0, Math.min(BATCH, pending.size()));
                batch = new ArrayList<>(next);
                next.clear();
                compile = compileFunction;
            }
            try {
                if (compile == null) {
                    Context fresh = newCompiler();  // seconds, outside the monitor: imported() never waits
                    synchronized (this) {
                        if (closed) {
                            compiling = false;
                            fresh.close(true);
                            return;
                        }
                        compiler = fresh;
                        compileFunction = compile = fresh.eval("python", COMPILER);
                    }
                }
                Value result = compile.execute(String.join("\0", batch));
                Value compiled = result.getArrayElement(0);
                int n = 0;
                for (long i = 0; i < compiled.getArraySize(); i++) {
                    Value entry = compiled.getArrayElement(i);
                    Value code = entry.getArrayElement(1);
                    byte[] bytes = new byte[(int) code.getBufferSize()];
                    code.readBuffer(0, bytes, 0, bytes.length);
                    if (write(entry.getArrayElement(0).asString(), bytes)) {
                        n++;
                    }
                }
                int written = n;
                synchronized (this) {
                    this.written += written;
                }
                LOG.fine(() -> "bytecode cache " + dir + ": " + written + " of " + batch.size() + " files compiled");
                int failed = result.getArrayElement(1).asInt();
                if (failed > 0) {
                    LOG.fine(() -> "bytecode cache " + dir + ": " + failed + " files could not be compiled, e.g. "
                            + result.getArrayElement(2).asString());
                }
            } catch (RuntimeException e) {  // a polyglot error, or the context closed under it
                synchronized (this) {
                    if (closed) {
                        compiling = false;
                        return;
                    }
                }
                LOG.log(Level.WARNING, "bytecode cache " + dir + ": compiling failed; imports stay uncached", e);
            }
        }
    }

    /**
     * Writes one {@code .pyc} where GraalPy will look for it, if that is inside the cache: a
     * temporary file beside it, then an atomic rename over it.
     */
    private boolean write(String cached, byte[] bytecode) {
        Path target = Path.of(cached).toAbsolutePath().normalize();
        if (!target.startsWith(dir) || target.equals(dir)) {
            return false;  // GraalPy's cache_from_source always answers inside the prefix; anything else is not ours to write
        }
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
            Files.write(temp, bytecode);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            LOG.fine(() -> "bytecode cache: cannot write " + target + ": " + e);
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temporary file: GraalPy never reads it
                }
            }
            return false;
        }
    }

    /** A context that runs only Covet's compile function and reads only what the pool's sandbox may read. */
    private Context newCompiler() {
        return Context.newBuilder("python").engine(engine)
                .allowHostAccess(HostAccess.NONE)
                .allowHostClassLookup(name -> false)
                .allowNativeAccess(false)
                .allowCreateProcess(false)
                .allowCreateThread(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.newBuilder().fileSystem(SandboxFileSystem.create(config)).build())
                .option("python.PosixModuleBackend", "java")
                .option("python.PyCachePrefix", dir.toString())
                .option("python.DontWriteBytecodeFlag", "true")
                .build();
    }

    @Override
    public void close() {
        Context c;
        synchronized (this) {
            closed = true;
            c = compiler;
            compiler = null;
            compileFunction = null;
        }
        if (c != null) {
            try {
                c.close(true);
            } catch (PolyglotException | IllegalStateException e) {
                LOG.log(Level.FINE, "closing the bytecode compiler", e);
            }
        }
    }
}
