package io.covet.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on a terminal (redrawn in place), or one plain line per step when the
 * output is a file or a pipe, so that logs stay readable.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private int lastLength;
    private boolean finished;

    ProgressBar(PrintWriter out) {
        this(out, System.console() != null && System.console().isTerminal());
    }

    ProgressBar(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Draws the bar; a no-op once finished (steps may go on in the background after the wait ends). */
    synchronized void update(int done, int total, String what) {
        if (finished) {
            return;
        }
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        String line = String.format("[%s%s] %d/%d %3ds  %s", "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                (System.nanoTime() - start) / 1_000_000_000L, what);
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    synchronized void finish() {
        finished = true;
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
    }
}
