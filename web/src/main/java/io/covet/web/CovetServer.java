package io.covet.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.covet.runtime.PerformanceManager;
import io.covet.runtime.RuntimeMetrics;
import io.covet.runtime.WebApp;
import io.covet.runtime.WebExchange;
import io.covet.tasks.ClosedException;
import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.OverloadedException;
import io.covet.tasks.TaskAbortedException;
import io.covet.tasks.TaskThreads;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Header;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves a CovetPy-style Python app with Helidon SE: {@code covet run app.py}.
 *
 * <p>Start-up loads the app into every interpreter of the runtime ({@link WebApp}) and reads its
 * route table. Each request then runs on a virtual thread: the route is matched here (404, 405),
 * the body read under its limit (413), and {@link WebApp#handle} runs the handler in an interpreter
 * under the request timeout (504: it was stopped) or turns it away when the queue is full (503).
 * Handler errors are 500s with the traceback in the log. Connections are counted, capped and
 * timed out when idle by {@link ConnectionGuard}. Every request gets a response, every
 * error the same JSON body ({@link #error}), unless its client went away first (then the handler
 * still finishes under its timeout, and nothing is sent).
 */
public final class CovetServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CovetServer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";
    /** A request body up to this size is read whole before its handler runs (most are): a slow upload holds no interpreter. */
    static final int BUFFERED_BODY = 1 << 20;
    /** The most of a larger body read at once, as its handler asks for it. */
    static final int PART = 64 << 10;
    /** How often idle connections are looked for: the idle timeout is kept to within this. */
    private static final long SWEEP_MILLIS = 250;
    /** Bound while a HEAD request is served: what the server writes for it has headers only. */
    private static final ScopedValue<Boolean> HEAD = ScopedValue.newInstance();
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    /** The app and its routes, read once per request: {@link #reloaded} swaps both at once. */
    private volatile Served served;
    /** {@code --warmup}: /readyz waits for it. */
    private final Warmup warmup;
    private final WebConfig config;
    private final WebMetrics metrics;
    private final WebServer server;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Bytes of request bodies that may be held at once ({@link WebConfig#bodyBudget()}). */
    private final Semaphore bodyBudget;
    /** Counts, caps and times out connections ({@link ConnectionGuard}). */
    private final ConnectionGuard connections;
    /**
     * Cuts off request bodies still arriving at the request timeout ({@link BodyReader}) and sweeps
     * idle connections ({@link ConnectionGuard#sweep}).
     */
    private final ScheduledThreadPoolExecutor timer;
    private final Object drained = new Object();
    private volatile boolean draining;
    private boolean stopped;

    private CovetServer(PerformanceManager runtime, WebApp app, WebConfig config) {
        this.served = new Served(app, RouteTable.of(app.routes()));
        this.config = config;
        for (String path : config.warmupPaths()) {
            int query = path.indexOf('?');
            if (!(served.routes().match("GET", query < 0 ? path : path.substring(0, query)) instanceof RouteTable.Match.Found)) {
                throw new IllegalArgumentException("--warmup " + path + ": the app has no GET route for it");
            }
        }
        this.metrics = new WebMetrics(runtime);
        this.bodyBudget = new Semaphore(config.bodyBudget());
        this.connections = new ConnectionGuard(ConnectionGuard.maxConnections(config.maxConnections()),
                config.idleTimeout(), config.keepAlive(), config.requestTimeout());
        metrics.connections(connections);
        this.timer = new ScheduledThreadPoolExecutor(1, TaskThreads.platform("covet-web-timer", true));
        timer.setRemoveOnCancelPolicy(true);
        var builder = WebServer.builder()
                // Only the features asked for here (Helidon would otherwise load any on the class path).
                .featuresDiscoverServices(false)
                .host(config.host())
                .port(config.port())
                .connectionOptions(connections)
                .routing(r -> r
                        .addFilter(this::admitConnection)
                        .get("/healthz", (req, res) -> health(res))
                        .head("/healthz", (req, res) -> health(res))
                        .get("/readyz", (req, res) -> readiness(res))
                        .head("/readyz", (req, res) -> readiness(res))
                        .get("/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE,
                                "text/plain; version=0.0.4; charset=utf-8").send(metrics.scrape()))
                        .any(this::handle));
        if (config.accessLog()) {
            builder.addFeature(AccessLogFeature.builder().commonLogFormat().build());
        }
        if (config.tls() != null) {
            builder.tls(config.tls().load());   // covet run checks the files before its interpreters start
        }
        WebServer started;
        try {
            started = builder.build().start();
        } catch (RuntimeException e) {
            metrics.close();
            timer.shutdownNow();
            throw new IllegalStateException("can't listen on " + config.host() + ":" + config.port() + ": "
                    + rootMessage(e), e);
        }
        if (!started.isRunning() || started.port() < 0) {
            // Helidon logs a listener that failed to bind (address in use) and returns a server that is not running.
            started.stop();
            metrics.close();
            timer.shutdownNow();
            throw new IllegalStateException("can't listen on " + config.host() + ":" + config.port()
                    + " (is another server on that port? the log above says why)");
        }
        this.server = started;
        this.warmup = new Warmup(this::warmupRequest, config.warmupPaths(), config.warmupTime());
        warmup.start();
        timer.scheduleWithFixedDelay(connections::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Loads the app into every interpreter of {@code runtime}, then starts listening.
     *
     * @throws WebApp.LoadException if the app cannot be loaded or its startup hooks fail (with the
     *                              Python traceback), or declares no route
     * @throws IllegalArgumentException if the TLS files cannot be used, a --warmup path matches no GET route,
     *                                  or --max-connections needs more
     *                                  file descriptors than the process may open
     * @throws IllegalStateException    if the server cannot listen
     */
    public static CovetServer start(PerformanceManager runtime, WebConfig config) {
        return new CovetServer(runtime, runtime.loadWebApp(config.app(), config.debug(), config.rootPath()), config);
    }

    /** The port the server listens on (useful with port 0). */
    public int port() {
        return server.port();
    }

    public String host() {
        return config.host();
    }

    /**
     * Serves {@code app} from now on (its new code, loaded by {@link WebApp#reload}): requests
     * matched from now use its routes. One that was matched a moment before may still reach the
     * new code by its old route's number: reloading is for development.
     */
    public void reloaded(WebApp app) {
        served = new Served(app, RouteTable.of(app.routes()));
    }

    /** The app being served (after a reload, its newest code). */
    public WebApp app() {
        return served.app();
    }

    /** The app and its route table, swapped together. */
    private record Served(WebApp app, RouteTable routes) {
    }

    /** The app's routes, as "METHODS pattern" lines, for the start-up message. */
    public List<String> describeRoutes() {
        return served.routes().routes().stream().map(r -> String.join(",", new java.util.TreeSet<>(r.methods())) + " " + r.pattern()).toList();
    }

    // ---- requests ---------------------------------------------------------------------------

    /** Every request, health checks too: its connection is busy meanwhile; one over the cap gets a 503. */
    private void admitConnection(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        ConnectionGuard.Connection c = connections.enter(req.remotePeer().address());
        try {
            if (c != null && c.refused) {
                res.header(HeaderNames.RETRY_AFTER, "1");
                res.header(HeaderNames.CONNECTION, "close");
                error(res, 503, "the server has too many connections open (--max-connections "
                        + connections.maxConnections() + "); retry later", Map.of());
                return;
            }
            if (req.prologue().method() == Method.HEAD) {
                ScopedValue.where(HEAD, Boolean.TRUE).run(chain::proceed);
            } else {
                chain.proceed();
            }
        } finally {
            connections.exit(c);
        }
    }

    private void health(ServerResponse res) {
        RuntimeMetrics.Interpreters pool = served.app().interpreters();
        boolean ok = !draining && pool.ready() > 0;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", draining ? "draining" : ok ? "ok" : "unavailable");
        Map<String, Object> interpreters = new LinkedHashMap<>();
        interpreters.put("size", pool.size());
        interpreters.put("ready", pool.ready());
        interpreters.put("starting", pool.starting());
        interpreters.put("busy", pool.busy());
        interpreters.put("in_flight", pool.inFlight());
        body.put("interpreters", interpreters);
        sendJson(res, ok ? 200 : 503, body);
    }

    /**
     * {@code /readyz}, for a load balancer: 200 once the configured number of interpreters
     * ({@code --ready-interpreters}, by default all) serve the app, 503 before that, while fewer
     * do (some being replaced), and while draining. {@code /healthz} is 200 as soon as one serves.
     */
    private void readiness(ServerResponse res) {
        RuntimeMetrics.Interpreters pool = served.app().interpreters();
        int needed = config.readyInterpreters() == 0 ? pool.size() : Math.min(config.readyInterpreters(), pool.size());
        boolean warm = warmup.done();
        boolean ready = !draining && warm && pool.ready() >= needed;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", draining ? "draining" : ready ? "ready" : warm ? "starting" : "warming up");
        body.put("ready", pool.ready());
        body.put("needed", needed);
        sendJson(res, ready ? 200 : 503, body);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        String method = req.prologue().method().text();
        String route = "UNMATCHED";
        int status = 500;
        inFlight.incrementAndGet();
        try {
            if (draining) {
                res.header(HeaderNames.CONNECTION, "close");
                status = error(res, 503, "the server is shutting down", Map.of());
                return;
            }
            String path = belowRoot(req.path().rawPath());
            Served now = served;
            RouteTable.Match match = now.routes().match(method, path);
            switch (match) {
                case RouteTable.Match.NotFound nf -> {
                    route = "NOT_FOUND";
                    status = error(res, 404, "no route for " + method + " " + path, Map.of());
                }
                case RouteTable.Match.WrongMethod wm -> {
                    route = "METHOD_NOT_ALLOWED";
                    res.header(HeaderNames.ALLOW, String.join(", ", wm.allowed()));
                    status = method.equals("OPTIONS") ? noContent(res)
                            : error(res, 405, "method " + method + " is not allowed for " + path
                                    + "; allowed: " + String.join(", ", wm.allowed()), Map.of());
                }
                case RouteTable.Match.Found found -> {
                    route = found.route().pattern();
                    status = runHandler(now.app(), req, res, method, path, found);
                }
            }
        } catch (CloseConnectionException e) {
            throw e;   // a response cut off mid-stream: Helidon closes the connection
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "internal error serving " + method + " " + req.path().rawPath(), e);
            if (!res.isSent()) {
                status = error(res, 500, "internal server error", Map.of());
            }
        } finally {
            metrics.request(route, METHODS.contains(method) ? method : "OTHER", status, System.nanoTime() - start);
            if (inFlight.decrementAndGet() == 0 && draining) {
                synchronized (drained) {
                    drained.notifyAll();
                }
            }
        }
    }

    /**
     * The path below {@code --root-path} when it starts with it ("/" for the root itself), else
     * as it came (a proxy in front already took the prefix off).
     */
    private String belowRoot(String path) {
        String root = config.rootPath();
        if (root.isEmpty() || !path.startsWith(root)) {
            return path;
        }
        if (path.length() == root.length()) {
            return "/";
        }
        return path.charAt(root.length()) == '/' ? path.substring(root.length()) : path;
    }

    private int runHandler(WebApp app, ServerRequest req, ServerResponse res, String method, String path, RouteTable.Match.Found found) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > config.maxBody()) {
            res.header(HeaderNames.CONNECTION, "close");
            return error(res, 413, tooLarge(), Map.of());
        }
        // Turned away before the body is read: a refusal costs the client no upload, the server no heap.
        boolean hasBody = declared > 0 || (declared < 0 && req.content().hasEntity());
        if (app.wouldRefuse()) {
            res.header(HeaderNames.RETRY_AFTER, "1");
            if (hasBody) {
                res.header(HeaderNames.CONNECTION, "close");
            }
            return error(res, 503, "the server is busy (every interpreter busy, the queue full); retry later", Map.of());
        }
        // What the body may take of the budget: its declared length, or the limit when it is chunked;
        // at most what is held at once when the app reads it in parts.
        long held = declared >= 0 ? declared : config.maxBody();
        int reserved = hasBody ? (int) Math.min(Integer.MAX_VALUE, app.readsBodiesInParts() ? Math.min(held, BUFFERED_BODY + PART) : held) : 0;
        if (reserved > 0 && !bodyBudget.tryAcquire(reserved)) {
            res.header(HeaderNames.RETRY_AFTER, "1");
            res.header(HeaderNames.CONNECTION, "close");
            return error(res, 503, "the server is receiving too many request bodies at once; retry later", Map.of());
        }
        BodyReader body = hasBody ? new BodyReader(req, declared) : null;
        try {
            return runHandler(app, req, res, method, path, found, body);
        } finally {
            if (body != null) {
                body.close();
            }
            if (reserved > 0) {
                bodyBudget.release(reserved);
            }
        }
    }

    private int runHandler(WebApp app, ServerRequest req, ServerResponse res, String method, String path,
                           RouteTable.Match.Found found, BodyReader body) {
        byte[] first;
        try {
            // The whole body (most are small), or for an app that reads it in parts what arrived first.
            first = body == null ? new byte[0]
                    : body.read(app.readsBodiesInParts() ? BUFFERED_BODY : (int) Math.min(Integer.MAX_VALUE - 8, config.maxBody() + 1), true);
        } catch (BodyFailure e) {
            return bodyFailed(res, method, path, e);
        }
        StringBuilder headers = new StringBuilder();
        for (Header h : req.headers()) {
            headers.append(h.name()).append(':').append(h.values()).append('\n');
        }
        InetSocketAddress peer = req.remotePeer().address() instanceof InetSocketAddress a ? a : new InetSocketAddress(0);
        ForwardedHeaders trusted = config.forwarded();
        ForwardedHeaders.Origin origin = trusted.any()   // the headers are looked up only when someone is trusted
                ? trusted.resolve(peer, config.scheme(), joined(req, HeaderNames.X_FORWARDED_FOR),
                        joined(req, HeaderNames.X_FORWARDED_PROTO))
                : new ForwardedHeaders.Origin(peer, config.scheme());
        boolean more = body != null && !body.done();
        WebApp.Request request = new WebApp.Request(found.route().index(), method, path, found.rawParams(),
                req.query().rawValue(), headers.toString(), first, found.route().floatBody() && !more ? JsonNumberArray.parse(first) : null,
                origin.client(), origin.scheme(), more);
        WebExchange exchange;
        try {
            exchange = app.open(request, Deadline.in(config.requestTimeout()), config.requestTimeout());
        } catch (RuntimeException e) {
            return failed(res, method, path, e);
        }
        try {
            return follow(req, res, exchange, body, method, path);
        } catch (InterruptedException e) {
            // The server is stopping past its grace period (or the connection is going away); the
            // handler finishes on its own, under its timeout. Still answer, if the client is there.
            Thread.currentThread().interrupt();
            try {
                if (!res.isSent()) {
                    res.header(HeaderNames.CONNECTION, "close");
                    return error(res, 503, "the server is shutting down", Map.of());
                }
            } catch (RuntimeException closed) {
                // Nobody to answer.
            }
            return 499;
        } finally {
            exchange.close();
        }
    }

    /**
     * One {@code --warmup} request: GET {@code path} routed and run as a client's would be, its
     * answer read and dropped; true if the app answered it with a status below 500.
     */
    private boolean warmupRequest(String path) throws InterruptedException {
        Served now = served;
        int query = path.indexOf('?');
        String bare = query < 0 ? path : path.substring(0, query);
        if (!(now.routes().match("GET", bare) instanceof RouteTable.Match.Found found)) {
            return false;   // gone in a reload
        }
        WebApp.Request request = new WebApp.Request(found.route().index(), "GET", bare,
                found.rawParams(), query < 0 ? "" : path.substring(query + 1), "Host:" + config.host() + "\nUser-Agent:covet-warmup\n",
                new byte[0], null, new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), config.scheme(), false);
        WebExchange exchange = now.app().open(request, Deadline.in(config.requestTimeout()), config.requestTimeout());
        try {
            while (true) {
                switch (exchange.next()) {
                    case WebExchange.Answer a -> {
                        return a.response().status() < 500;
                    }
                    case WebExchange.NoAnswer n -> {
                        return false;
                    }
                    case WebExchange.Start start -> {
                        if (start.status() >= 500) {
                            return false;
                        }
                    }
                    case WebExchange.Part part -> exchange.written();
                    case WebExchange.End end -> {
                        return true;
                    }
                    case WebExchange.Abort abort -> {
                        return false;
                    }
                    case WebExchange.ReadBody read -> exchange.bodyPart(new byte[0], true);
                }
            }
        } finally {
            exchange.close();
        }
    }

    /**
     * Does what the handler's exchange asks, step by step, until its answer is written: the whole
     * answer at once, or a response's start and then each part as the handler sends it (flushed
     * when no other part is waiting), reading the request body's next part whenever the handler
     * waits for one. A body that fails to arrive while the handler runs (too large, too slow,
     * malformed) is what the client is told, unless the response has started.
     */
    private int follow(ServerRequest req, ServerResponse res, WebExchange exchange, BodyReader body, String method,
                       String path) throws InterruptedException {
        boolean head = method.equals("HEAD");
        BodyFailure bodyFailure = null;
        OutputStream out = null;
        int status = 500;
        try {
            while (true) {
                switch (exchange.next()) {
                    case WebExchange.ReadBody r -> {
                        try {
                            byte[] part = body.nextPart();
                            connections.progress(req.remotePeer().address());
                            exchange.bodyPart(part, body.done());
                        } catch (BodyFailure e) {
                            bodyFailure = e;
                            exchange.bodyFailed(e.forTheApp(config));
                        }
                    }
                    case WebExchange.Answer a -> {
                        return bodyFailure != null ? bodyFailed(res, method, path, bodyFailure)
                                : respond(res, a.response(), head, body != null && !body.done());
                    }
                    case WebExchange.NoAnswer n -> {
                        return bodyFailure != null ? bodyFailed(res, method, path, bodyFailure) : failed(res, method, path, n.why());
                    }
                    case WebExchange.Start s -> {
                        if (bodyFailure != null) {
                            return bodyFailed(res, method, path, bodyFailure);   // the handler's later sends fail
                        }
                        status = s.status();
                        res.status(status);
                        for (WebApp.Header h : s.headers()) {
                            res.headers().add(HeaderNames.create(h.name()), h.value());
                        }
                        if (body != null && !body.done()) {
                            res.header(HeaderNames.CONNECTION, "close");   // what the handler left unread is not drained
                        }
                        if (s.length() >= 0 && status != 204) {
                            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(s.length()));
                        }
                        if (head || status == 204 || status == 304) {
                            res.send();   // no body; the handler's later sends fail as if the client had gone
                            return status;
                        }
                        out = res.outputStream();
                    }
                    case WebExchange.Part p -> {
                        out.write(p.bytes());
                        if (!exchange.partWaiting()) {
                            out.flush();
                        }
                        connections.progress(req.remotePeer().address());
                        exchange.written();
                    }
                    case WebExchange.End e -> {
                        out.close();
                        return status;
                    }
                    case WebExchange.Abort a -> {
                        LOG.warning(method + " " + path + ": " + a.why() + "; the connection was closed before the response ended");
                        throw new CloseConnectionException(a.why());
                    }
                }
            }
        } catch (IOException | UncheckedIOException | ServerConnectionException e) {
            // A write failed: the client has gone. Its handler hears of it at its next send.
            exchange.clientGone();
            LOG.fine(() -> method + " " + path + ": the client went away mid-response: " + e);
            return 499;
        }
    }

    /** What the client is told of a body that could not be read. */
    private int bodyFailed(ServerResponse res, String method, String path, BodyFailure e) {
        try {
            res.header(HeaderNames.CONNECTION, "close");
            return switch (e.kind) {
                case TOO_LARGE -> error(res, 413, tooLarge(), Map.of());
                // Its connection is closed by now; answering tells Helidon the request is over.
                case TOO_SLOW -> error(res, 408, "the request body did not arrive within the request timeout", Map.of());
                case UNREADABLE -> {
                    // The client's doing (it hung up mid-body, or sent a malformed chunk): no stack trace in the log.
                    LOG.fine(() -> method + " " + path + ": the request body could not be read: " + e.getCause());
                    yield error(res, 400, "the request body could not be read (malformed, or shorter than announced)", Map.of());
                }
            };
        } catch (RuntimeException gone) {
            return e.kind.status;   // nobody to answer
        }
    }

    private String tooLarge() {
        return "the request body is larger than the limit of " + config.maxBody() + " bytes";
    }

    /** A header's lines joined with commas, as one list; null when the request has none. */
    private static String joined(ServerRequest req, io.helidon.http.HeaderName name) {
        return req.headers().contains(name) ? String.join(",", req.headers().get(name).allValues()) : null;
    }

    /**
     * The handler's whole answer; {@code unread}: the request's body was not all read (the
     * connection is then closed rather than drained).
     */
    private int respond(ServerResponse res, WebApp.Response answer, boolean head, boolean unread) {
        if (answer.log() != null) {
            LOG.severe(answer.log().stripTrailing());
        }
        for (WebApp.Header h : answer.headers()) {
            res.headers().add(HeaderNames.create(h.name()), h.value());   // added: Set-Cookie and others repeat
        }
        int status = answer.status();
        if (answer.errorMessage() != null) {
            return error(res, status, answer.errorMessage(), answer.errorDetails());
        }
        res.status(status);
        if (unread) {
            res.header(HeaderNames.CONNECTION, "close");
        }
        boolean noBody = status == 204 || status == 304;
        if (answer.mediaType() != null && !noBody) {
            res.header(HeaderNames.CONTENT_TYPE, answer.mediaType());
        }
        if (head && !noBody) {
            // HEAD: the length of the body a GET would get, and no body.
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(answer.contentLength()));
            res.send();
            return status;
        }
        res.send(noBody ? new byte[0] : answer.body());
        return status;
    }

    /**
     * Why no handler answered, as the response. What clients read is fixed text: the exceptions'
     * own messages (task names, interpreters, queue sizes, Python errors) go to the log only.
     */
    private int failed(ServerResponse res, String method, String path, RuntimeException cause) {
        String seconds = formatSeconds(config.requestTimeout());
        return switch (cause) {
            case DeadlineExceededException d when d.phase() == DeadlineExceededException.Phase.WAITING ->
                    error(res, 504, "the request waited " + seconds + " for a free interpreter (all busy); "
                            + "the handler did not run", Map.of());
            case DeadlineExceededException d -> {
                LOG.warning(method + " " + path + ": the handler ran past the request timeout of " + seconds
                        + " and was stopped");
                yield error(res, 504, "the handler ran past the request timeout of " + seconds + "; it was stopped",
                        Map.of());
            }
            case OverloadedException o -> {
                LOG.fine(() -> method + " " + path + ": " + o.getMessage());
                res.header(HeaderNames.RETRY_AFTER, "1");
                yield error(res, 503, "the server is busy (every interpreter busy, the queue full); retry later", Map.of());
            }
            case TaskAbortedException a -> {
                LOG.warning(method + " " + path + ": " + a.getMessage());
                res.header(HeaderNames.RETRY_AFTER, "1");
                yield error(res, 503, "the handler was stopped before it answered (its interpreter had to be replaced);"
                        + " retry", Map.of());
            }
            case ClosedException c -> {
                res.header(HeaderNames.RETRY_AFTER, "1");
                yield error(res, 503, "the server is shutting down", Map.of());
            }
            default -> {
                LOG.log(Level.SEVERE, method + " " + path + " failed outside its handler", cause);
                yield error(res, 500, "internal server error", Map.of());
            }
        };
    }

    private static String formatSeconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return (s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s)) + " s";
    }

    /** Why a request body could not be read, and the status that tells the client. */
    private static final class BodyFailure extends Exception {
        enum Kind {
            TOO_LARGE(413), TOO_SLOW(408), UNREADABLE(400);

            final int status;

            Kind(int status) {
                this.status = status;
            }
        }

        final Kind kind;

        BodyFailure(Kind kind, Exception cause) {
            super(null, cause, false, false);
            this.kind = kind;
        }

        /** What the handler's read of the body raises (an OSError with this message). */
        String forTheApp(WebConfig config) {
            return switch (kind) {
                case TOO_LARGE -> "the request body is larger than the server's limit of " + config.maxBody() + " bytes (--max-body)";
                case TOO_SLOW -> "the request body did not arrive within the request timeout";
                case UNREADABLE -> "the request body could not be read (malformed, or the client hung up)";
            };
        }
    }

    /**
     * One request's body, read under {@code --max-body} and within the request timeout from its
     * first read. Past the timeout the timer interrupts the thread while it reads, which closes the
     * socket, so a client that drips its body is cut off whatever Helidon's per-read timeout; between
     * reads (the handler running) it only marks the upload as too slow, for the next read.
     */
    private final class BodyReader {
        private final InputStream in;
        private final long declared;
        private final Thread reader = Thread.currentThread();
        private final ScheduledFuture<?> cutOff;
        private long total;
        private boolean done;
        // Guarded by this.
        private boolean reading;
        private boolean cut;

        BodyReader(ServerRequest req, long declared) {
            this.in = req.content().inputStream();
            this.declared = declared;
            this.cutOff = timer.schedule(this::cut, config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }

        /**
         * Up to {@code max} bytes: all of them unless the body ends first ({@code fill}), or as many
         * as have arrived, at least one unless it has ended (then none).
         */
        byte[] read(int max, boolean fill) throws BodyFailure {
            begin();
            byte[] part = null;
            Exception failure = null;
            try {
                if (fill) {
                    part = in.readNBytes(max);
                } else {
                    byte[] buffer = new byte[max];
                    int n;
                    do {
                        n = in.read(buffer);
                    } while (n == 0);
                    part = n < 0 ? new byte[0] : n == max ? buffer : java.util.Arrays.copyOf(buffer, n);
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
            if (end()) {
                LOG.fine(() -> "a request body did not arrive within " + formatSeconds(config.requestTimeout())
                        + "; its connection was closed");
                throw new BodyFailure(BodyFailure.Kind.TOO_SLOW, null);
            }
            if (failure != null) {
                throw new BodyFailure(BodyFailure.Kind.UNREADABLE, failure);
            }
            total += part.length;
            if (total > config.maxBody()) {
                throw new BodyFailure(BodyFailure.Kind.TOO_LARGE, null);
            }
            done = fill ? part.length < max || total == declared : part.length == 0 || total == declared;
            if (done) {
                cutOff.cancel(false);
            }
            return part;
        }

        /**
         * The body's next part for a handler that reads it in parts: of a body of declared length,
         * up to {@link #PART} bytes (they are on their way); of a chunked one, what has arrived.
         */
        byte[] nextPart() throws BodyFailure {
            return declared >= 0 ? read((int) Math.min(PART, Math.max(0, declared - total)), true) : read(PART, false);
        }

        /** Whether the whole body has been read. */
        boolean done() {
            return done;
        }

        void close() {
            cutOff.cancel(false);
        }

        private synchronized void cut() {
            cut = true;
            if (reading) {
                reader.interrupt();
            }
        }

        private synchronized void begin() throws BodyFailure {
            if (cut) {
                throw new BodyFailure(BodyFailure.Kind.TOO_SLOW, null);
            }
            reading = true;
        }

        /** Reading is over; true if it was cut off (the interrupt, already delivered, is cleared). */
        private synchronized boolean end() {
            reading = false;
            if (cut) {
                Thread.interrupted();
            }
            return cut;
        }
    }

    private static int noContent(ServerResponse res) {
        res.status(204).send();
        return 204;
    }

    /** Every error response's body: {"error": reason, "status": code, "message": ..., and any details}. */
    private static int error(ServerResponse res, int status, String message, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", io.helidon.http.Status.create(status).reasonPhrase());
        body.put("status", status);
        body.put("message", message);
        body.putAll(extra);
        sendJson(res, status, body);
        return status;
    }

    /** A JSON body; for a HEAD, its length only (a body there would be read as the next response). */
    private static void sendJson(ServerResponse res, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        res.status(status).header(HeaderNames.CONTENT_TYPE, JSON_TYPE);
        if (HEAD.orElse(false)) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(bytes.length)).send();
        } else {
            res.send(bytes);
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    // ---- stopping ---------------------------------------------------------------------------

    /**
     * Stops taking requests (new ones get 503 while in-flight ones finish, for up to
     * {@code grace}), then stops listening. The runtime (and with it the app's shutdown hooks,
     * run as each interpreter stops) is its owner's to shut down. Idempotent.
     *
     * @return true if every in-flight request finished within the grace period
     */
    public boolean stop(Duration grace) {
        synchronized (this) {
            if (stopped) {
                return true;
            }
            stopped = true;
        }
        draining = true;
        warmup.stop();
        long deadline = System.nanoTime() + grace.toNanos();
        boolean clean = true;
        synchronized (drained) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    clean = false;
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    clean = false;
                    break;
                }
            }
        }
        server.stop();
        metrics.close();
        timer.shutdownNow();
        return clean;
    }

    /** How many requests are being served now. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void close() {
        stop(config.requestTimeout());
    }
}
