package io.covet.web;

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
 * {@code /readyz} says ready meets compiled code. It stops when three seconds in a row agree
 * within {@link #SETTLED} (after at least {@link #MIN_SECONDS}) or at the time limit, whichever
 * comes first. Clients are served meanwhile, only slower.
 */
final class Warmup {

    private static final Logger LOG = Logger.getLogger(Warmup.class.getName());
    /** Requests in flight at once: enough to keep every interpreter busy on a small machine. */
    static final int CONNECTIONS = 8;
    /** Seconds that must pass before throughput counts as settled. */
    static final int MIN_SECONDS = 5;
    /** How close three seconds in a row must be to count as settled. */
    static final double SETTLED = 0.10;

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
                        (sender.send(paths.get(k % paths.size())) ? answered : failed).incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();   // refused (the queue full) or shutting down: try the next
                    }
                }
            }));
        }
        double[] last = new double[3];
        long previous = 0;
        int seconds = 0;
        String why = "time limit";
        try {
            while (System.nanoTime() - start < limit.toNanos() && !stopping.get()) {
                Thread.sleep(1000);
                seconds++;
                long now = answered.get();
                last[seconds % 3] = now - previous;
                previous = now;
                if (seconds >= Math.max(MIN_SECONDS, 3) && settled(last)) {
                    why = "throughput settled";
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
                + "%.0f req/s in its last second", paths, seconds, why, answered.get(), failed.get(), last[seconds % 3]);
        StartupTimeline.event(summary);
        if (failed.get() > 0) {
            LOG.warning(summary + "; check that every --warmup path answers a GET without error");
        }
    }

    /** Three seconds in a row within {@link #SETTLED} of their mean, and some requests answered. */
    static boolean settled(double[] last) {
        double mean = (last[0] + last[1] + last[2]) / 3;
        if (mean <= 0) {
            return false;
        }
        for (double v : last) {
            if (Math.abs(v - mean) > SETTLED * mean) {
                return false;
            }
        }
        return true;
    }
}
