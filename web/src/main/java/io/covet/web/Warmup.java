package io.covet.web;

import io.covet.runtime.JitCompiler;
import io.covet.tasks.StartupTimeline;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * {@code covet run --warmup PATH}: right after the server listens, GET requests for the given
 * paths go to the app's handlers ({@code CovetServer.warmupRequest}: routed and run as a
 * client's would be, without a socket, so they show in neither the access log nor the request
 * metrics) until GraalPy has compiled what they run, so the traffic a load balancer sends once
 * {@code /readyz} says ready meets compiled code. "Compiled" is read off Truffle's compiler
 * threads: the warm-up ends once they have been idle (under {@link JitCompiler#IDLE_SHARE} of a core) for
 * {@link #IDLE_SECONDS} seconds in a row with requests answered, after at least
 * {@link #MIN_SECONDS}, or at the time limit. (Steady throughput is no sign: it stays flat for
 * seconds while the compiler works, then jumps; measured in BENCHMARKS.md.) Clients are served
 * meanwhile, only slower.
 */
final class Warmup {

    private static final Logger LOG = Logger.getLogger(Warmup.class.getName());
    /** Requests in flight at once: enough to keep every interpreter busy on a small machine. */
    static final int CONNECTIONS = 8;
    /** Seconds the warm-up takes at least. */
    static final int MIN_SECONDS = 5;
    /** Idle seconds in a row that end the warm-up. */
    static final int IDLE_SECONDS = 3;
    /** Pause after a request that failed or was refused. */
    private static final long FAILED_PAUSE_MILLIS = 100;

    /** One request for a path: true if the app answered it without a server error. */
    interface Sender {
        boolean send(String path) throws InterruptedException;
    }

    private final Sender sender;
    private final List<String> paths;
    private final Duration limit;
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();

    Warmup(Sender sender, List<String> paths, Duration limit) {
        this.sender = sender;
        this.paths = List.copyOf(paths);
        this.limit = limit;
    }

    /** Whether the warm-up has ended (settled, timed out, stopped); true at once when there are no paths. */
    boolean done() {
        return paths.isEmpty() || done.get();
    }

    /** Starts warming up on virtual threads; {@link #done()} turns true when it ends. */
    void start() {
        if (paths.isEmpty()) {
            return;
        }
        Thread.ofVirtual().name("covet-warmup").start(this::run);
    }

    /** Stops sending (the server is stopping). */
    void stop() {
        stopping.set(true);
    }

    private void run() {
        long start = System.nanoTime();
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> senders = new java.util.ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int first = c;
            senders.add(Thread.ofVirtual().name("covet-warmup-" + c).start(() -> {
                for (int k = first; !stopping.get() && !done.get(); k++) {
                    try {
                        boolean ok;
                        try {
                            ok = sender.send(paths.get(k % paths.size()));
                        } catch (RuntimeException e) {
                            ok = false;   // refused (the queue full) or shutting down
                        }
                        (ok ? answered : failed).incrementAndGet();
                        if (!ok) {
                            Thread.sleep(FAILED_PAUSE_MILLIS);   // a failure can be instant: never spin
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        long previousAnswered = 0;
        long previousCompiling = JitCompiler.cpuNanos();
        long lastSecond = 0;
        int seconds = 0;
        int idle = 0;
        String why = "time limit";
        try {
            while (System.nanoTime() - start < limit.toNanos() && !stopping.get()) {
                Thread.sleep(1000);
                seconds++;
                long nowAnswered = answered.get();
                long nowCompiling = JitCompiler.cpuNanos();
                lastSecond = nowAnswered - previousAnswered;
                idle = lastSecond > 0 && JitCompiler.idle(nowCompiling - previousCompiling, 1) ? idle + 1 : 0;
                previousAnswered = nowAnswered;
                previousCompiling = nowCompiling;
                if (seconds >= MIN_SECONDS && idle >= IDLE_SECONDS) {
                    why = "the JIT compiler idle";
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done.set(true);
            senders.forEach(Thread::interrupt);
        }
        String summary = String.format(Locale.ROOT, "warm-up of %s done after %d s (%s): %d requests answered, %d failed, "
                + "%d req/s in its last second", paths, seconds, why, answered.get(), failed.get(), lastSecond);
        StartupTimeline.event(summary);
        if (failed.get() > 0) {
            LOG.warning(summary + "; check that every --warmup path answers a GET without error");
        }
    }
}
