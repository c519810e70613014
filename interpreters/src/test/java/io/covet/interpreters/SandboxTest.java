package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default sandbox denies each capability with a catchable Python exception; each probe runs
 * the real operation inside try/except and returns what it caught.
 */
class SandboxTest {

    static InterpreterPool pool;

    @BeforeAll
    static void start() {
        pool = InterpreterPool.start(PoolFixture.config().size(1).build());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    /** Runs {@code body} (indented statements) and returns "allowed" or "TypeName: message". */
    static Object probe(InterpreterPool p, String body) {
        String source = "def _probe():\n    try:\n" + body.indent(8)
                + "        return 'allowed'\n    except BaseException as e:\n        return type(e).__name__ + ': ' + str(e)\n_probe()";
        return p.eval(source);
    }

    @Test
    void writingAFileIsDenied(@TempDir Path dir) {
        Path target = dir.resolve("x.txt");
        assertThat(probe(pool, "open(" + pyString(target) + ", 'w').write('x')")).asString().startsWith("PermissionError");
        assertThat(target).doesNotExist();
        assertThat(probe(pool, "import os\nos.remove(" + pyString(PoolFixture.PYTHON_DIR.resolve("pool_tasks.py")) + ")"))
                .asString().startsWith("PermissionError");
    }

    @Test
    void readingThePythonPathIsAllowed() {
        assertThat(probe(pool, "open(" + pyString(PoolFixture.PYTHON_DIR.resolve("pool_tasks.py")) + ").read()")).isEqualTo("allowed");
    }

    @Test
    void readingOrListingOutsideThePythonPathIsDeniedUnlessGranted(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "s3cret");
        // GraalPy turns the file system's SecurityException into a generic EPERM message.
        assertThat(probe(pool, "open(" + pyString(secret) + ").read()")).asString()
                .startsWith("PermissionError").contains("Operation not permitted");
        assertThat(probe(pool, "import os\nos.listdir(" + pyString(dir) + ")")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "open('/etc/passwd').read()")).asString().startsWith("PermissionError");
        try (InterpreterPool granted = InterpreterPool.start(PoolFixture.config().size(1)
                .sandbox(SandboxPolicy.strict().withReadable(dir)).build())) {
            assertThat(granted.eval("open(" + pyString(secret) + ").read()")).isEqualTo("s3cret");
            assertThat(probe(granted, "open('/etc/passwd').read()")).asString().startsWith("PermissionError");
        }
        try (InterpreterPool all = InterpreterPool.start(PoolFixture.config().size(1)
                .sandbox(SandboxPolicy.strict().withFileReads(true)).build())) {
            assertThat(all.eval("open(" + pyString(secret) + ").read()")).isEqualTo("s3cret");
        }
    }

    @Test
    void theStandardLibraryStaysImportable() {
        assertThat(pool.eval("import json, re, dataclasses, asyncio, decimal, email.parser\njson.dumps({'a': 1})")).isEqualTo("{\"a\": 1}");
    }

    @Test
    void openingASocketIsDenied() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            assertThat(probe(pool, "import socket\nsocket.create_connection(('127.0.0.1', " + server.getLocalPort() + "), timeout=2)"))
                    .asString().startsWith("PermissionError").contains("network");
            assertThat(probe(pool, "import socket\ns = socket.socket()\ns.connect(('127.0.0.1', " + server.getLocalPort() + "))"))
                    .asString().startsWith("PermissionError");
            assertThat(probe(pool, "import _socket\n_socket.socket()")).asString().startsWith("PermissionError");
        }
    }

    @Test
    void reachingAJavaClassIsDenied() {
        assertThat(probe(pool, "import java\njava.type('java.lang.System').exit(3)")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "import polyglot\npolyglot.eval(language='js', string='1')")).asString().doesNotStartWith("allowed");
    }

    @Test
    void startingAProcessIsDenied() {
        assertThat(probe(pool, "import subprocess\nsubprocess.run(['true'])")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "import os\nos.system('true')")).asString().startsWith("PermissionError").contains("process");
        assertThat(probe(pool, "import os\nos.fork()")).asString().doesNotStartWith("allowed");
    }

    @Test
    void startingAThreadIsDenied() {
        assertThat(probe(pool, "import threading\nthreading.Thread(target=print).start()")).asString().startsWith("PermissionError");
        assertThat(probe(pool, "import _thread\n_thread.start_new_thread(print, ())")).asString().startsWith("PermissionError");
    }

    @Test
    void nativeCodeIsDenied() {
        assertThat(probe(pool, "import ctypes\nctypes.CDLL(None)")).asString().doesNotStartWith("allowed");
    }

    @Test
    void eachPermissionCanBeGrantedExplicitly(@TempDir Path dir) throws Exception {
        SandboxPolicy open = SandboxPolicy.strict().withFileWrites(true).withNetwork(true).withThreads(true);
        try (InterpreterPool permissive = InterpreterPool.start(PoolFixture.config().size(1).sandbox(open).build());
             ServerSocket server = new ServerSocket(0)) {
            Path target = dir.resolve("allowed.txt");
            assertThat(probe(permissive, "with open(" + pyString(target) + ", 'w') as f:\n    f.write('x')")).isEqualTo("allowed");
            assertThat(Files.readString(target)).isEqualTo("x");
            assertThat(probe(permissive, "import socket\nsocket.create_connection(('127.0.0.1', " + server.getLocalPort() + "), timeout=5).close()"))
                    .isEqualTo("allowed");
            assertThat(probe(permissive, "import threading\nt = threading.Thread(target=print)\nt.start()\nt.join()")).isEqualTo("allowed");
            assertThat(probe(permissive, "import os\nos.system('true')")).asString().startsWith("PermissionError");
        }
    }

    static String pyString(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
