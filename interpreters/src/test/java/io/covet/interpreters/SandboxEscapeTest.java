package io.covet.interpreters;

import static io.covet.interpreters.SandboxTest.probe;
import static io.covet.interpreters.SandboxTest.pyString;
import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sandboxed code tries to get out of its file sandbox: through links (made by it, or already
 * there), through the bytecode cache (planting a {@code .pyc} that later runs execute, reading
 * another app's), through path tricks ({@code ..}, {@code /proc/self}). Each must fail, and leave
 * nothing behind outside the sandbox.
 */
class SandboxEscapeTest {

    @TempDir
    static Path cacheBase;
    static PoolConfig config;
    static InterpreterPool pool;
    static Path cache;

    @BeforeAll
    static void start() {
        config = PoolFixture.config().size(1).bytecodeCache(cacheBase).preload("pool_tasks").build();
        pool = InterpreterPool.start(config);
        cache = BytecodeCache.dirFor(config).orElseThrow();
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @Test
    void sandboxedCodeCannotCreateALink(@TempDir Path outside) {
        Path target = outside.resolve("authorized_keys");
        assertThat(probe(pool, "import os\nos.symlink(" + pyString(target) + ", " + pyString(cache.resolve("l")) + ")"))
                .asString().doesNotStartWith("allowed");
        assertThat(probe(pool, "import os\nos.link(" + pyString(PoolFixture.PYTHON_DIR.resolve("pool_tasks.py")) + ", "
                + pyString(cache.resolve("h")) + ")")).asString().doesNotStartWith("allowed");
        assertThat(probe(pool, "open(" + pyString(cache.resolve("l")) + ", 'w').write('ssh-ed25519 AAAA')"))
                .asString().startsWith("PermissionError");
        assertThat(target).doesNotExist();
        assertThat(cache.resolve("l")).doesNotExist();
    }

    @Test
    void sandboxedCodeCannotPlantBytecodeThatLaterRunsExecute() throws IOException {
        String planted = "import importlib.util, os\n"
                + "p = importlib.util.cache_from_source(" + pyString(PoolFixture.PYTHON_DIR.resolve("pool_tasks.py")) + ")\n"
                + "os.makedirs(os.path.dirname(p), exist_ok=True)\n"
                + "open(p + '.planted', 'wb').write(b'evil')";
        assertThat(probe(pool, planted)).asString().startsWith("PermissionError");
        assertThat(probe(pool, "open(" + pyString(cache.resolve("x.pyc")) + ", 'wb').write(b'evil')")).asString().startsWith("PermissionError");
        try (Stream<Path> files = Files.walk(cache)) {
            assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".planted") || f.endsWith("x.pyc"));
        }
        assertThat(probe(pool, "import os\nos.remove(" + pyString(cache) + " + '/anything')")).asString().startsWith("PermissionError");
    }

    @Test
    void covetsCompilerFillsTheCacheWithWhatInterpretersImported() {
        // pool_tasks was preloaded: the interpreter named it, the compiler (not the sandbox) wrote it.
        eventually(Duration.ofSeconds(60), "pool_tasks compiled into " + cache, () -> {
            try (Stream<Path> files = Files.walk(cache)) {
                return files.anyMatch(f -> f.getFileName().toString().startsWith("pool_tasks.") && f.toString().endsWith(".pyc"));
            } catch (IOException | java.io.UncheckedIOException e) {
                return false;  // a temporary file renamed while the walk passed it: look again
            }
        });
        assertThat(pool.bytecodeCache().orElseThrow().written()).isPositive();
        assertThat(pool.eval("import importlib.util, os, pool_tasks\nos.path.exists(importlib.util.cache_from_source(pool_tasks.__file__))"))
                .isEqualTo(true);
    }

    @Test
    void eachAppAndPolicyHasItsOwnCacheAndCannotReadAnothers(@TempDir Path otherApp) throws IOException {
        PoolConfig other = PoolFixture.config().bytecodeCache(cacheBase).pythonPath(otherApp).build();
        PoolConfig trusted = PoolFixture.config().bytecodeCache(cacheBase).sandbox(SandboxPolicy.trusted()).build();
        Path otherCache = BytecodeCache.dirFor(other).orElseThrow();
        assertThat(otherCache).isNotEqualTo(cache).startsWithRaw(cacheBase);
        assertThat(BytecodeCache.dirFor(trusted).orElseThrow()).isNotEqualTo(cache);
        Files.createDirectories(otherCache);
        Files.writeString(otherCache.resolve("secret.pyc"), "another app's constants");
        assertThat(probe(pool, "open(" + pyString(otherCache.resolve("secret.pyc")) + ").read()")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "import os\nos.listdir(" + pyString(cacheBase) + ")")).asString().startsWith("PermissionError");
    }

    @Test
    void aLinkAlreadyOnThePythonPathDoesNotLeadOutOfIt(@TempDir Path outside) throws IOException {
        Path secret = Files.writeString(outside.resolve("secret.txt"), "s3cret");
        Path link = PoolFixture.PYTHON_DIR.resolve("link-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createSymbolicLink(link, outside);
        try {
            assertThat(probe(pool, "open(" + pyString(link.resolve("secret.txt")) + ").read()")).asString().startsWith("PermissionError");
            assertThat(probe(pool, "import os\nos.listdir(" + pyString(link) + ")")).asString().startsWith("PermissionError");
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void pathTricksDoNotLeadOutOfTheReadableDirectories() {
        String up = PoolFixture.PYTHON_DIR + "/../../../../../../../../etc/passwd";
        assertThat(probe(pool, "open('" + up + "').read()")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "open('/proc/self/environ').read()")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "open('/proc/self/root/etc/passwd').read()")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "open('/proc/self/cwd/pom.xml').read()")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "import os\nos.chdir('/etc')\nopen('passwd').read()")).asString().doesNotStartWith("allowed");
    }

    /**
     * The file system itself, against links made outside the sandbox (it cannot make any): a
     * dangling link is not followed to create its target, a link to a file outside is neither
     * written nor read, a linked directory leads nowhere.
     */
    @Test
    void linksMadeOutsideTheSandboxAreNotFollowedOut(@TempDir Path app, @TempDir Path outside) throws IOException {
        SandboxFileSystem fs = SandboxFileSystem.unwrapped(PoolFixture.config().pythonPath(app).build());
        Path dangling = Files.createSymbolicLink(app.resolve("dangling.pth"), outside.resolve("created-outside.pth"));
        assertThatThrownBy(() -> fs.newByteChannel(dangling, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE)).close())
                .isInstanceOf(SecurityException.class);
        assertThat(outside.resolve("created-outside.pth")).doesNotExist();

        Path existing = Files.writeString(outside.resolve("existing.txt"), "keep");
        Path toExisting = Files.createSymbolicLink(app.resolve("existing.py"), existing);
        assertThatThrownBy(() -> fs.newByteChannel(toExisting, Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)).close())
                .isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> fs.newByteChannel(toExisting, Set.of(StandardOpenOption.READ)).close())
                .isInstanceOf(SecurityException.class);
        assertThat(Files.readString(existing)).isEqualTo("keep");

        Path linkedDir = Files.createSymbolicLink(app.resolve("sub"), outside);
        assertThatThrownBy(() -> fs.newByteChannel(linkedDir.resolve("existing.txt"), Set.of(StandardOpenOption.READ)).close())
                .isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> fs.newDirectoryStream(linkedDir, p -> true)).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> fs.createSymbolicLink(app.resolve("new-link"), outside)).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> fs.createLink(app.resolve("hard"), existing)).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> fs.move(app.resolve("existing.py"), app.resolve("moved.py"))).isInstanceOf(SecurityException.class);
        assertThat(Files.exists(app.resolve("new-link"), LinkOption.NOFOLLOW_LINKS)).isFalse();

        Path inside = Files.writeString(app.resolve("module.py"), "x = 1");
        Path toInside = Files.createSymbolicLink(app.resolve("alias.py"), inside);
        fs.newByteChannel(toInside, Set.of(StandardOpenOption.READ)).close();  // a link within the readable directories is fine
    }

    /**
     * The Python guards are a courtesy (catchable errors); the context's own permissions are the
     * wall. Code that undoes the guards (reloading the modules they patched, or digging the
     * originals out of the garbage collector) still opens no socket, starts no process or thread
     * and reaches no Java class. (Without the guard, GraalPy surfaces the denial as a host error
     * Python cannot catch: the task fails with SystemError and its interpreter is replaced.)
     */
    @Test
    void undoingThePythonGuardsOpensNothing() throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(500);
            int port = listener.getLocalPort();
            assertThat(attempt("import importlib, socket, _socket\nimportlib.reload(_socket)\nimportlib.reload(socket)\n"
                    + "socket.create_connection(('127.0.0.1', " + port + "), timeout=2)")).doesNotStartWith("allowed");
            assertThat(attempt("import gc, _socket\nfor o in gc.get_referents(_socket.__dict__):\n"
                    + "    if getattr(o, '__name__', '') == 'socket' and isinstance(o, type):\n"
                    + "        o(_socket.AF_INET, _socket.SOCK_STREAM).connect(('127.0.0.1', " + port + "))\n"
                    + "raise RuntimeError('no original socket type found')")).doesNotStartWith("allowed");
            assertThatThrownBy(listener::accept).as("no connection reached the listener").isInstanceOf(java.net.SocketTimeoutException.class);
        }
        Path marker = cacheBase.resolve("process-ran");
        assertThat(attempt("import importlib, os, posix\nimportlib.reload(os)\nos.system('touch " + marker + "')"))
                .asString().doesNotStartWith("allowed");
        assertThat(attempt("import posix\nposix.system('touch " + marker + "')")).doesNotStartWith("allowed");
        assertThat(marker).doesNotExist();
        assertThat(attempt("import importlib, threading, _thread\nimportlib.reload(_thread)\nimportlib.reload(threading)\n"
                + "threading.Thread(target=print).start()")).doesNotStartWith("allowed");
        assertThat(attempt("import importlib, java\nimportlib.reload(java)\njava.type('java.lang.System').exit(3)"))
                .asString().doesNotStartWith("allowed");
        assertThat(attempt("__import__('polyglot').import_value('x')")).doesNotStartWith("allowed");
        assertThat(pool.call("pool_tasks", "echo", "still here")).isEqualTo("still here");
    }

    @Test
    void theStandardLibrarysJavaHalfOffersNothingButItsFunctions() {
        // The object StdlibFunctions hands the Python half, dug out of a patched function's closure.
        String dig = "import unicodedata\nj = [c.cell_contents for c in unicodedata.decomposition.__closure__"
                + " if type(c.cell_contents).__name__ not in ('function', 'str')][0]\n";
        assertThat(attempt(dig + "j.getClass().forName('java.lang.Runtime')")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.combining.getClass()")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "__import__('java').type('java.lang.Runtime')")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.combining('not a code point')")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "assert j.lookup('LATIN SMALL LETTER A') == 97")).isEqualTo("allowed");
        // bz2's and hashlib's Java halves, called without the Python half's checks: errors, never a way out.
        assertThat(attempt(dig + "j.bz2.compressor(0)")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.bz2.decompressor().decompress('not a buffer', -1)")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.bz2.decompressor().decompress(b'BZh9', -1).getClass()")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.hashes.shake(12345)")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.hashes.blake2(True, 1000, b'', b'', b'')")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.hashes.scrypt(b'', b'', 3, 8, 1, 64)")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "j.hashes.shake(128).digest(-1)")).doesNotStartWith("allowed");
        assertThat(attempt(dig + "assert len(j.hashes.shake(128).digest(5)) == 5")).isEqualTo("allowed");
        assertThat(pool.call("pool_tasks", "echo", "still here")).isEqualTo("still here");
    }

    @Test
    void theTimeZoneDataAndMimeTypeTablesAreReadableAndNothingBeyondThem() {
        assertThat(attempt("assert open('/usr/share/zoneinfo/Europe/Paris', 'rb').read(4) == b'TZif'")).isEqualTo("allowed");
        assertThat(attempt("open('/usr/share/zoneinfo/../../../etc/passwd').read()")).startsWith("PermissionError");
        assertThat(attempt("import os\nos.listdir('/usr/share/zoneinfo/../..')")).startsWith("PermissionError");
        assertThat(attempt("import mimetypes\nassert mimetypes.guess_type('a.json')[0] == 'application/json'")).isEqualTo("allowed");
        assertThat(attempt("open('/etc/mime.types/../passwd').read()")).startsWith("PermissionError");
        assertThat(attempt("import os\nos.listdir('/etc')")).startsWith("PermissionError");
    }

    /** What {@code body} ended with: "allowed", a caught exception, or the task's own failure. */
    private static String attempt(String body) {
        try {
            return String.valueOf(probe(pool, body));
        } catch (PythonException e) {
            return e.getMessage();
        }
    }
}
