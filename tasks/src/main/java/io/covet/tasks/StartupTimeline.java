package io.covet.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Where start-up time goes, for {@code --verbose}: each layer marks the steps it takes, and the
 * timeline logs one line per finished stretch ({@code "interpreter 1 ready at 6.4 s: context 2.1 s,
 * stdlib 1.2 s, ..."}) at INFO, timed from the JVM's own start (so the JVM and class loading are
 * counted too). Not thread-safe: one per thread of start-up work.
 */
public final class StartupTimeline {

    private static final Logger LOG = Logger.getLogger(StartupTimeline.class.getName());
    /** When this JVM started, by the same clock as {@link System#nanoTime()}. */
    private static final long JVM_START_NANOS = System.nanoTime()
            - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(uptimeMillis());

    private final String what;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private final List<String> steps = new ArrayList<>();

    /** A stretch of start-up work called {@code what} ("interpreter 1"), starting now. */
    public StartupTimeline(String what) {
        this.what = what;
    }

    /** The step called {@code step} ended now: it took the time since the previous mark. */
    public void mark(String step) {
        long now = System.nanoTime();
        steps.add(step + " " + seconds(now - lastNanos));
        lastNanos = now;
    }

    /** Logs this stretch: when it began and ended since the JVM started, and its steps. */
    public void done(String outcome) {
        long now = System.nanoTime();
        LOG.info(() -> what + " " + outcome + " at " + sinceJvmStart(now) + " (began at " + sinceJvmStart(startNanos)
                + (steps.isEmpty() ? "" : "; " + String.join(", ", steps)) + ")");
    }

    /** Logs a single moment of start-up ("listening on ..."), timed from the JVM's start. */
    public static void event(String what) {
        long now = System.nanoTime();
        LOG.info(() -> what + " at " + sinceJvmStart(now));
    }

    /** Seconds from the JVM's start to {@code nanos} ({@link System#nanoTime()}), as text: "6.40 s". */
    public static String sinceJvmStart(long nanos) {
        return seconds(nanos - JVM_START_NANOS);
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** Milliseconds since the JVM started: the launcher's time, class loading and all. */
    private static long uptimeMillis() {
        return System.currentTimeMillis() - ProcessHandle.current().info().startInstant()
                .map(java.time.Instant::toEpochMilli).orElse(System.currentTimeMillis());
    }
}
