package io.covet.tasks;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads every queue shares, and the one way Covet names its threads:
 * <ul>
 *   <li>{@code covet-deadlines}: one platform thread for the JVM, fires every queue's deadlines
 *       (it never blocks: expiring a task only hands the stopping of its work to its executor);</li>
 *   <li>{@code covet-callback}: a virtual thread per settled task whose future a caller holds, so
 *       that what callers chain on a future never runs on an interpreter's, a worker's or the
 *       deadline thread (a blocking callback there could stall or deadlock a pool).</li>
 * </ul>
 * Both live as long as the JVM: they keep neither it nor any pool alive.
 */
public final class TaskThreads {

    private static final Logger LOG = Logger.getLogger(TaskThreads.class.getName());

    /** Logs what a Covet thread failed with; every thread Covet makes has it. */
    public static final Thread.UncaughtExceptionHandler REPORT =
            (t, e) -> LOG.log(Level.SEVERE, "uncaught exception in " + t.getName(), e);

    static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

    static final Executor CALLBACKS = Executors.newThreadPerTaskExecutor(virtual("covet-callback"));

    private TaskThreads() {
    }

    /** Platform threads named {@code name}, or {@code name0, name1 ...} when it ends in '-'. */
    public static ThreadFactory platform(String name, boolean daemon) {
        Thread.Builder.OfPlatform b = Thread.ofPlatform().daemon(daemon).uncaughtExceptionHandler(REPORT);
        return (name.endsWith("-") ? b.name(name, 0) : b.name(name)).factory();
    }

    /** Virtual threads named {@code name}, or {@code name0, name1 ...} when it ends in '-'. */
    public static ThreadFactory virtual(String name) {
        Thread.Builder.OfVirtual b = Thread.ofVirtual().uncaughtExceptionHandler(REPORT);
        return (name.endsWith("-") ? b.name(name, 0) : b.name(name)).factory();
    }

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, platform("covet-deadlines", true));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
