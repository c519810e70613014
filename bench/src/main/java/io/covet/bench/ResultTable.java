package io.covet.bench;

import java.util.List;
import java.util.Locale;

/** Renders suite records as the aligned table {@code covet bench} prints. */
public final class ResultTable {

    private ResultTable() {
    }

    public static String render(List<BenchRecord> records) {
        List<String> peers = records.stream().map(BenchRecord::peer).filter(p -> p != null).distinct().toList();
        // Suites with several peers (python) name each row's peer in a column of its own.
        boolean peerColumn = peers.size() > 1;
        List<String> header = new java.util.ArrayList<>(List.of("case", "size", "unit", "covet", "thr", "peer", "thr", "covet/peer"));
        if (peerColumn) {
            header.add(5, "vs");
        }
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(header.toArray(String[]::new));
        for (BenchRecord r : records) {
            Double ratio = r.ratio();
            List<String> row = new java.util.ArrayList<>(List.of(r.caseName(), String.format(Locale.ROOT, "%,d", r.size()),
                    r.unit(), number(r.covet()), Integer.toString(r.threads()),
                    r.peerValue() == null ? "-" : number(r.peerValue()),
                    r.peerThreads() == null ? "-" : r.peerThreads().toString(),
                    ratio == null ? "-" : String.format(Locale.ROOT, "%.2fx", ratio)));
            if (peerColumn) {
                row.add(5, r.peer() == null ? "-" : BenchReport.peerKind(r.peer()));
            }
            rows.add(row.toArray(String[]::new));
        }
        int columns = header.size();
                int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                boolean left = i < 3 || (peerColumn && i == 5);
                out.append(pad(row[i], width[i], !left)).append(i == row.length - 1 ? "\n" : "  ");
            }
        }
        if (peers.isEmpty()) {
            out.append("peer: none (Covet's figures only)\n");
        } else {
            for (String peer : peers) {
                out.append("peer: ").append(peer).append("\n");
            }
        }
        out.append("thr = threads each side may use; covet/peer > 1 means Covet is better\n");
        return out.toString();
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String pad(String s, int width, boolean right) {
        String space = " ".repeat(width - s.length());
        return right ? space + s : s + space;
    }
}
