package io.covet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Peers run as child processes (python3 with a script of ours); this runs one and collects its output. */
final class ChildProcess {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Pipe readers and writers block on the child, so each gets its own thread: on the common pool
     * (one thread on a 2-core machine) stderr would not be read until stdout ended, and a child
     * writing a pipe's worth to stderr would hang.
     */
    private static final ExecutorService CHILD_IO = Executors.newThreadPerTaskExecutor(
            io.covet.tasks.TaskThreads.platform("covet-child-io-", true));

    private ChildProcess() {
    }

    /** A child that exited: its status and output. */
    record Finished(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs a child with the variables in {@code unset} removed and {@code env} added, feeding it
     * {@code input}; returns null (after killing it and what it started) when it outlives the
     * timeout. Input and output go through other threads, so that a child that reads nothing, or
     * writes a lot, or hangs, cannot block this one past the timeout.
     */
    static Finished run(List<String> command, String input, Set<String> unset, Map<String, String> env, long timeout,
                        TimeUnit unit) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeAll(unset);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), CHILD_IO);
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), CHILD_IO);
        CHILD_IO.execute(() -> {
            try (var in = p.getOutputStream()) {
                if (input != null) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The child exited, or was killed, before reading its input; its exit status and stderr say why.
            }
        });
        if (!p.waitFor(timeout, unit)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            return null;
        }
        return new Finished(p.exitValue(), stdout.join(), stderr.join());
    }

    /**
     * Runs a CPython peer script (its own directory on PYTHONPATH) with a JSON request on stdin
     * and returns its JSON answer from stdout; null, after telling the listener why, when it could
     * not start, failed or ran over {@code minutes}.
     */
    static JsonNode runPythonPeer(String python, Path script, Object request, long minutes, String what,
                                  ComputeSuite.Listener listener) {
        try {
            Finished run = run(List.of(python, script.toString()), JSON.writeValueAsString(request), Set.of(),
                    Map.of("PYTHONPATH", script.getParent().toString()), minutes, TimeUnit.MINUTES);
            if (run == null) {
                listener.peerFailed(what, "ran over " + minutes + " minutes and was killed");
                return null;
            }
            if (run.exitCode() != 0) {
                listener.peerFailed(what, "exit status " + run.exitCode() + ": " + run.stderr().strip());
                return null;
            }
            return JSON.readTree(run.stdout());
        } catch (IOException e) {
            listener.peerSkipped(python + " could not be started (" + e.getMessage() + ")");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " ran", e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    /** Copies a resource of this package to {@code target} (deleted when the JVM exits) and returns it. */
    static Path extract(String resource, Path target) throws IOException {
        try (InputStream in = ChildProcess.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the covet-bench jar");
            }
            target.toFile().deleteOnExit();
            Files.write(target, in.readAllBytes());
            return target;
        }
    }
}
