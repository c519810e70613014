package io.covet.web;

import io.covet.runtime.AppTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@code covet run} serves an app.
 *
 * @param app             the app: its file or module, the object's name in it, and its interface
 * @param host            address to listen on
 * @param port            port to listen on (0: any free port)
 * @param requestTimeout  longest a handler may run; past it the request gets a 504 and its interpreter is replaced
 * @param maxBody         largest request body accepted, in bytes (larger: 413); bodies held at once are
 *                        bounded too ({@link #bodyBudget()})
 * @param debug           500 responses carry the handler's traceback (otherwise only the server log does)
 * @param accessLog       one log line per request
 * @param maxConnections  connections served at once (more get a 503 and are closed); 0: as many as the
 *                        process's file descriptors allow, at most 10,000
 * @param idleTimeout     a connection that has not yet sent a whole request (none sent, or its head still
 *                        arriving) is closed after this long
 * @param keepAlive       a connection kept open after its last response is closed after this long idle
 * @param gracefulTimeout on stop, how long in-flight requests may take to finish
 * @param tls             serve HTTPS with these PEM files; null for plain HTTP
 * @param forwarded       whose X-Forwarded-For/-Proto headers set the client and scheme the app sees
 * @param rootPath        the path prefix the app is mounted under behind a proxy (WSGI's SCRIPT_NAME,
 *                        ASGI's root_path): "" or "/prefix" without a trailing slash
 * @param readyInterpreters how many interpreters must serve for {@code /readyz} to say ready (0: all of
 *                        them); the server answers as soon as one has the app loaded
 * @param warmupPaths     GET paths (with a query, if any) run right after the server listens until
 *                        the JIT compiler is idle, before /readyz says ready ({@link Warmup}); empty: none
 * @param warmupTime      the longest the warm-up may take
 */
public record WebConfig(AppTarget app, String host, int port, Duration requestTimeout, long maxBody,
                        boolean debug, boolean accessLog, int maxConnections, Duration idleTimeout,
                        Duration keepAlive, Duration gracefulTimeout, TlsFiles tls, ForwardedHeaders forwarded,
                        String rootPath, int readyInterpreters, List<String> warmupPaths, Duration warmupTime) {

    /** Longest {@code --warmup} runs by default. */
    public static final Duration DEFAULT_WARMUP_TIME = Duration.ofSeconds(60);

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_BODY = 10L * 1024 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_GRACEFUL_TIMEOUT = Duration.ofSeconds(30);

    public WebConfig {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(forwarded, "forwarded");
        Objects.requireNonNull(rootPath, "rootPath");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        positive("request timeout", requestTimeout);
        if (maxBody < 0) {
            throw new IllegalArgumentException("max body must be >= 0 bytes, got " + maxBody);
        }
        warmupPaths = List.copyOf(warmupPaths);
        for (String path : warmupPaths) {
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == '#')) {
                throw new IllegalArgumentException("a warm-up path must start with '/' and have no spaces, control characters "
                        + "or '#' (like /items/7?q=x), got '" + path + "'");
            }
        }
        positive("warm-up time", warmupTime);
        if (readyInterpreters < 0) {
            throw new IllegalArgumentException("ready interpreters must be >= 1 (0: all of them), got " + readyInterpreters);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max connections must be >= 1 (0: the default), got " + maxConnections);
        }
        positive("idle timeout", idleTimeout);
        positive("keep-alive timeout", keepAlive);
        if (gracefulTimeout == null || gracefulTimeout.isNegative()) {
            throw new IllegalArgumentException("graceful timeout must be >= 0, got " + gracefulTimeout);
        }
        if (!rootPath.isEmpty() && (!rootPath.startsWith("/") || rootPath.endsWith("/")
                || rootPath.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '?' || c == '#'))) {
            throw new IllegalArgumentException("root path must start with '/' and not end with one, without spaces, "
                    + "control characters, '?' or '#' (like /api), got '" + rootPath + "'");
        }
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
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

    /** "https" with TLS, else "http": the scheme of requests no trusted proxy says otherwise of. */
    public String scheme() {
        return tls == null ? "http" : "https";
    }

    /** Serves the app in {@code file} on 127.0.0.1:8000 with the defaults. */
    public static WebConfig of(Path file) {
        return of(AppTarget.file(file));
    }

    /** Serves {@code app} on 127.0.0.1:8000 with the defaults. */
    public static WebConfig of(AppTarget app) {
        return new WebConfig(app, "127.0.0.1", 8000, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_BODY, false, true, 0,
                DEFAULT_IDLE_TIMEOUT, DEFAULT_KEEP_ALIVE, DEFAULT_GRACEFUL_TIMEOUT, null, ForwardedHeaders.NONE, "", 0, List.of(), DEFAULT_WARMUP_TIME);
    }

    public WebConfig withHost(String host) {
        return copy().host(host).build();
    }

    public WebConfig withPort(int port) {
        return copy().port(port).build();
    }

    public WebConfig withRequestTimeout(Duration timeout) {
        return copy().requestTimeout(timeout).build();
    }

    public WebConfig withMaxBody(long bytes) {
        return copy().maxBody(bytes).build();
    }

    public WebConfig withDebug(boolean on) {
        return copy().debug(on).build();
    }

    public WebConfig withAccessLog(boolean on) {
        return copy().accessLog(on).build();
    }

    public WebConfig withMaxConnections(int connections) {
        return copy().maxConnections(connections).build();
    }

    public WebConfig withIdleTimeout(Duration timeout) {
        return copy().idleTimeout(timeout).build();
    }

    public WebConfig withKeepAlive(Duration timeout) {
        return copy().keepAlive(timeout).build();
    }

    public WebConfig withGracefulTimeout(Duration timeout) {
        return copy().gracefulTimeout(timeout).build();
    }

    public WebConfig withTls(TlsFiles files) {
        return copy().tls(files).build();
    }

    public WebConfig withForwarded(ForwardedHeaders trusted) {
        return copy().forwarded(trusted).build();
    }

    public WebConfig withRootPath(String path) {
        return copy().rootPath(path).build();
    }

    public WebConfig withReadyInterpreters(int count) {
        return copy().readyInterpreters(count).build();
    }

    public WebConfig withWarmup(List<String> paths, Duration limit) {
        return copy().warmup(paths, limit).build();
    }

    private Copy copy() {
        return new Copy(this);
    }

    /** A mutable copy for the with-methods: each changes one field and builds (and checks) a new config. */
    private static final class Copy {
        private AppTarget app;
        private String host;
        private int port;
        private Duration requestTimeout;
        private long maxBody;
        private boolean debug;
        private boolean accessLog;
        private int maxConnections;
        private Duration idleTimeout;
        private Duration keepAlive;
        private Duration gracefulTimeout;
        private TlsFiles tls;
        private ForwardedHeaders forwarded;
        private String rootPath;
        private int readyInterpreters;
        private List<String> warmupPaths;
        private Duration warmupTime;

        Copy(WebConfig c) {
            app = c.app;
            host = c.host;
            port = c.port;
            requestTimeout = c.requestTimeout;
            maxBody = c.maxBody;
            debug = c.debug;
            accessLog = c.accessLog;
            maxConnections = c.maxConnections;
            idleTimeout = c.idleTimeout;
            keepAlive = c.keepAlive;
            gracefulTimeout = c.gracefulTimeout;
            tls = c.tls;
            forwarded = c.forwarded;
            rootPath = c.rootPath;
            readyInterpreters = c.readyInterpreters;
            warmupPaths = c.warmupPaths;
            warmupTime = c.warmupTime;
        }

        Copy host(String v) { host = v; return this; }
        Copy port(int v) { port = v; return this; }
        Copy requestTimeout(Duration v) { requestTimeout = v; return this; }
        Copy maxBody(long v) { maxBody = v; return this; }
        Copy debug(boolean v) { debug = v; return this; }
        Copy accessLog(boolean v) { accessLog = v; return this; }
        Copy maxConnections(int v) { maxConnections = v; return this; }
        Copy idleTimeout(Duration v) { idleTimeout = v; return this; }
        Copy keepAlive(Duration v) { keepAlive = v; return this; }
        Copy gracefulTimeout(Duration v) { gracefulTimeout = v; return this; }
        Copy tls(TlsFiles v) { tls = v; return this; }
        Copy forwarded(ForwardedHeaders v) { forwarded = v; return this; }
        Copy rootPath(String v) { rootPath = v; return this; }
        Copy readyInterpreters(int v) { readyInterpreters = v; return this; }
        Copy warmup(List<String> paths, Duration limit) { warmupPaths = paths; warmupTime = limit; return this; }

        WebConfig build() {
            return new WebConfig(app, host, port, requestTimeout, maxBody, debug, accessLog, maxConnections, idleTimeout,
                    keepAlive, gracefulTimeout, tls, forwarded, rootPath, readyInterpreters, warmupPaths, warmupTime);
        }
    }
}
