package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComputeSuiteTest {

    private static final TimingPlan TINY = new TimingPlan(Duration.ofMillis(5), 3, Duration.ofMillis(1));

    @Test
    void everySelectedCaseYieldsOneRecordPerSizeInTheSuitesUnits() {
        List<String> steps = new ArrayList<>();
        List<BenchRecord> records = new ComputeSuite().run(
                new ComputeSuite.Options(TINY, new long[]{7, 33}, true, 2, null, List.of("sum_f32", "exp_f32", "matmul_f64")),
                (done, total, what) -> steps.add(done + "/" + total + " " + what));
        assertThat(records).extracting(BenchRecord::caseName)
                .containsExactly("sum_f32", "sum_f32", "exp_f32", "exp_f32", "matmul_f64", "matmul_f64");
        assertThat(records).extracting(BenchRecord::unit).containsExactly("GB/s", "GB/s", "GB/s", "GB/s", "GFLOP/s", "GFLOP/s");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.suite()).isEqualTo("compute");
            assertThat(r.threads()).isEqualTo(2);
            assertThat(r.covet()).isPositive();
            assertThat(r.peer()).isNull();
            assertThat(r.peerValue()).isNull();
        });
        assertThat(steps).contains("6/6 matmul_f64 n=33");
    }

    @Test
    void unknownCasesAndSizesAreRefusedByName() {
        assertThatThrownBy(() -> new ComputeSuite.Options(TINY, null, true, 1, null, List.of("sum_f16")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum_f16").hasMessageContaining("sum_f32");
        assertThatThrownBy(() -> new ComputeSuite.Options(TINY, new long[]{0}, true, 1, null, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
    }

    @Test
    void aMissingPythonSkipsThePeerWithTheReason() {
        List<String> skipped = new ArrayList<>();
        List<BenchRecord> records = new ComputeSuite().run(
                new ComputeSuite.Options(TINY, new long[]{16}, true, 1, "/nonexistent/python3", List.of("sum_f64")),
                new ComputeSuite.Listener() {
                    @Override
                    public void step(int done, int total, String what) {
                    }

                    @Override
                    public void peerSkipped(String reason) {
                        skipped.add(reason);
                    }
                });
        assertThat(skipped).singleElement().asString().contains("/nonexistent/python3");
        assertThat(records).singleElement().extracting(BenchRecord::peerValue).isNull();
    }

    @Test
    void numpyMeasuresTheSameCaseWhenItIsInstalled() {
        NumpyPeer.Probe probe = NumpyPeer.probe("python3");
        assumeThat(probe).as("numpy is not importable by python3 here, so the peer cannot be tested: %s", probe)
                .isInstanceOf(NumpyPeer.Found.class);
        List<BenchRecord> records = new ComputeSuite().run(
                new ComputeSuite.Options(TINY, new long[]{1000}, true, 2, "python3", List.of("dot_f32")),
                (done, total, what) -> { });
        BenchRecord r = records.getFirst();
        assertThat(r.peer()).startsWith("numpy ");
        assertThat(r.peerValue()).isPositive();
        assertThat(r.peerThreads()).isEqualTo(2);
    }
}
