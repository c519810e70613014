package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeSuiteTest {

    @Test
    void recordsCompareEachFigureWithItsPeerAndScalingWithOneInterpreter() throws Exception {
        var peer = new ObjectMapper().readTree("""
                {"peer": "CPython 3.11.7", "numpy": "2.4.6", "map_processpool_items_per_s": 300.0,
                 "map_one_items_per_s": 200.0, "sum_builtin_ms": 50.0, "sum_numpy_ms": 5.0, "submit_overhead_ms": 0.2}""");
        List<BenchRecord> records = RuntimeSuite.records(2,
                Map.of("parallel_items_per_s", 600.0, "one_items_per_s", 400.0, "chunk_size", 8L),
                Map.of("array_ms", 25.0, "list_ms", 100.0, "graalpy_builtin_sum_ms", 12.0),
                Map.of("per_call_ms", 0.4), peer);
        assertThat(records).extracting(BenchRecord::caseName).containsExactly("parallel_map_scaling", "parallel_map",
                "parallel_map", "sum_array_from_array", "sum_array_from_array", "sum_array_from_list", "sum_array_from_array",
                "cpu_intensive_call");
        assertThat(records.get(0).covet()).isEqualTo(1.5);
        assertThat(records.get(1).ratio()).isEqualTo(2.0);
        assertThat(records.get(1).peer()).contains("cpython-processpool").contains("chunksize 8");
        assertThat(records.get(3).ratio()).isEqualTo(2.0);
        assertThat(records.get(4).peer()).startsWith("numpy 2.4.6");
        assertThat(records.get(7).ratio()).isEqualTo(0.5);
    }

    @Test
    void arrayRecordsCompareResidentArraysWithCpythonAndNumpyAndWorkersAtEachSize() throws Exception {
        var peer = new ObjectMapper().readTree("""
                {"peer": "CPython 3.11.7", "numpy": "2.4.6", "sum_builtin_ms": 50.0, "sum_numpy_ms": 5.0,
                 "sqrt_listcomp_ms": 700.0, "sqrt_numpy_ms": 20.0, "processpool_touch_1000000_ms": 10.0,
                 "processpool_touch_10000000_ms": 100.0}""");
        List<BenchRecord> records = RuntimeSuite.arrayRecords(2, Map.of("resident_sum_ms", 5.0, "resident_sqrt_ms", 14.0,
                "worker_touch_1000000_ms", 0.5, "worker_touch_10000000_ms", 0.5), peer);
        assertThat(records).extracting(BenchRecord::caseName).containsExactly("sum_array_resident", "sum_array_resident",
                "transform_sqrt_resident", "transform_sqrt_resident", "worker_numpy_shared_array", "worker_numpy_shared_array");
        assertThat(records.get(0).ratio()).isEqualTo(10.0);
        assertThat(records.get(1).ratio()).isEqualTo(1.0);
        assertThat(records.get(2).ratio()).isEqualTo(50.0);
        assertThat(records.get(5).size()).isEqualTo(10_000_000);
        assertThat(records.get(5).ratio()).isEqualTo(200.0);
        assertThat(RuntimeSuite.arrayRecords(2, Map.of("resident_sum_ms", 5.0, "resident_sqrt_ms", 14.0), null))
                .as("without workers' figures or a peer").hasSize(2);
    }

    @Test
    void withoutAPeerOnlyCovetsFiguresAreRecorded() {
        List<BenchRecord> records = RuntimeSuite.records(2,
                Map.of("parallel_items_per_s", 600.0, "one_items_per_s", 400.0, "chunk_size", 8L),
                Map.of("array_ms", 25.0, "list_ms", 100.0, "graalpy_builtin_sum_ms", 12.0),
                Map.of("per_call_ms", 0.4), null);
        assertThat(records).filteredOn(r -> r.caseName().equals("cpu_intensive_call")).singleElement()
                .satisfies(r -> assertThat(r.peerValue()).isNull());
    }
}
