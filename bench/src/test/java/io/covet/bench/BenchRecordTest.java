package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchRecordTest {

    @Test
    void jsonRecordsCarryExactlyTheSharedSchemaWithNullPeerFieldsWhenNoPeerRan(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nested/out.json");
        BenchJson.write(file, List.of(
                new BenchRecord("compute", "sum_f32", 1000, 2, "GB/s", BenchRecord.HIGHER, 12.5, "numpy 2.4", 10.0, 1),
                new BenchRecord("compute", "sum_f64", 1000, 2, "GB/s", BenchRecord.HIGHER, 7.0, null, null, null)));
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.isArray()).isTrue();
        List<String> fields = new ArrayList<>();
        json.get(0).fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("suite", "case", "size", "threads", "unit", "better", "covet", "peer",
                "peer_value", "peer_threads");
        assertThat(json.get(0).get("case").asText()).isEqualTo("sum_f32");
        assertThat(json.get(0).get("peer_value").asDouble()).isEqualTo(10.0);
        assertThat(json.get(1).get("peer").isNull()).isTrue();
        assertThat(json.get(1).get("peer_value").isNull()).isTrue();
        assertThat(BenchJson.read(file)).hasSize(2).first().extracting(BenchRecord::covet).isEqualTo(12.5);
    }

    @Test
    void ratioIsAboveOneWhenCovetIsBetterWhicheverWayBetterPoints() {
        assertThat(new BenchRecord("s", "c", 1, 1, "GB/s", BenchRecord.HIGHER, 20, "p", 10.0, 1).ratio()).isEqualTo(2.0);
        assertThat(new BenchRecord("s", "c", 1, 1, "ms", BenchRecord.LOWER, 5, "p", 10.0, 1).ratio()).isEqualTo(2.0);
        assertThat(new BenchRecord("s", "c", 1, 1, "ms", BenchRecord.LOWER, 5, null, null, null).ratio()).isNull();
    }

    @Test
    void betterMustBeHigherOrLower() {
        assertThatThrownBy(() -> new BenchRecord("s", "c", 1, 1, "u", "faster", 1, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("faster");
    }

    @Test
    void theTableShowsBothSidesThreadsAndTheRatioOrSaysThereWasNoPeer() {
        String withPeer = ResultTable.render(List.of(
                new BenchRecord("compute", "exp_f32", 1_000_000, 2, "GB/s", BenchRecord.HIGHER, 12, "numpy 2.4.6", 1.2, 1)));
        assertThat(withPeer).contains("exp_f32", "1,000,000", "12.0", "1.20", "10.00x", "peer: numpy 2.4.6");
        String without = ResultTable.render(List.of(
                new BenchRecord("compute", "exp_f32", 10, 2, "GB/s", BenchRecord.HIGHER, 3, null, null, null)));
        assertThat(without).contains("peer: none");
    }
}
