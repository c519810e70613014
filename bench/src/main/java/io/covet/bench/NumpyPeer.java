package io.covet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * numpy as a peer: runs {@code numpy_peer.py} in a child {@code python3} per case. The child gets
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (this machine's environment pins an old core
 * type that slows a current OpenBLAS; only the child is changed) and OPENBLAS_NUM_THREADS set to
 * Covet's thread count, so BLAS work runs on as many threads as Covet's.
 */
public final class NumpyPeer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROBE_SECONDS = 60;
    private static final long MEASURE_MINUTES = 10;
    private static final java.util.Set<String> OPENBLAS_PINS = java.util.Set.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");

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
        try {
            Path script = extractScript();
            ChildProcess.Finished run = ChildProcess.run(List.of(python, "-c", "import numpy"), null, OPENBLAS_PINS, Map.of(), PROBE_SECONDS, TimeUnit.SECONDS);
            if (run == null) {
                return new Missing(python + " did not import numpy within " + PROBE_SECONDS + " s");
            }
            if (run.exitCode() != 0) {
                String last = run.stderr().strip().lines().reduce((x, y) -> y).orElse("exit status " + run.exitCode());
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

    /** Measures {@code caseName} at {@code size} in a fresh child process; fails with the child's error output. */
    public Result measure(String caseName, long size, TimingPlan plan, int threads) {
        String what = "numpy peer for " + caseName + " n=" + size;
        try {
            String request = JSON.writeValueAsString(Map.of("case", caseName, "size", size,
                    "warmup_s", plan.warmup().toMillis() / 1000.0, "samples", plan.samples(),
                    "min_sample_s", plan.minSample().toMillis() / 1000.0));
            Map<String, String> env = new java.util.HashMap<>();
            env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
            ChildProcess.Finished run = ChildProcess.run(List.of(python, script.toString()), request, OPENBLAS_PINS, env, MEASURE_MINUTES, TimeUnit.MINUTES);
            if (run == null) {
                throw new IllegalStateException(what + " ran over " + MEASURE_MINUTES + " minutes and was killed");
            }
            if (run.exitCode() != 0) {
                throw new IllegalStateException(what + " failed (exit status " + run.exitCode() + "): " + run.stderr().strip());
            }
            JsonNode node = JSON.readTree(run.stdout());
            return new Result(node.get("value").asDouble(), node.get("threads").asInt(), node.get("peer").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(what + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " ran", e);
        }
    }

    private static Path extractScript() throws IOException {
        return ChildProcess.extract("numpy_peer.py", Files.createTempFile("covet-numpy-peer-", ".py"));
    }
}
