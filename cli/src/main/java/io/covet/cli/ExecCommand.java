package io.covet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.covet.interpreters.SandboxPolicy;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code covet exec SCRIPT [ARGS...]}: runs a script like {@code python SCRIPT ARGS...}, inside
 * Covet's runtime ({@code covet} importable, the pools up). Everything after SCRIPT goes to the
 * script's {@code sys.argv}.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a Python script in Covet's runtime, as 'python SCRIPT ARGS...' would.",
                "The script's exit status becomes covet's. Settings: defaults < --config FILE < the script's "
                        + "own PerformanceConfig < these flags."})
final class ExecCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "the Python script to run")
    Path script;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "arguments for the script (its sys.argv[1:])")
    List<String> args = new ArrayList<>();

    @Option(names = "--interpreters", paramLabel = "N", description = "interpreters in the pool (default: cores, at least 2)")
    Integer interpreters;

    @Option(names = "--cpu-threads", paramLabel = "N", description = "compute engine threads (default: cores)")
    Integer cpuThreads;

    @Option(names = "--io-threads", paramLabel = "N", description = "IO lane concurrency (default: min(32, cores + 4))")
    Integer ioThreads;

    @Option(names = "--max-gil-contention", paramLabel = "N", description = "Python tasks handed to the pool at once (default: interpreters)")
    Integer maxGilContention;

    @Option(names = "--task-timeout", paramLabel = "SECONDS", description = "longest one task in another interpreter may run (default: 60)")
    Double taskTimeout;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings by their PerformanceConfig names")
    Path configFile;

    @Option(names = "--allow-net", paramLabel = "HOST", split = ",",
            description = "hosts covet.http may reach ('*': any); repeatable. Python sockets stay denied")
    List<String> allowNet = new ArrayList<>();

    @Option(names = "--allow-read", paramLabel = "DIR",
            description = "a directory Python may read and list, besides the script's own and the python path; repeatable")
    List<Path> allowRead = new ArrayList<>();

    @Option(names = "--allow-write", description = "let Python create, write and read any file")
    boolean allowWrite;

    @Option(names = "--allow-threads", description = "let Python start threads")
    boolean allowThreads;

    @Option(names = "--trusted", description = "turn the sandbox off: Java classes, native code, processes, files, network, threads")
    boolean trusted;

    @Option(names = {"-v", "--verbose"}, description = "log the runtime's start-up and configuration to stderr")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        for (Path dir : allowRead) {
            if (!Files.isDirectory(dir)) {
                throw new ParameterException(spec.commandLine(), "--allow-read " + dir + ": not a directory");
            }
        }
        if (!Files.isRegularFile(script)) {
            err.println("covet exec: can't open file '" + script + "': " + (Files.exists(script) ? "not a regular file" : "no such file"));
            return 2;
        }
        PerformanceConfig.Builder base = PerformanceConfig.builder()
                .mainScript(script.toAbsolutePath())
                .sandbox(sandbox())
                .allowedHosts(new LinkedHashSet<>(allowNet.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList()));
        if (configFile != null) {
            base.apply(readConfig(configFile));
        }
        Map<String, Object> pinned = flags();
        try {
            base.copy().apply(pinned).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!verbose) {
            Logger.getLogger("io.covet").setLevel(Level.WARNING);
        }
        ProgressBar progress = System.console() != null && System.console().isTerminal() ? new ProgressBar(err, true) : null;
        int total = base.copy().apply(pinned).build().pythonInterpreters();
        if (progress != null) {
            progress.update(0, total, "starting interpreters");
        }
        try (PerformanceManager runtime = PerformanceManager.start(base, pinned, ready -> {
            if (progress != null) {
                progress.update(ready, total, "starting interpreters");
            }
        })) {
            if (progress != null) {
                progress.finish();
            }
            System.out.flush();
            return runtime.exec(script, args);
        }
    }

    private SandboxPolicy sandbox() {
        if (trusted) {
            return SandboxPolicy.trusted();
        }
        SandboxPolicy policy = SandboxPolicy.strict().withFileWrites(allowWrite).withThreads(allowThreads);
        for (Path dir : allowRead) {
            policy = policy.withReadable(dir);
        }
        return policy;
    }

    /** Settings given as flags, by their PerformanceConfig names: they win over the file and the script. */
    private Map<String, Object> flags() {
        Map<String, Object> pinned = new LinkedHashMap<>();
        if (interpreters != null) {
            pinned.put("python_interpreters", interpreters);
        }
        if (cpuThreads != null) {
            pinned.put("cpu_threads", cpuThreads);
        }
        if (ioThreads != null) {
            pinned.put("io_threads", ioThreads);
        }
        if (maxGilContention != null) {
            pinned.put("max_gil_contention", maxGilContention);
        }
        if (taskTimeout != null) {
            pinned.put("task_timeout", taskTimeout);
        }
        return pinned;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readConfig(Path file) {
        try {
            Object parsed = new ObjectMapper().readValue(file.toFile(), Object.class);
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new ParameterException(spec.commandLine(), "--config " + file + ": expected a JSON object of settings");
            }
            PerformanceConfig.builder().apply((Map<String, Object>) map);
            return (Map<String, Object>) map;
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--config " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--config " + file + ": " + e.getMessage());
        }
    }
}
