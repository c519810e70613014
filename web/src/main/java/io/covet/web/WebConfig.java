package io.covet.web;

import io.covet.runtime.AppTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@code covet run} serves an app.
 *
 * @param app            the app: its file or module, the object's name in it, and its interface
 * @param host           address to listen on
 * @param port           port to listen on (0: any free port)
 * @param requestTimeout longest a handler may run; past it the request gets a 504 and its interpreter is replaced
 * @param maxBody        largest request body accepted, in bytes (larger: 413); bodies held at once are
 *                       bounded too ({@link #bodyBudget()})
 * @param debug          500 responses carry the handler's traceback (otherwise only the server log does)
 * @param accessLog      one log line per request
 * @param maxConnections connections served at once (more get a 503 and are closed); 0: as many as the
 *                       process's file descriptors allow, at most 10,000
 * @param idleTimeout    a connection with no request running (none sent yet, its head still arriving,
 *                       or kept alive after one) is closed after this long
 */
public record WebConfig(AppTarget app, String host, int port, Duration requestTimeout, long maxBody,
                        boolean debug, boolean accessLog, int maxConnections, Duration idleTimeout) {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_BODY = 10L * 1024 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(15);

    public WebConfig {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
        }
        if (maxBody < 0) {
            throw new IllegalArgumentException("max body must be >= 0 bytes, got " + maxBody);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max connections must be >= 1 (0: the default), got " + maxConnections);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive, got " + idleTimeout);
        }
    }

    /**
     * Bytes of request bodies the server holds at once, across all requests: eight of the largest
     * size, at least 64 MiB. A request whose declared length (or, chunked, the largest size) does
     * not fit gets a 503 before its body is read, so many concurrent uploads cannot fill the heap.
     */
    public int bodyBudget() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(64L << 20, 8 * maxBody));
    }

    /** Serves the app in {@code file} on 127.0.0.1:8000 with the defaults. */
    public static WebConfig of(Path file) {
        return of(AppTarget.file(file));
    }

    /** Serves {@code app} on 127.0.0.1:8000 with the defaults. */
    public static WebConfig of(AppTarget app) {
        return new WebConfig(app, "127.0.0.1", 8000, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_BODY, false, true, 0, DEFAULT_IDLE_TIMEOUT);
    }

    public WebConfig withPort(int port) {
        return new WebConfig(app, host, port, requestTimeout, maxBody, debug, accessLog, maxConnections, idleTimeout);
    }

    public WebConfig withRequestTimeout(Duration timeout) {
        return new WebConfig(app, host, port, timeout, maxBody, debug, accessLog, maxConnections, idleTimeout);
    }

    public WebConfig withMaxBody(long bytes) {
        return new WebConfig(app, host, port, requestTimeout, bytes, debug, accessLog, maxConnections, idleTimeout);
    }

    public WebConfig withDebug(boolean on) {
        return new WebConfig(app, host, port, requestTimeout, maxBody, on, accessLog, maxConnections, idleTimeout);
    }

    public WebConfig withAccessLog(boolean on) {
        return new WebConfig(app, host, port, requestTimeout, maxBody, debug, on, maxConnections, idleTimeout);
    }

    public WebConfig withMaxConnections(int connections) {
        return new WebConfig(app, host, port, requestTimeout, maxBody, debug, accessLog, connections, idleTimeout);
    }

    public WebConfig withIdleTimeout(Duration timeout) {
        return new WebConfig(app, host, port, requestTimeout, maxBody, debug, accessLog, maxConnections, timeout);
    }
}
