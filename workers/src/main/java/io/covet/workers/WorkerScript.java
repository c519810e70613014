package io.covet.workers;

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

/**
 * The worker script ({@code covet_worker.py}, shipped in this jar), written once to
 * {@code ~/.cache/covet/workers/covet_worker_<content hash>.py} for {@code python3} to run: a
 * file, so that {@code ps} shows a short command line and tracebacks show source lines.
 */
final class WorkerScript {

    private static final String RESOURCE = "/io/covet/workers/covet_worker.py";
    private static Path installed;

    private WorkerScript() {
    }

    static synchronized Path path() {
        if (installed == null) {
            installed = install(cacheRoot().resolve("workers"));
        }
        return installed;
    }

    static Path install(Path dir) {
        byte[] source;
        try (InputStream in = WorkerScript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the covet-workers jar");
            }
            source = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path target = dir.resolve("covet_worker_" + HexFormat.of().formatHex(sha256(source), 0, 8) + ".py");
        if (Files.isRegularFile(target)) {
            return target;
        }
        try {
            Files.createDirectories(dir);
            Path staging = Files.createTempFile(dir, ".staging-", ".py");
            Files.write(staging, source);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(staging);  // another process wrote the same content first
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CPython worker script under " + dir, e);
        }
        return target;
    }

    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("covet");
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
