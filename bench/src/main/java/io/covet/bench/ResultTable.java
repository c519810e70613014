package io.covet.bench;

import java.util.List;
import java.util.Locale;

/** Renders suite records as the aligned table {@code covet bench} prints. */
public final class ResultTable {

    private ResultTable() {
    }

    public static String render(List<BenchRecord> records) {
        String peerName = records.stream().map(BenchRecord::peer).filter(p -> p != null).findFirst().orElse(null);
        String[] header = {"case", "size", "unit", "covet", "thr", "peer", "thr", "covet/peer"};
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(header);
        for (BenchRecord r : records) {
            Double ratio = r.ratio();
            rows.add(new String[]{r.caseName(), String.format(Locale.ROOT, "%,d", r.size()), r.unit(), number(r.covet()),
                    Integer.toString(r.threads()), r.peerValue() == null ? "-" : number(r.peerValue()),
                    r.peerThreads() == null ? "-" : r.peerThreads().toString(),
                    ratio == null ? "-" : String.format(Locale.ROOT, "%.2fx", ratio)});
        }
        int[] width = new int[header.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                String cell = i < 3 ? pad(row[i], width[i], false) : pad(row[i], width[i], true);
                out.append(cell).append(i == row.length - 1 ? "\n" : "  ");
            }
        }
        out.append(peerName == null ? "peer: none (Covet's figures only)\n" : "peer: " + peerName + "\n");
        out.append("thr = threads each side may use; covet/peer > 1 means Covet is faster\n");
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
