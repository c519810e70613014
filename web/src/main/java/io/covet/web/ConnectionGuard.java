package io.covet.web;

import io.helidon.common.socket.SocketOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Every connection the server holds, counted from the moment it is accepted: at most
 * {@code --max-connections} are served; those over it get a 503 for their first request (a few
 * more are held for that, then they are closed as they are accepted); a connection with no request
 * running is closed after {@code --idle-timeout} if it never sent a byte or is still sending its
 * first request's head, after {@code --keep-alive} once it has been answered (kept alive between
 * requests, or sending the next head); one whose request has gone the request timeout plus the
 * idle timeout without progress (a client that does not read its response) is closed too.
 *
 * <p>Why here: Helidon's own {@code maxTcpConnections} stops accepting (clients wait in the
 * kernel's backlog, with no answer), its idle timeout only sees connections that have sent their
 * first bytes and never cuts one whose request head is still arriving, and a failed
 * {@code accept()} (no file descriptor left) ends its listener for good. Helidon calls
 * {@link #configureSocket(SocketChannel)} for each accepted socket, which is where this counts;
 * the server's filter ({@link #enter}, {@link #exit}) says when a connection's request starts and
 * ends; {@link #sweep} runs on the server's timer.
 *
 * <p>The default cap keeps connections within the process's file descriptors, so that no number
 * of clients can make {@code accept()} fail.
 */
final class ConnectionGuard implements SocketOptions {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());
    /** Descriptors left for everything but connections (jars, Python's files, pipes), by default. */
    static final int DESCRIPTOR_RESERVE = 512;
    static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** How long a refused connection is held for its 503. */
    private static final long REFUSED_GRACE_NANOS = Duration.ofSeconds(1).toNanos();

    /** One accepted connection; {@code busySince} is 0 while no request of it runs. */
    static final class Connection {
        final SocketChannel channel;
        final boolean refused;
        volatile long idleSince;
        volatile long busySince;
        /** Some request of it has been answered: it idles under the keep-alive timeout from then on. */
        volatile boolean kept;

        Connection(SocketChannel channel, boolean refused, long now) {
            this.channel = channel;
            this.refused = refused;
            this.idleSince = now;
        }
    }

    private final SocketOptions delegate = SocketOptions.create();
    private final Map<SocketAddress, Connection> open = new ConcurrentHashMap<>();
    private final int maxConnections;
    private final int refusalSlots;
    private final long idleNanos;
    private final long keepAliveNanos;
    private final long busyNanos;
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicLong refusedTotal = new AtomicLong();
    private final AtomicLong cutOff = new AtomicLong();
    private volatile long lastPurge;

    ConnectionGuard(int maxConnections, Duration idleTimeout, Duration keepAlive, Duration requestTimeout) {
        this.maxConnections = maxConnections;
        this.refusalSlots = Math.max(16, maxConnections / 16);
        this.idleNanos = idleTimeout.toNanos();
        this.keepAliveNanos = keepAlive.toNanos();
        this.busyNanos = requestTimeout.plus(idleTimeout).toNanos();
    }

    /**
     * The cap for {@code asked} (0: the default), checked against the file descriptors this
     * process may still open.
     *
     * @throws IllegalArgumentException if {@code asked} needs more descriptors than the process has
     */
    static int maxConnections(int asked) {
        long room = descriptorsLeft();
        if (asked == 0) {
            long fit = room * 16 / 17 - DESCRIPTOR_RESERVE;   // refusal slots are a sixteenth more
            int cap = (int) Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, fit));
            if (cap < DEFAULT_MAX_CONNECTIONS) {
                LOG.warning("serving at most " + cap + " connections at once: the open-files limit (ulimit -n) allows "
                        + "no more; raise it to serve up to " + DEFAULT_MAX_CONNECTIONS);
            }
            return cap;
        }
        long needed = (long) asked + Math.max(16, asked / 16) + DESCRIPTOR_RESERVE;
        if (room != Long.MAX_VALUE && needed > room) {
            throw new IllegalArgumentException("--max-connections " + asked + " needs about " + needed
                    + " file descriptors, and this process may open only " + room + " more (ulimit -n): "
                    + "raise the limit or lower --max-connections");
        }
        return asked;
    }

    private static long descriptorsLeft() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    // ---- accepting -------------------------------------------------------------------------

    @Override
    public void configureSocket(SocketChannel channel) {
        delegate.configureSocket(channel);
        SocketAddress remote;
        try {
            remote = channel.getRemoteAddress();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);   // Helidon closes the socket
        }
        long now = System.nanoTime();
        if (served.get() >= maxConnections) {
            purgeClosed(now);
        }
        if (served.incrementAndGet() <= maxConnections) {
            track(remote, new Connection(channel, false, now));
            return;
        }
        served.decrementAndGet();
        refusedTotal.incrementAndGet();
        if (refused.incrementAndGet() > refusalSlots) {
            refused.decrementAndGet();
            // Helidon closes a socket whose configuration fails, and logs it at TRACE only.
            throw new IllegalStateException("over --max-connections " + maxConnections + " and its refusal slots");
        }
        track(remote, new Connection(channel, true, now));
    }

    private void track(SocketAddress remote, Connection c) {
        Connection before = open.put(remote, c);
        if (before != null) {
            // Closed, not yet swept (a live one could not have the same address); put removed it.
            (before.refused ? refused : served).decrementAndGet();
        }
    }

    /** Forgets connections that have closed; at most every 10 ms, since it visits them all. */
    private void purgeClosed(long now) {
        if (now - lastPurge < 10_000_000L) {
            return;
        }
        lastPurge = now;
        open.forEach((remote, c) -> {
            if (!c.channel.isOpen()) {
                forget(remote, c);
            }
        });
    }

    /** Stops counting {@code c}, once, whoever else tries to. */
    private void forget(SocketAddress remote, Connection c) {
        if (open.remove(remote, c)) {
            (c.refused ? refused : served).decrementAndGet();
        }
    }

    // ---- requests --------------------------------------------------------------------------

    /**
     * A request of the connection from {@code remote} starts.
     *
     * @return the connection (null if not tracked, e.g. accepted before the server started counting)
     */
    Connection enter(SocketAddress remote) {
        Connection c = open.get(remote);
        if (c != null) {
            c.busySince = System.nanoTime();
        }
        return c;
    }

    void exit(Connection c) {
        if (c != null) {
            c.idleSince = System.nanoTime();
            c.kept = true;
            c.busySince = 0;
        }
    }

    /**
     * The request of the connection from {@code remote} made progress (a part of a streamed response
     * written, of a body read): it is not stuck, however long it has run.
     */
    void progress(SocketAddress remote) {
        Connection c = open.get(remote);
        if (c != null && c.busySince != 0) {
            c.busySince = System.nanoTime();
        }
    }

    int maxConnections() {
        return maxConnections;
    }

    // ---- sweeping --------------------------------------------------------------------------

    /** Closes idle, refused-and-answered and stuck connections; forgets closed ones. */
    void sweep() {
        long now = System.nanoTime();
        lastPurge = now;
        open.forEach((remote, c) -> {
            if (c.channel.isOpen()) {
                long busy = c.busySince;
                boolean close = busy == 0
                        ? now - c.idleSince > (c.refused ? REFUSED_GRACE_NANOS : c.kept ? keepAliveNanos : idleNanos)
                        : now - busy > busyNanos;
                if (!close) {
                    return;
                }
                if (!c.refused) {
                    cutOff.incrementAndGet();
                }
                try {
                    // Its reading thread (Helidon's) gets an AsynchronousCloseException and ends.
                    c.channel.close();
                } catch (IOException e) {
                    LOG.fine(() -> "closing an idle connection: " + e);
                }
            }
            forget(remote, c);
        });
    }

    /** Connections held now (served and refused), for the metrics. */
    int openConnections() {
        return served.get() + refused.get();
    }

    long refusedTotal() {
        return refusedTotal.get();
    }

    /** Connections closed for idling past the idle timeout or for not reading their response. */
    long cutOffTotal() {
        return cutOff.get();
    }

    // ---- the rest of Helidon's socket options, as its defaults ------------------------------

    @Override
    public void configureSocket(Socket socket) {
        delegate.configureSocket(socket);
    }

    @Override
    public Map<SocketOption<?>, Object> socketOptions() {
        return delegate.socketOptions();
    }

    @Override
    public Duration connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Duration readTimeout() {
        return delegate.readTimeout();
    }

    @Override
    public Optional<Integer> socketReceiveBufferSize() {
        return delegate.socketReceiveBufferSize();
    }

    @Override
    public Optional<Integer> socketSendBufferSize() {
        return delegate.socketSendBufferSize();
    }

    @Override
    public boolean socketReuseAddress() {
        return delegate.socketReuseAddress();
    }

    @Override
    public boolean socketKeepAlive() {
        return delegate.socketKeepAlive();
    }

    @Override
    public boolean tcpNoDelay() {
        return delegate.tcpNoDelay();
    }
}
