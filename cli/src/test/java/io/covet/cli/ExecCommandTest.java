package io.covet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code covet exec}: a script runs as with {@code python SCRIPT ARGS}, inside Covet's runtime. */
class ExecCommandTest {

    private static final Path SCRIPTS = Path.of("src/test/python").toAbsolutePath();

    private record Run(int exitCode, String out, String err) {
    }

    /** Runs the CLI in this JVM; Python writes to System.out/err, so both are captured too. */
    private static Run run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter cliErr = new StringWriter();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(cliErr, true));
            code = cli.execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + cliErr);
    }

    @Test
    void aScriptGetsItsArgvAndOutputAndItsExitStatusBecomesCovets() {
        Run r = run("exec", "--interpreters", "2", SCRIPTS.resolve("exec_script.py").toString(), "7", "--not-for-covet");
        assertThat(r.out()).contains("argv ['7', '--not-for-covet']").contains("map [0, 3, 6, 9, 12, 15]")
                .contains("interpreters 2");
        assertThat(r.err()).contains("to stderr");
        assertThat(r.exitCode()).isEqualTo(7);
    }

    @Test
    void theMainBlockRunsOnceThoughOtherInterpretersImportTheScript() {
        Run r = run("exec", "--interpreters", "2", SCRIPTS.resolve("exec_script.py").toString());
        assertThat(r.out().split("main block ran", -1)).hasSize(2);
        assertThat(r.out()).contains("main block ran in __main__");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void whatAScriptWroteToAFileItNeverClosedReachesTheDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.txt");
        Run r = run("exec", "--interpreters", "1", "--allow-write", dir.toString(), SCRIPTS.resolve("exec_unclosed.py").toString(),
                file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(file)).isEqualTo("important data\n");
    }

    @Test
    void onlyTheVariablesNamedWithEnvReachOsEnvironInTheSandbox(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("env.py");
        Files.writeString(script, "import os\nprint('keys', sorted(k for k in os.environ if k in ('GREETING', 'PATH', 'HOME')))\n"
                + "print('greeting', os.environ.get('GREETING'))\nprint('path', os.environ.get('PATH') == os.environ.get('EXPECTED_PATH'))\n");
        assertThat(System.getenv("HOME")).as("the test needs a variable not passed on").isNotNull();
        Run r = run("exec", "--interpreters", "1", "--env", "GREETING=hello wörld", "--env", "PATH",
                "--env", "EXPECTED_PATH=" + System.getenv("PATH"), script.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("keys ['GREETING', 'PATH']").contains("greeting hello wörld").contains("path True");
        // With native code allowed GraalPy writes stdout to fd 1 itself, past this JVM's capture: ask for a file.
        Path seen = dir.resolve("trusted.txt");
        Files.writeString(dir.resolve("env_to_file.py"), "import os, sys\nopen(sys.argv[1], 'w').write(' '.join(sorted(os.environ)))\n");
        Run trusted = run("exec", "--interpreters", "1", "--trusted", dir.resolve("env_to_file.py").toString(), seen.toString());
        assertThat(trusted.exitCode()).as(trusted.err()).isZero();
        assertThat(Files.readString(seen)).as("--trusted: the whole environment").contains("HOME");
        Run unset = run("exec", "--env", "COVET_SURELY_NOT_SET_1234", script.toString());
        assertThat(unset.exitCode()).isEqualTo(2);
        assertThat(unset.err()).contains("--env COVET_SURELY_NOT_SET_1234: COVET_SURELY_NOT_SET_1234 is not set in this environment");
    }

    @Test
    void anUncaughtExceptionPrintsItsTracebackAndExitsWithOne() {
        Run r = run("exec", "--interpreters", "1", SCRIPTS.resolve("exec_failing.py").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Traceback (most recent call last):").contains("exec_failing.py\", line 5, in <module>")
                .contains("in inner").contains("ValueError: the script failed").doesNotContain("_runtime.py");
    }

    @Test
    void flagsWinOverTheScriptsOwnConfig(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("config.py");
        Files.writeString(script, """
                from covet import perf, PerformanceConfig, PerformanceManager
                PerformanceManager(PerformanceConfig(python_interpreters=3, io_threads=9))
                s = perf.settings
                print("settings", s["python_interpreters"], s["io_threads"], s["cpu_threads"])
                """);
        Path config = dir.resolve("covet.json");
        Files.writeString(config, "{\"cpu_threads\": 1, \"io_threads\": 2}");
        Run r = run("exec", "--interpreters", "1", "--config", config.toString(), script.toString());
        assertThat(r.out()).contains("settings 1 9 1");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void aVirtualenvsPackagesAndItsPthFilesPathsAndImportLinesReachEveryInterpreter(@TempDir Path dir) throws Exception {
        Path venv = dir.resolve("venv");
        Path site = Files.createDirectories(venv.resolve("lib/python3.11/site-packages"));
        Files.writeString(venv.resolve("pyvenv.cfg"), "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n");
        Files.createDirectories(site.resolve("venvpkg"));
        Files.writeString(site.resolve("venvpkg/__init__.py"), "NAME = 'from the venv'\n");
        // An editable install: a .pth naming the project's source directory, outside the venv.
        Path src = Files.createDirectories(dir.resolve("project/src"));
        Files.writeString(src.resolve("editable_mod.py"), "NAME = 'editable'\n");
        Files.writeString(site.resolve("__editable__.project.pth"), "# the project\n" + site.relativize(src) + "\n\n");
        Files.writeString(site.resolve("pth_hook.py"), "import builtins\nbuiltins.PTH_HOOK_RAN = True\n");
        Files.writeString(site.resolve("zz_hook.pth"), "import pth_hook\n");
        Path script = dir.resolve("uses_venv.py");
        Files.writeString(script, String.join("\n",
                "import builtins",
                "from covet import perf",
                "def probe(_):",
                "    import venvpkg, editable_mod",
                "    return (venvpkg.NAME, editable_mod.NAME, getattr(builtins, 'PTH_HOOK_RAN', False))",
                "if __name__ == '__main__':",
                "    print('seen', sorted(set(perf.parallel_map(probe, range(8), chunk_size=1).result())))",
                ""));
        Run r = run("exec", "--interpreters", "2", "--venv", venv.toString(), script.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("seen [('from the venv', 'editable', True)]");
        Run notOne = run("exec", "--venv", dir.resolve("project").toString(), script.toString());
        assertThat(notOne.exitCode()).isEqualTo(2);
        assertThat(notOne.err()).contains("--venv " + dir.resolve("project") + ": not a virtualenv (no pyvenv.cfg in it)");
    }

    @Test
    void filesOutsideTheScriptsDirectoryAreReadableOnlyWhenAllowed(@TempDir Path scripts, @TempDir Path data) throws Exception {
        Files.writeString(data.resolve("input.txt"), "42");
        Files.writeString(scripts.resolve("neighbour.txt"), "7");
        Path script = scripts.resolve("reader.py");
        Files.writeString(script, String.join("\n",
                "import os, sys",
                "print('neighbour', open(os.path.join(os.path.dirname(__file__), 'neighbour.txt')).read())",
                "try:",
                "    print('data', open(sys.argv[1]).read())",
                "except PermissionError as e:",
                "    print('denied', type(e).__name__)",
                ""));
        String input = data.resolve("input.txt").toString();
        Run denied = run("exec", "--interpreters", "1", script.toString(), input);
        assertThat(denied.out()).contains("neighbour 7").contains("denied PermissionError");
        Run allowed = run("exec", "--interpreters", "1", "--allow-read", data.toString(), script.toString(), input);
        assertThat(allowed.out()).contains("data 42");
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws Exception {
        Run missing = run("exec", dir.resolve("nope.py").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("covet exec: can't open file '" + dir.resolve("nope.py") + "': no such file");
        Path config = dir.resolve("bad.json");
        Files.writeString(config, "{\"cpu_thread\": 1}");
        Path script = dir.resolve("ok.py");
        Files.writeString(script, "pass\n");
        Run bad = run("exec", "--config", config.toString(), script.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown performance setting 'cpu_thread'");
        Run notADir = run("exec", "--allow-read", dir.resolve("none").toString(), script.toString());
        assertThat(notADir.exitCode()).isEqualTo(2);
        assertThat(notADir.err()).contains("--allow-read " + dir.resolve("none") + ": not a directory");
        Run zero = run("exec", "--interpreters", "0", script.toString());
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("python_interpreters must be at least 1, got 0");
    }

    @Test
    void withCpythonWorkersTheScriptsFunctionsRunInCpython(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("native.py");
        Files.writeString(script, """
                import sys
                from covet import perf

                @perf.cpu_intensive(use_native=False)
                def implementation(x):
                    return sys.implementation.name, x + 1

                def square(x):
                    return x * x

                if __name__ == "__main__":
                    print("here", sys.implementation.name)
                    print("there", *implementation(41).result())
                    print("map", perf.parallel_map(square, range(6), lane="cpython").result())
                """);
        Run r = run("exec", "--interpreters", "1", "--cpython-workers", "2", script.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("here graalpy").contains("there cpython 42").contains("map [0, 1, 4, 9, 16, 25]");
    }

    @Test
    void cpythonWorkerFlagsAreChecked(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("ok.py");
        Files.writeString(script, "pass\n");
        Run noWorkers = run("exec", "--python3", "/usr/bin/python3", script.toString());
        assertThat(noWorkers.exitCode()).isEqualTo(2);
        assertThat(noWorkers.err()).contains("--python3 configures CPython workers, but there are none: add --cpython-workers N");
        Run negative = run("exec", "--cpython-workers", "-1", script.toString());
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--cpython-workers must be at least 0, got -1");
        Run missing = run("exec", "--cpython-workers", "1", "--python3", dir.resolve("python3").toString(), script.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("covet exec: CPython workers: " + dir.resolve("python3") + " is not an executable file");
    }
}
