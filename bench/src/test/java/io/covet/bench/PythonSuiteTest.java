package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PythonSuiteTest {

    @Test
    void aWorkloadYieldsThroughputLatencyScalingAndStartupRecordsWithEachPeerNamed() throws Exception {
        boolean cpython = ChildProcess.run(List.of("python3", "-c", "pass"), null, java.util.Set.of(), java.util.Map.of(), 30,
                java.util.concurrent.TimeUnit.SECONDS) instanceof ChildProcess.Finished f && f.exitCode() == 0;
        List<String> steps = new ArrayList<>();
        PythonSuite.Options tiny = new PythonSuite.Options(Duration.ofMillis(200), 1, Duration.ofMillis(100), 2,
                cpython ? "python3" : null, List.of("json_roundtrip"));
        List<BenchRecord> records = new PythonSuite().run(tiny, (done, total, what) -> steps.add(done + "/" + total + " " + what));

        assertThat(records).extracting(BenchRecord::caseName).containsExactly("json_roundtrip", "json_roundtrip",
                "json_roundtrip", "json_roundtrip", "json_roundtrip_latency", "json_roundtrip_scaling",
                "cold_start", "heap_per_interpreter", "rss_per_interpreter");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.suite()).isEqualTo("python");
            assertThat(r.covet()).isPositive();
        });
        assertThat(records.get(0).threads()).isEqualTo(1);
        assertThat(records.get(1).threads()).isEqualTo(2);
        if (cpython) {
            assertThat(records.subList(0, 4)).extracting(r -> r.peer().substring(0, r.peer().indexOf(" (")))
                    .containsExactly("cpython", "cpython-threads", "cpython-processpool", "cpython-processpool-startup");
            assertThat(records.subList(0, 5)).allSatisfy(r -> assertThat(r.peerValue()).isPositive());
        }
        assertThat(steps).last().asString().startsWith("5/5");
    }

    @Test
    void unknownWorkloadsAreRefusedWithTheValidNames() {
        assertThatThrownBy(() -> PythonSuite.Options.quick(2, null, List.of("fib99")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fib99").hasMessageContaining("nbody");
    }
}
