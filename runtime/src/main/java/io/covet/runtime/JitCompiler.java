package io.covet.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * GraalPy's JIT compiler seen from outside: the CPU its threads have used, and when that counts
 * as idle (what the load at hand runs is compiled). {@code covet run --warmup} ends on it, and
 * {@code covet bench http} waits for it before it measures.
 */
public final class JitCompiler {

    /** Below this share of a core, the compiler counts as idle. */
    public static final double IDLE_SHARE = 0.10;
    /** Truffle's compiler threads are named so (GraalPy's JIT compiles Python there). */
    private static final String THREAD_NAME = "TruffleCompilerThread";

    private JitCompiler() {
    }

    /** CPU time Truffle's compiler threads in this JVM have used so far, all of them. */
    public static long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(THREAD_NAME)) {
                total += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return total;
    }

    /** Whether {@code usedNanos} of compiler CPU over {@code seconds} of wall time is idle. */
    public static boolean idle(long usedNanos, double seconds) {
        return usedNanos < IDLE_SHARE * seconds * 1e9;
    }
}
