package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static BenchRecord r(String c, long size, double covet, Double peer) {
        return new BenchRecord("compute", c, size, 2, "GB/s", BenchRecord.HIGHER, covet, peer == null ? null : "numpy",
                peer, peer == null ? null : 1);
    }

    @Test
    void eachCaseGetsTheMedianOfEachSideAcrossRunsInFirstSeenOrder() {
        List<BenchRecord> medians = BenchReport.medians(List.of(
                List.of(r("sum_f32", 10, 5, 1.0), r("exp_f32", 10, 9, null)),
                List.of(r("sum_f32", 10, 1, 3.0), r("exp_f32", 10, 7, 2.0)),
                List.of(r("sum_f32", 10, 3, 2.0), r("sum_f32", 20, 4, null))));
        assertThat(medians).extracting(BenchRecord::caseName, BenchRecord::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sum_f32", 10L), org.assertj.core.groups.Tuple.tuple("exp_f32", 10L),
                        org.assertj.core.groups.Tuple.tuple("sum_f32", 20L));
        assertThat(medians.get(0).covet()).isEqualTo(3.0);
        assertThat(medians.get(0).peerValue()).isEqualTo(2.0);
        assertThat(medians.get(1).covet()).isEqualTo(8.0);          // even count: mean of the middle two
        assertThat(medians.get(1).peerValue()).isEqualTo(2.0);      // only the run that had a peer
        assertThat(medians.get(2).peerValue()).isNull();
    }

    @Test
    void aFigureComparedWithSeveralPeersKeepsOneRowPerPeer() {
        BenchRecord threads1 = new BenchRecord("python", "fib27", 2, 2, "tasks/s", BenchRecord.HIGHER, 100, "cpython-threads (CPython 3.11.7)", 20.0, 2);
        BenchRecord procs1 = new BenchRecord("python", "fib27", 2, 2, "tasks/s", BenchRecord.HIGHER, 100, "cpython-processpool (CPython 3.11.7)", 40.0, 2);
        BenchRecord threads2 = new BenchRecord("python", "fib27", 2, 2, "tasks/s", BenchRecord.HIGHER, 120, "cpython-threads (CPython 3.11.7)", 30.0, 2);
        BenchRecord procs2 = new BenchRecord("python", "fib27", 2, 2, "tasks/s", BenchRecord.HIGHER, 120, "cpython-processpool (CPython 3.11.7)", 50.0, 2);
        List<BenchRecord> medians = BenchReport.medians(List.of(List.of(threads1, procs1), List.of(threads2, procs2)));
        assertThat(medians).extracting(BenchRecord::peerValue).containsExactly(25.0, 45.0);
        assertThat(medians).extracting(BenchRecord::covet).containsExactly(110.0, 110.0);
    }
}
