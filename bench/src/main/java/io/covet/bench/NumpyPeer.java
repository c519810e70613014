package io.covet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * numpy as a peer: runs {@code numpy_peer.py} in a child {@code python3} per case. The child gets
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (this machine's environment pins an old core
 * type that slows a current OpenBLAS; only the child is changed) and OPENBLAS_NUM_THREADS set to
 * Covet's thread count, so BLAS work runs on as many threads as Covet's.
 */
public final class NumpyPeer {

    /** Exit status of the script when numpy is not importable. */
    private static final int NO_NUMPY = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String python;
    private final Path script;

    private NumpyPeer(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** One peer measurement. */
    public record Result(double value, int threads, String peer) {
    }

    /** Outcome of looking for the peer: a peer, or the reason there is none. */
    public sealed interface Probe permits Found, Missing {
    }

    public record Found(NumpyPeer peer) implements Probe {
    }

    public record Missing(String reason) implements Probe {
    }

    /** Looks for {@code python} with numpy importable. */
    public static Probe probe(String python) {
        Path script = extractScript();
        try {
            Process p = new ProcessBuilder(python, "-c", "import numpy").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Missing(python + " did not import numpy within 60 s");
            }
            if (p.exitValue() != 0) {
                String last = out.lines().reduce((a, b) -> b).orElse("exit status " + p.exitValue());
                return new Missing("numpy is not importable by " + python + " (" + last + ")");
            }
            return new Found(new NumpyPeer(python, script));
        } catch (IOException e) {
            return new Missing(python + " could not be started (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Missing("interrupted while looking for numpy");
        }
    }

    /** Measures {@code caseName} at {@code size} in a fresh child process. */
    public Result measure(String caseName, long size, TimingPlan plan, int threads) {
        ProcessBuilder pb = new ProcessBuilder(List.of(python, script.toString()));
        Map<String, String> env = pb.environment();
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        try {
            Process p = pb.start();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            String request = JSON.writeValueAsString(Map.of("case", caseName, "size", size,
                    "warmup_s", plan.warmup().toMillis() / 1000.0, "samples", plan.samples(),
                    "min_sample_s", plan.minSample().toMillis() / 1000.0));
            try (var in = p.getOutputStream()) {
                in.write(request.getBytes(StandardCharsets.UTF_8));
            }
            String out = readAll(p.getInputStream());
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("numpy peer for " + caseName + " n=" + size + " ran over 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("numpy peer for " + caseName + " n=" + size + " failed (exit status "
                        + p.exitValue() + "): " + stderr.join().strip());
            }
            JsonNode node = JSON.readTree(out);
            return new Result(node.get("value").asDouble(), node.get("threads").asInt(), node.get("peer").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("numpy peer for " + caseName + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while numpy measured " + caseName, e);
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path extractScript() {
        try (InputStream in = NumpyPeer.class.getResourceAsStream("numpy_peer.py")) {
            if (in == null) {
                throw new IllegalStateException("numpy_peer.py is missing from the covet-bench jar");
            }
            Path file = Files.createTempFile("covet-numpy-peer-", ".py");
            file.toFile().deleteOnExit();
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the numpy peer script to a temporary file", e);
        }
    }
}
