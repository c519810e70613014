package io.covet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Peers run as child processes (python3 with a script of ours); this runs one and collects its output. */
final class ChildProcess {

    private ChildProcess() {
    }

    /** A child that exited: its status and output. */
    record Finished(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs a child with the variables in {@code unset} removed and {@code env} added, feeding it
     * {@code input}; returns null (after killing it) when it outlives the timeout. Output is drained
     * on other threads so that a chatty or hung child cannot block this one.
     */
    static Finished run(List<String> command, String input, Set<String> unset, Map<String, String> env, long timeout,
                        TimeUnit unit) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeAll(unset);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The child exited before reading its input; its exit status and stderr say why.
        }
        if (!p.waitFor(timeout, unit)) {
            p.destroyForcibly().waitFor();
            return null;
        }
        return new Finished(p.exitValue(), stdout.join(), stderr.join());
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
