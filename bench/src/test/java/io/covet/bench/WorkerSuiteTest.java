package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerSuiteTest {

    @Test
    void recordsCompareCovetFromPythonAndFromJavaWithTheProcessPool() throws Exception {
        var peer = new ObjectMapper().readTree("""
                {"peer": "CPython 3.11.7, ProcessPoolExecutor (fork)", "empty_latency_ms": 0.3,
                 "empty_overhead_us": 200.0, "cpu_tasks_per_s": 1000.0}""");
        List<BenchRecord> records = WorkerSuite.records(2,
                Map.of("empty_latency_ms", 0.6, "empty_overhead_us", 100.0, "cpu_tasks_per_s", 500.0),
                new double[] {0.15, 50.0, 900.0}, peer);
        assertThat(records).extracting(BenchRecord::caseName).containsExactly("empty_task_latency", "empty_task_latency_java_api",
                "empty_task_overhead", "empty_task_overhead_java_api", "small_cpu_task", "small_cpu_task_java_api");
        assertThat(records).extracting(BenchRecord::ratio).containsExactly(0.5, 2.0, 2.0, 4.0, 0.5, 0.9);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.peer()).startsWith("CPython 3.11.7, ProcessPoolExecutor (fork)");
            assertThat(r.threads()).isEqualTo(2);
            assertThat(r.peerThreads()).isEqualTo(2);
        });
    }

    @Test
    void withoutAPeerOnlyCovetsFiguresAreRecorded() {
        List<BenchRecord> records = WorkerSuite.records(2,
                Map.of("empty_latency_ms", 0.6, "empty_overhead_us", 100.0, "cpu_tasks_per_s", 500.0),
                new double[] {0.1, 50.0, 900.0}, null);
        assertThat(records).hasSize(6).allSatisfy(r -> assertThat(r.peerValue()).isNull());
        assertThat(records.getFirst().covet()).isEqualTo(0.6);
    }
}
