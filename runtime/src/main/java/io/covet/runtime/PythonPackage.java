package io.covet.runtime;

import io.covet.interpreters.PoolConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python package {@code covet} (the project's {@code python/covet/}, shipped inside this jar).
 * GraalPy imports from the file system, so the files are written once to
 * {@code ~/.cache/covet/python/<content hash>/} and that directory goes on every interpreter's
 * python path; a changed package gets a new directory, never a half-written one.
 */
public final class PythonPackage {

    /** Every file of the package; PythonPackageTest checks this against python/covet/. */
    static final List<String> FILES = List.of("__init__.py", "__init__.pyi", "py.typed", "_runtime.py", "_values.py", "_local_host.py",
            "futures.py", "aio.py", "array.py", "perf.py", "http.py", "_sockets.py", "web.py", "serve.py", "wsgi.py", "asgi.py", "db.py", "db_sqlalchemy.py");
    private static final String RESOURCES = "/io/covet/runtime/python/covet/";
    /**
     * The distribution's metadata beside the package, so that {@code importlib.metadata} sees
     * covet's entry points: SQLAlchemy finds its {@code postgresql+covet} dialect there.
     */
    private static final String DIST_INFO = "covet-0.1.0.dist-info";
    private static final Map<String, String> DIST_FILES = Map.of(
            "METADATA", "Metadata-Version: 2.1\nName: covet\nVersion: 0.1.0\nSummary: Covet's Python API (ADR-007)\n",
            "entry_points.txt", "[sqlalchemy.dialects]\npostgresql.covet = covet.db_sqlalchemy:CovetDialect\n");

    private static volatile Path installed;

    private PythonPackage() {
    }

    /** The directory to put on the python path (it contains {@code covet/}). */
    public static synchronized Path directory() {
        if (installed == null) {
            installed = install(PoolConfig.defaultBytecodeCache().getParent().resolve("python"));
        }
        return installed;
    }

    static Path install(Path root) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String name : FILES) {
            try (InputStream in = PythonPackage.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IllegalStateException("covet/" + name + " is missing from the runtime jar");
                }
                byte[] bytes = in.readAllBytes();
                files.put(name, bytes);
                sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        new java.util.TreeMap<>(DIST_FILES).forEach((name, text) -> {
            sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        Path target = root.resolve(HexFormat.of().formatHex(sha.digest(), 0, 8));
        if (Files.isDirectory(target.resolve("covet"))) {
            return target;
        }
        try {
            Files.createDirectories(root);
            Path staging = Files.createTempDirectory(root, ".staging-");
            Path pkg = Files.createDirectories(staging.resolve("covet"));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(pkg.resolve(f.getKey()), f.getValue());
            }
            Path dist = Files.createDirectories(staging.resolve(DIST_INFO));
            for (Map.Entry<String, String> f : DIST_FILES.entrySet()) {
                Files.writeString(dist.resolve(f.getKey()), f.getValue());
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
                // Another process installed the same content first.
                deleteTree(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the covet Python package under " + root, e);
        }
        return target;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
