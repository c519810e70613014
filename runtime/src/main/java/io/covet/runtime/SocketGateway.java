package io.covet.runtime;

import io.covet.interpreters.HostError;
import io.covet.interpreters.InterpreterSession;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Python's own TCP sockets in the sandbox ({@code covet._sockets}, what {@code socket.socket} is
 * there): the connections are Java's, opened only to the addresses {@code --allow-net} names, so
 * the check cannot be bypassed from Python (the interpreters themselves have no socket access).
 * Calls block the calling interpreter, as a socket does in CPython; every wait (a send to a peer
 * that stopped reading included) is cut at the socket's timeout and the running task's deadline,
 * so a handler stuck on a silent peer ends as its deadline says.
 */
final class SocketGateway implements AutoCloseable {

    /**
     * One open connection and the interpreter that opened it, by its number (only it may use it;
     * the number, not the session, so that a replaced interpreter is not kept alive by it).
     */
    private record Connection(int owner, Socket socket, PushbackInputStream in) {
    }

    private final AllowedHosts allowed;
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Closes a socket whose send has run past its limit (writes have no timeout of their own). */
    private final ScheduledExecutorService sendLimits = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("covet-socket-send-limits").factory());

    SocketGateway(AllowedHosts allowed) {
        this.allowed = allowed;
    }

    /**
     * {@code connect(host, port, timeout_seconds or None)}: a TCP connection to an allowed
     * address; its handle.
     */
    long connect(InterpreterSession s, String host, long port, Double timeout) {
        if (port < 1 || port > 65535) {
            throw new HostError("OverflowError", "connect(): port must be 1-65535, got " + port);
        }
        if (!allowed.allows(host, (int) port)) {
            throw allowed.denied((host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port, "");
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, (int) port), waitMillis(s, timeout));
            socket.setTcpNoDelay(true);
            long id = ids.incrementAndGet();
            connections.put(id, new Connection(s.id(), socket, new PushbackInputStream(socket.getInputStream(), 1)));
            return id;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw failure(e, "connect to " + host + ":" + port);
        }
    }

    /**
     * {@code send(handle, data, timeout_seconds or None)}: writes all of {@code data} (a socket's
     * sendall). Past the timeout or the task's deadline the socket is closed, which ends the write,
     * and the call raises TimeoutError (as in CPython, the socket is of no further use then).
     */
    void send(InterpreterSession s, long id, byte[] data, Double timeout) {
        Connection c = connection(s, id);
        int limit = waitMillis(s, timeout);
        ScheduledFuture<?> cut = limit == 0 ? null : sendLimits.schedule(() -> closeQuietly(c.socket()), limit, TimeUnit.MILLISECONDS);
        try {
            c.socket().getOutputStream().write(data);
        } catch (IOException e) {
            if (cut != null && cut.isDone()) {
                connections.remove(id);
                throw new HostError("TimeoutError", "timed out");
            }
            throw failure(e, "send");
        } finally {
            if (cut != null) {
                cut.cancel(false);
            }
        }
    }

    /**
     * {@code recv(handle, max_bytes, timeout_seconds or None)}: up to {@code max_bytes} as they
     * arrive (at least one, or none at the end of the stream).
     */
    byte[] recv(InterpreterSession s, long id, int max, Double timeout) {
        Connection c = connection(s, id);
        if (max < 0) {
            throw new HostError("ValueError", "negative buffersize in recv");
        }
        try {
            c.socket().setSoTimeout(waitMillis(s, timeout));
            byte[] buffer = new byte[Math.min(Math.max(max, 1), 1 << 20)];
            // What has arrived, if anything has: a read for more would block, and a byte select()
            // peeked at (pushed back) would be lost to a timeout.
            int ready = c.in().available();
            int n = max == 0 ? 0 : c.in().read(buffer, 0, ready > 0 ? Math.min(ready, buffer.length) : buffer.length);
            return n <= 0 ? new byte[0] : Arrays.copyOf(buffer, n);
        } catch (IOException e) {
            throw failure(e, "recv");
        }
    }

    /**
     * {@code readable(handle, timeout_seconds)}: whether a recv would return now (data, or the end
     * of the stream), waiting up to the timeout: what select() asks of a socket.
     */
    boolean readable(InterpreterSession s, long id, double timeout) {
        Connection c = connection(s, id);
        try {
            if (c.in().available() > 0) {
                return true;
            }
            c.socket().setSoTimeout(waitMillis(s, Math.max(timeout, 0.001)));
            int b = c.in().read();
            if (b >= 0) {
                c.in().unread(b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;  // the recv that follows raises it
        }
    }

    /** {@code shutdown(handle, how)}: 0 stops reading, 1 writing, 2 both, as socket.shutdown. */
    void shutdown(InterpreterSession s, long id, int how) {
        Socket socket = connection(s, id).socket();
        try {
            if (how == 0 || how == 2) {
                socket.shutdownInput();
            }
            if (how == 1 || how == 2) {
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            throw failure(e, "shutdown");
        }
    }

    /** {@code addresses(handle)}: [local host, local port, peer host, peer port]. */
    List<Object> addresses(InterpreterSession s, long id) {
        Socket socket = connection(s, id).socket();
        return List.of(socket.getLocalAddress().getHostAddress(), socket.getLocalPort(),
                socket.getInetAddress().getHostAddress(), socket.getPort());
    }

    /** {@code close(handle)}: closes the connection; closing one already closed does nothing. */
    void close(InterpreterSession s, long id) {
        Connection c = connections.get(id);
        if (c != null && c.owner() == s.id()) {
            connections.remove(id);
            closeQuietly(c.socket());
        }
    }

    /** Connections left open: what {@link #close()} would close. */
    int open() {
        return connections.size();
    }

    /** Closes every connection (the runtime is closing). */
    @Override
    public void close() {
        sendLimits.shutdownNow();
        connections.values().forEach(c -> closeQuietly(c.socket()));
        connections.clear();
    }

    private Connection connection(InterpreterSession s, long id) {
        Connection c = connections.get(id);
        if (c == null || c.owner() != s.id()) {
            throw new HostError("OSError", "[Errno 9] Bad file descriptor (the socket is closed)");
        }
        return c;
    }

    /**
     * The longest a call may wait: the socket's timeout ({@code null}: none), cut at the running
     * task's deadline; 0 means no limit, as Socket takes it.
     */
    private static int waitMillis(InterpreterSession s, Double timeout) {
        Optional<Duration> left = s.remaining();
        long millis = timeout == null ? 0 : Math.max(1, (long) Math.ceil(timeout * 1000));
        if (left.isPresent()) {
            long deadline = left.get().toMillis();
            if (deadline <= 0) {
                throw new HostError("TimeoutError", "timed out (the task's deadline has passed)");
            }
            millis = millis == 0 ? deadline : Math.min(millis, deadline);
        }
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    /** A socket failure as the OSError subclass CPython would raise. */
    private static HostError failure(Exception e, String what) {
        return switch (e) {
            case SocketTimeoutException x -> new HostError("TimeoutError", "timed out");
            case ConnectException x -> new HostError("ConnectionRefusedError", "[Errno 111] Connection refused (" + what + ")");
            case NoRouteToHostException x -> new HostError("OSError", "[Errno 113] No route to host (" + what + ")");
            case UnknownHostException x -> new HostError("gaierror", "[Errno -2] Name or service not known: " + x.getMessage());
            case SocketException x when String.valueOf(x.getMessage()).contains("reset") ->
                    new HostError("ConnectionResetError", "[Errno 104] Connection reset by peer (" + what + ")");
            case SocketException x when String.valueOf(x.getMessage()).contains("Broken pipe") ->
                    new HostError("BrokenPipeError", "[Errno 32] Broken pipe (" + what + ")");
            case IllegalArgumentException x -> new HostError("ValueError", what + ": " + x.getMessage());
            default -> new HostError("OSError", what + " failed: " + e.getMessage());
        };
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }
}
