package io.covet.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Combines the records of several runs of a suite into one record per case, with the median of
 * each side: what BENCHMARKS.md quotes, since single runs on a shared machine are noisy.
 */
public final class BenchReport {

    private BenchReport() {
    }

    /** Identifies "the same measurement" across runs. */
    private record Key(String suite, String caseName, long size, int threads, String unit, String better) {
    }

    /**
     * One record per (suite, case, size, threads), in first-seen order, holding the median of
     * Covet's figures and of the peer's (the peer median over the runs that had one).
     */
    public static List<BenchRecord> medians(List<List<BenchRecord>> runs) {
        Map<Key, List<BenchRecord>> groups = new LinkedHashMap<>();
        for (List<BenchRecord> run : runs) {
            for (BenchRecord r : run) {
                groups.computeIfAbsent(new Key(r.suite(), r.caseName(), r.size(), r.threads(), r.unit(), r.better()),
                        k -> new ArrayList<>()).add(r);
            }
        }
        List<BenchRecord> out = new ArrayList<>();
        groups.forEach((key, records) -> {
            double covet = Timing.median(records.stream().mapToDouble(BenchRecord::covet).toArray());
            double[] peers = records.stream().map(BenchRecord::peerValue).filter(Objects::nonNull)
                    .mapToDouble(Double::doubleValue).toArray();
            BenchRecord withPeer = records.stream().filter(r -> r.peerValue() != null).findFirst().orElse(null);
            out.add(new BenchRecord(key.suite(), key.caseName(), key.size(), key.threads(), key.unit(), key.better(), covet,
                    withPeer == null ? null : withPeer.peer(),
                    peers.length == 0 ? null : Timing.median(peers),
                    withPeer == null ? null : withPeer.peerThreads()));
        });
        return out;
    }
}
