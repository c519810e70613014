package io.covet.database;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns at a pool's connections: at most {@code size} holders, the others waiting first come, first
 * served. A holder that is about to give its connection back (its last round trip has begun:
 * COMMIT, ROLLBACK, an autocommit statement) says so with {@link #endingSoon}, which wakes the next
 * waiter early: it gets the core while the holder waits on the database, and it is running when
 * the connection comes free, instead of being woken then (tens of microseconds on a busy machine,
 * while the one connection idles: the interpreters take turns on it under load). The giver then
 * yields to it once (see {@link #leave}).
 *
 * <p>HikariCP's own wait wakes the waiter only at the give-back, and its giver yields until the
 * parked waiter has taken the connection (40-60 µs of the giver's under load); each wait also asks
 * the pool's thread to consider opening another connection. With every borrow passing here
 * first, HikariCP always has a connection free when asked (or opens one, up to the same size).
 */
final class Turnstile {

    /** How long a waiter woken early keeps looking for its turn (yielding the core meanwhile) before it parks again. */
    private static final long EARLY_WAKE_NANOS = TimeUnit.MICROSECONDS.toNanos(300);

    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        volatile boolean granted;
        volatile boolean wokenEarly;
        /** Woken early, it is yielding the core in a loop until its turn comes. */
        volatile boolean looking;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int free;

    Turnstile(int size) {
        this.free = size;
    }

    /**
     * A turn, waiting up to {@code nanos} for one: false when none came in time. Each successful
     * call must be paired with one {@link #leave}.
     */
    boolean enter(long nanos) throws InterruptedException {
        Waiter w;
        lock.lock();
        try {
            if (free > 0 && waiting.isEmpty()) {
                free--;
                return true;
            }
            w = new Waiter();
            waiting.addLast(w);
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + nanos;
        while (!w.granted) {
            boolean interrupted = Thread.interrupted();
            if (interrupted || deadline - System.nanoTime() <= 0) {
                boolean mine;
                lock.lock();
                try {
                    mine = w.granted;   // granted meanwhile: the turn is ours
                    if (!mine) {
                        waiting.remove(w);
                    }
                } finally {
                    lock.unlock();
                }
                if (interrupted) {
                    if (mine) {
                        leave();
                    }
                    throw new InterruptedException("interrupted while waiting for a database connection");
                }
                return mine;
            }
            if (w.wokenEarly) {
                w.wokenEarly = false;
                long until = Math.min(deadline, System.nanoTime() + EARLY_WAKE_NANOS);
                w.looking = true;
                while (!w.granted && System.nanoTime() < until) {
                    Thread.yield();
                }
                w.looking = false;
            } else {
                LockSupport.parkNanos(this, deadline - System.nanoTime());
            }
        }
        return true;
    }

    /**
     * Ends a turn: the longest waiter has it next, else it is free. A next holder that is looking
     * for its turn (woken early) gets the giver's core at once: the giver yields once, instead of
     * the waiter finding its turn only when whatever took the core after its last yield lets go.
     */
    void leave() {
        Waiter next;
        lock.lock();
        try {
            next = waiting.pollFirst();
            if (next == null) {
                free++;
                return;
            }
            next.granted = true;
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(next.thread);
        if (next.looking) {
            Thread.yield();
        }
    }

    /** A holder is about to {@link #leave}: the next waiter wakes now, to be running when its turn comes. */
    void endingSoon() {
        Waiter next;
        lock.lock();
        try {
            next = waiting.peekFirst();
            if (next == null || next.wokenEarly) {
                return;
            }
            next.wokenEarly = true;
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(next.thread);
    }

    /** Borrowers waiting for a turn now. */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }
}
