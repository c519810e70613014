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
     * One record per (suite, case, size, threads) and peer, in first-seen order, holding the
     * median of Covet's figures and of the peer's (the peer median over the runs that had one).
     * Suites that compare one figure with several peers (python: cpython, cpython-threads, ...)
     * keep one row per peer, told apart by the peer's name before its details in brackets; a
     * record without a peer counts towards each of them.
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
            List<String> kinds = records.stream().map(BenchRecord::peer).filter(Objects::nonNull)
                    .map(BenchReport::peerKind).distinct().toList();
            if (kinds.isEmpty()) {
                out.add(median(key, records));
            }
            for (String kind : kinds) {
                out.add(median(key, records.stream()
                        .filter(r -> r.peer() == null || peerKind(r.peer()).equals(kind)).toList()));
            }
        });
        return out;
    }

    private static BenchRecord median(Key key, List<BenchRecord> records) {
        double covet = Timing.median(records.stream().mapToDouble(BenchRecord::covet).toArray());
        double[] peers = records.stream().map(BenchRecord::peerValue).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).toArray();
        BenchRecord withPeer = records.stream().filter(r -> r.peerValue() != null).findFirst().orElse(null);
        return new BenchRecord(key.suite(), key.caseName(), key.size(), key.threads(), key.unit(), key.better(), covet,
                withPeer == null ? null : withPeer.peer(),
                peers.length == 0 ? null : Timing.median(peers),
                withPeer == null ? null : withPeer.peerThreads());
    }

    /** {@code cpython-threads (CPython 3.11.7)} -> {@code cpython-threads}. */
    static String peerKind(String peer) {
        int bracket = peer.indexOf(" (");
        return bracket < 0 ? peer : peer.substring(0, bracket);
    }
}
