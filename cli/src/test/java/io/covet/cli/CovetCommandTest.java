package io.covet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CovetCommandTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void versionNamesTheBuildTheJdkTheComputePathAndWhetherGraalPyHasItsJit() {
        Run r = run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("covet 0.1.0").contains("java: 25").contains("compute: SIMD").contains("accelerators: none")
                .contains("python: GraalPy 25.").contains("JIT on");
    }

    @Test
    void helpListsTheExecAndBenchCommands() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: covet").contains("bench");
        assertThat(run("bench", "compute", "--help").out()).contains("--quick").contains("--json").contains("sum_f32");
        assertThat(r.out()).contains("exec");
        assertThat(run("exec", "--help").out()).contains("--interpreters").contains("--allow-net").contains("--config");
        assertThat(run("bench", "runtime", "--help").out()).contains("parallel_map").contains("--quick");
    }

    @Test
    void badOptionsFailWithAMessageNamingTheProblem() {
        Run threads = run("bench", "compute", "--threads", "0");
        assertThat(threads.exitCode()).isEqualTo(2);
        assertThat(threads.err()).contains("threads must be between 1 and 32767, got 0");
        Run cases = run("bench", "compute", "--cases", "fft_f32");
        assertThat(cases.exitCode()).isEqualTo(2);
        assertThat(cases.err()).contains("unknown case 'fft_f32'");
        Run workloads = run("bench", "python", "--workloads", "fib99");
        assertThat(workloads.exitCode()).isEqualTo(2);
        assertThat(workloads.err()).contains("unknown workload 'fib99'").contains("fib27, json_roundtrip, json_small, json_unicode, nbody, spectral_norm");
        Run pythonThreads = run("bench", "python", "--threads", "0");
        assertThat(pythonThreads.exitCode()).isEqualTo(2);
        assertThat(pythonThreads.err()).contains("--threads must be at least 1, got 0");
    }

    @Test
    void badServerOptionsFailBeforeAnythingStartsWithAMessageNamingTheProblem() {
        String[][] cases = {
                {"--bind", "unix:/tmp/app.sock", "Covet listens on TCP only"},
                {"--bind", "127.0.0.1:http", "'http' is not a port number"},
                {"--bind", "::1:8000", "an IPv6 address is written [ADDRESS]:PORT"},
                {"--bind", "127.0.0.1:9000", "--port", "9001", "give --bind or --host/--port, not both"},
                {"--certfile", "server.crt", "HTTPS needs both --certfile and --keyfile"},
                {"--keyfile-password-file", "pw.txt", "--keyfile-password-file needs --certfile and --keyfile"},
                {"--forwarded-allow-ips", "10.0.0.0/8,proxy.internal", "'proxy.internal' is not an IP address or network"},
                {"--root-path", "api/", "root path must start with '/'"},
                {"--keep-alive", "0", "--keep-alive must be a positive number of seconds, got 0.0"},
                {"--graceful-timeout", "-1", "--graceful-timeout must be a non-negative number of seconds"},
        };
        for (String[] c : cases) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", "app.py"));
            args.addAll(java.util.List.of(c).subList(0, c.length - 1));
            Run r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains(c[c.length - 1]);
        }
        Run apps = run("bench", "http", "--apps", "django");
        assertThat(apps.exitCode()).isEqualTo(2);
        assertThat(apps.err()).contains("--apps: no app named 'django' (example, flask, starlette, postgres)");
    }

    @Test
    void bindTakesGunicornsForms() {
        assertThat(RunCommand.Bind.parse("0.0.0.0:9000")).isEqualTo(new RunCommand.Bind("0.0.0.0", 9000));
        assertThat(RunCommand.Bind.parse("localhost")).isEqualTo(new RunCommand.Bind("localhost", 8000));
        assertThat(RunCommand.Bind.parse(":8080")).isEqualTo(new RunCommand.Bind("0.0.0.0", 8080));
        assertThat(RunCommand.Bind.parse("[::1]:8443")).isEqualTo(new RunCommand.Bind("::1", 8443));
        assertThat(RunCommand.Bind.parse("[::]")).isEqualTo(new RunCommand.Bind("::", 8000));
    }

    @Test
    void benchComputePrintsTheTableAndWritesJsonRecords(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out.json");
        Run r = run("bench", "compute", "--quick", "--no-peer", "--cases", "sum_f32,matmul_f32", "--size", "64",
                "--threads", "1", "--json", json.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sum_f32").contains("matmul_f32").contains("peer: none")
                .contains("records written to " + json);
        assertThat(r.err()).contains("2/2");
        JsonNode records = new ObjectMapper().readTree(json.toFile());
        assertThat(records).hasSize(2);
        assertThat(records.get(1).get("case").asText()).isEqualTo("matmul_f32");
        assertThat(records.get(1).get("unit").asText()).isEqualTo("GFLOP/s");
        assertThat(records.get(1).get("threads").asInt()).isEqualTo(1);
    }
}
