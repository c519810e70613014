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
        assertThat(workloads.err()).contains("unknown workload 'fib99'").contains("fib27, json_roundtrip, nbody, spectral_norm");
        Run pythonThreads = run("bench", "python", "--threads", "0");
        assertThat(pythonThreads.exitCode()).isEqualTo(2);
        assertThat(pythonThreads.err()).contains("--threads must be at least 1, got 0");
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
