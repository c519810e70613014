package io.covet.cli;

import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import io.covet.workers.WorkerStartException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
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

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(script)) {
            err.println("covet exec: can't open file '" + script + "': " + (Files.exists(script) ? "not a regular file" : "no such file"));
            return 2;
        }
        List<String> argv = new ArrayList<>(List.of(script.toString()));
        argv.addAll(args);
        PerformanceConfig.Builder base = runtime.base(spec, script).mainScript(script.toAbsolutePath()).mainArgv(argv);
        Map<String, Object> pinned = runtime.pinned();
        runtime.configureLogging();
        ProgressBar progress = System.console() != null && System.console().isTerminal() ? new ProgressBar(err, true) : null;
        int total = base.copy().apply(pinned).build().pythonInterpreters();
        if (progress != null) {
            progress.update(0, total, "starting interpreters");
        }
        try (PerformanceManager manager = PerformanceManager.start(base, pinned, ready -> {
            if (progress != null) {
                progress.update(ready, total, "starting interpreters");
            }
        }, 1)) {
            if (progress != null) {
                progress.finish();
            }
            System.out.flush();
            return manager.exec(script, args);
        } catch (WorkerStartException e) {
            err.println("covet exec: " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
