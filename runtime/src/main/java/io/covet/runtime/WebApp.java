package io.covet.runtime;

import io.covet.compute.NdArray;
import io.covet.interpreters.InterpreterPool;
import io.covet.interpreters.PyTuple;
import io.covet.interpreters.PythonException;
import io.covet.interpreters.PythonTask;
import io.covet.tasks.Deadline;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Python web app loaded into every interpreter of a runtime (a CovetPy-style {@code covet.web.Covet}
 * app, a WSGI or an ASGI application): its routes, and the one call that answers a request. What the HTTP
 * server needs of the runtime, and all of it: the server matches routes and speaks HTTP; this
 * class runs the handler.
 *
 * <p>A request crosses into Python as one value ({@link Request}) and its answer comes back as one
 * ({@link Response}); their Python twins are the argument and result of {@code _handle} in the
 * app's handler module ({@code covet.web}, {@code covet.wsgi}, {@code covet.asgi}), which {@code covet.serve} picks. The
 * handler runs as a task of lane PYTHON under the request's deadline: an {@code async def} handler
 * awaits on its interpreter's event loop while the interpreter serves other requests.
 */
public final class WebApp {

    /**
     * One request for the handler of route {@code route} (its index in {@link #routes()}).
     *
     * @param pathParams the path's values of the route's parameters, still percent-encoded, in order
     * @param query      the raw query string ("" when none)
     * @param headers    the request's headers as {@code name:value} lines (one string crosses in one
     *                   copy; Python parses it only if the handler reads a header)
     * @param numbers    the body as numbers, when the route takes a {@code List[float]} or {@code covet.Array} body and the
     *                   body is exactly a JSON array of finite numbers (parsed in Java), else null
     * @param client     the client's address and port, as WSGI's {@code REMOTE_ADDR} and {@code REMOTE_PORT}
     * @param more       {@code body} is only the body's first part: the handler reads the rest as it
     *                   arrives ({@link WebExchange.ReadBody}); only for apps that {@link #readsBodiesInParts}
     */
    public record Request(int route, String method, String path, List<String> pathParams, String query, String headers,
                          byte[] body, double[] numbers, InetSocketAddress client, String scheme, boolean more) {

        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            pathParams = List.copyOf(pathParams);
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(scheme, "scheme");
        }

        /** The value the handler module's {@code _handle} takes; {@code exchange}: the number it knows the request by. */
        PyTuple toPython(long exchange) {
            String address = client.getAddress() != null ? client.getAddress().getHostAddress() : client.getHostString();
            // Numbers cross as a covet.Array: one copy into off-heap memory, none into Python. Their
            // body crosses as latin-1 text (a cheap copy), made bytes only if the handler reads it.
            return PyTuple.of(route, method, path, String.join("/", pathParams), query, headers,
                    numbers == null ? body : new String(body, StandardCharsets.ISO_8859_1),
                    numbers == null ? null : ArrayGateway.toPython(NdArray.of(numbers)), address, client.getPort(), scheme,
                    exchange, more);
        }
    }

    /** A response header. */
    public record Header(String name, String value) {
    }

    /**
     * The handler's answer. An error (the handler raised {@code HTTPException}, or failed) carries
     * {@code errorMessage} and {@code errorDetails} and no body: the server writes the error body,
     * the same JSON for every error it sends.
     *
     * <p>Everything here has been checked ({@link #fromPython}): a status from 100 to 599, header
     * names that are tokens, header values and the media type free of control characters (no line
     * break can add a header), no hop-by-hop headers and no {@code Content-Length} other than the
     * body's (the server frames the message). A handler's answer that breaks a rule becomes a 500
     * naming the rule in the log.
     *
     * @param log text for the server log (a failed handler's traceback), or null
     * @param contentLength the length to announce: the body's, or for a HEAD (sent without a body)
     *                      the one the handler declared, its GET body's
     */
    public record Response(int status, String mediaType, byte[] body, List<Header> headers, String log,
                           String errorMessage, Map<String, Object> errorDetails, long contentLength) {

        /** Headers that describe a connection, not a response (RFC 9110 7.6.1): the server's alone. */
        private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
                "transfer-encoding", "upgrade");

        /**
         * {@code covet.web._handle}'s result: (status, media type, body, [(name, value)...] or None, log, error).
         * For a HEAD ({@code head}), a declared Content-Length need not be the body's (the app may leave the body out).
         */
        static Response fromPython(Object value, boolean head) {
            List<Object> r = ((PyTuple) value).items();
            byte[] body = r.get(2) instanceof byte[] b ? b : new byte[0];
            Object mediaType = r.get(1);
            List<Header> headers = new ArrayList<>();
            long declared;
            try {
                checkStatus(r.get(0));
                if (mediaType != null && !(mediaType instanceof String m && fieldValue(m))) {
                    throw new Refused("its media type " + quoted(mediaType) + " is not a one-line header value");
                }
                declared = checkHeaders(r.get(3), headers);
                if (declared >= 0 && declared != body.length && r.get(5) == null && !head) {
                    throw new Refused("its Content-Length " + declared + " is not its body's length, " + body.length);
                }
            } catch (Refused e) {
                return refused(e.getMessage());
            }
            String errorMessage = null;
            Map<String, Object> details = Map.of();
            if (r.get(5) instanceof PyTuple error) {
                errorMessage = (String) error.items().get(0);
                if (error.items().get(1) instanceof Map<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> typed = (Map<String, Object>) m;
                    details = typed;
                }
            }
            return new Response(((Number) r.get(0)).intValue(), (String) mediaType, body, List.copyOf(headers),
                    (String) r.get(4), errorMessage, details, head && declared >= 0 && errorMessage == null ? declared : body.length);
        }

        /** A status the server may send, else {@link Refused}. */
        static int checkStatus(Object status) {
            if (!(status instanceof Number n) || n.intValue() < 100 || n.intValue() > 599) {
                throw new Refused("its status " + status + " is not an HTTP status (100-599)");
            }
            return n.intValue();
        }

        /**
         * Checks the handler's headers, {@code [(name, value)...]} or None, and adds them to {@code out},
         * all but Content-Length (the server frames the message); returns the Content-Length they
         * declare, or -1.
         *
         * @throws Refused naming the first rule a header breaks
         */
        static long checkHeaders(Object pairs, List<Header> out) {
            long declared = -1;
            if (!(pairs instanceof List<?> list)) {
                return declared;
            }
            for (Object pair : list) {
                List<Object> kv = ((PyTuple) pair).items();
                if (!(latin1(kv.get(0)) instanceof String name) || !token(name)) {
                    throw new Refused("header name " + quoted(latin1(kv.get(0))) + " is not an HTTP token (letters, digits, !#$%&'*+-.^_`|~)");
                }
                if (!(latin1(kv.get(1)) instanceof String v) || !fieldValue(v)) {
                    throw new Refused("header " + name + ": its value " + quoted(latin1(kv.get(1)))
                            + " is not a one-line string of printable characters (CR, LF and other controls would reach the wire)");
                }
                String lower = name.toLowerCase(java.util.Locale.ROOT);
                if (HOP_BY_HOP.contains(lower)) {
                    throw new Refused("header " + name + " is hop-by-hop: the server manages the connection");
                }
                if (lower.equals("content-length")) {
                    String digits = v.strip();
                    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                            || declared >= 0 && declared != Long.parseLong(digits)) {
                        throw new Refused("its Content-Length " + quoted(v) + " is not one number of bytes");
                    }
                    declared = Long.parseLong(digits);
                    continue;
                }
                out.add(new Header(name, v));
            }
            return declared;
        }

        /** A header's name or value: a str, or bytes (an ASGI app's) read as latin-1, as ASGI says. */
        private static Object latin1(Object nameOrValue) {
            return nameOrValue instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : nameOrValue;
        }

        private static Response refused(String why) {
            return new Response(500, null, new byte[0], List.of(), "the handler's response was refused: " + why,
                    "the handler's response was invalid; see the server log", Map.of(), 0);
        }

        /** Why a handler's answer cannot be sent: a rule of HTTP it breaks. */
        static final class Refused extends RuntimeException {
            Refused(String why) {
                super(why, null, false, false);
            }
        }

        private static String quoted(Object o) {
            return o instanceof String s ? "'" + s.replace("\r", "\\r").replace("\n", "\\n") + "'" : String.valueOf(o);
        }

        /** RFC 9110's token: what a header name is. */
        static boolean token(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                    return false;
                }
            }
            return true;
        }

        /** RFC 9110's field value, as Latin-1 text: visible characters, space and tab; no CR, LF or other controls. */
        static boolean fieldValue(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * One route of the app, in registration order.
     *
     * @param floatBody its handler takes the whole body as a {@code List[float]} (worth parsing in Java)
     */
    public record Route(Set<String> methods, String pattern, boolean floatBody) {
    }

    /** The app could not be loaded; the message says why (with the Python traceback). */
    public static final class LoadException extends RuntimeException {
        public LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final String SHUTDOWN = "import covet.serve\ncovet.serve._shutdown()\n";
    /** Longest the app's import and startup hooks may take in the first interpreter. */
    private static final long LOAD_MINUTES = 5;
    /** Longest a reload may take: shorter, as the developer waits and the watcher sees no later change meanwhile. */
    private static final long RELOAD_MINUTES = 2;

    private final PerformanceManager runtime;
    private final AppTarget target;
    private final boolean debug;
    private final String rootPath;
    /** The app's code in the pool: what {@link #reload} replaces. */
    private final InterpreterPool.Installed installed;
    private final List<Route> routes;
    /** The Python module whose {@code _handle} answers requests: covet.web, covet.wsgi or covet.asgi. */
    private final String handlerModule;

    private WebApp(PerformanceManager runtime, AppTarget target, boolean debug, String rootPath,
                   InterpreterPool.Installed installed, List<Route> routes, String handlerModule) {
        this.runtime = runtime;
        this.target = target;
        this.debug = debug;
        this.rootPath = rootPath;
        this.installed = installed;
        this.routes = routes;
        this.handlerModule = handlerModule;
    }

    /**
     * Loads the app into every interpreter of {@code runtime} (and into those it starts later),
     * runs its startup hooks there, and reads its routes; returns once the first interpreter has
     * it (the others load it as they become ready). Each interpreter runs the app's shutdown hooks
     * as it stops.
     *
     * @param target the app: a file (imported as a module named after it) or a module on the python path
     * @param debug  tracebacks of failed handlers go into their responses too
     * @param rootPath the prefix the app is mounted under (WSGI's SCRIPT_NAME, ASGI's root_path), or ""
     * @throws LoadException if the app cannot be loaded, its startup hooks fail, or it has no route
     */
    static WebApp load(PerformanceManager runtime, AppTarget target, boolean debug, String rootPath) {
        InterpreterPool.Installed installed = runtime.interpreters().install(boot(target, debug, rootPath), SHUTDOWN);
        awaitLoad(target, installed.first());
        io.covet.tasks.StartupTimeline.event("the app " + target + " loaded in its first interpreter");
        WebApp app = withRoutes(runtime, target, debug, rootPath, installed);
        if (app.routes.isEmpty()) {
            throw new LoadException("the app " + target + " declares no routes; add one, e.g. @app.get(\"/\")", null);
        }
        return app;
    }

    /**
     * The app's code as it is now on disk, in new interpreters that take over from this app's
     * ({@code covet run --reload}): returns once the first of them serves it, the old ones
     * finishing what they run. When the new code fails to import (a syntax error, an exception in
     * a startup hook), this app's interpreters go on serving and the LoadException says why.
     */
    public WebApp reload() {
        String boot = boot(target, debug, rootPath);
        InterpreterPool.Installed fresh;
        java.util.concurrent.CompletableFuture<InterpreterPool.Installed> pending =
                runtime.interpreters().replaceSetup(installed, boot, SHUTDOWN);
        try {
            fresh = pending.get(RELOAD_MINUTES, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof io.covet.tasks.ClosedException closed) {
                throw closed;   // shutting down: nothing to reload into
            }
            throw failedToLoad(target, e.getCause());
        } catch (TimeoutException e) {
            pending.cancel(false);   // the new interpreters stop; the old ones go on
            throw new LoadException("the app " + target + " did not finish loading within " + RELOAD_MINUTES
                    + " minutes (does it block at import?)", e);
        } catch (InterruptedException e) {
            pending.cancel(false);
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted while reloading the app", e);
        }
        return withRoutes(runtime, target, debug, rootPath, fresh);
    }

    private static void awaitLoad(AppTarget target, java.util.concurrent.Future<Void> loaded) {
        try {
            loaded.get(LOAD_MINUTES, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw failedToLoad(target, e.getCause());
        } catch (TimeoutException e) {
            throw new LoadException("the app " + target + " did not finish loading (import and startup hooks) "
                    + "in its first interpreter within " + LOAD_MINUTES + " minutes", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted while loading the app", e);
        }
    }

    private static LoadException failedToLoad(AppTarget target, Throwable cause) {
        String detail = cause instanceof PythonException p && !p.pythonTraceback().isEmpty() ? p.pythonTraceback()
                : String.valueOf(cause.getMessage());
        return new LoadException("the app " + target + " failed to load:\n" + detail.stripTrailing(), cause);
    }

    /** The Python that loads the app into an interpreter (and checks its file is there). */
    private static String boot(AppTarget target, boolean debug, String rootPath) {
        String where;
        String module;
        if (target.file() != null) {
            Path app = target.file().toAbsolutePath().normalize();
            if (!Files.isRegularFile(app)) {
                throw new LoadException("can't open the app " + target.file() + ": "
                        + (Files.exists(app) ? "not a regular file" : "no such file"), null);
            }
            where = pyString(app.toString());
            module = moduleName(app);
        } else {
            where = "None";
            module = target.module();
        }
        return "import covet.serve\ncovet.serve._boot(" + where + ", " + pyString(module) + ", "
                + (target.name() == null ? "None" : pyString(target.name())) + ", " + pyString(target.kind().pythonName())
                + ", " + (debug ? "True" : "False") + ", " + pyString(rootPath) + ")\n";
    }

    /** The app as the interpreters now serving it have it: its handler module and routes. */
    private static WebApp withRoutes(PerformanceManager runtime, AppTarget target, boolean debug, String rootPath,
                                     InterpreterPool.Installed installed) {
        String handlerModule = (String) runtime.interpreters().call("covet.serve", "_handler_module");
        List<Route> routes = new ArrayList<>();
        for (Object r : (List<?>) runtime.interpreters().call(handlerModule, "_routes")) {
            List<?> route = (List<?>) r;
            Set<String> methods = new java.util.LinkedHashSet<>();
            for (Object m : (List<?>) route.get(0)) {
                methods.add((String) m);
            }
            routes.add(new Route(Set.copyOf(methods), (String) route.get(1), Boolean.TRUE.equals(route.get(2))));
        }
        return new WebApp(runtime, target, debug, rootPath, installed, List.copyOf(routes), handlerModule);
    }

    /** A Python string literal for {@code s}: printable ASCII as itself, everything else escaped. */
    static String pyString(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.appendCodePoint(c);
            } else {
                out.append(String.format("\\U%08x", c));
            }
        });
        return out.append('"').toString();
    }

    /** The module name the app is imported under: its file name without {@code .py}. */
    static String moduleName(Path app) {
        String file = app.getFileName().toString();
        String name = file.endsWith(".py") ? file.substring(0, file.length() - 3) : file;
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new LoadException("the app's file name '" + file + "' must be a Python module name "
                    + "(letters, digits, _) ending in .py, as other interpreters import it by that name", null);
        }
        return name;
    }

    public List<Route> routes() {
        return routes;
    }

    /**
     * Starts the route's handler for {@code request} under {@code deadline}, which covers waiting for
     * an interpreter and running until the answer starts; the server follows the request through the
     * returned exchange ({@link WebExchange#next}) and closes it when done. The handler's own failures
     * are answers (500s, {@code HTTPException}'s status); {@link WebExchange.NoAnswer} carries why no
     * handler answered:
     * {@link io.covet.tasks.DeadlineExceededException} the deadline passed, waiting (the handler did not run)
     * or running (it was stopped) (504); {@link io.covet.tasks.TaskAbortedException} it was stopped because
     * its interpreter had to be (503); {@link io.covet.tasks.ClosedException} the runtime is shutting down (503).
     *
     * @param stall the request timeout: once the response streams, the longest it may go without a part
     * @throws io.covet.tasks.OverloadedException the queue is full: nothing runs (503)
     * @throws io.covet.tasks.ClosedException     the runtime is shutting down
     */
    public WebExchange open(Request request, Deadline deadline, Duration stall) {
        WebExchange exchange = runtime.exchanges().open(request.method().equals("HEAD"), !request.more(), stall);
        try {
            // Lane PYTHON, straight into the pool's queue. Its run limit is the request's deadline: the
            // runtime's task timeout does not cut it shorter.
            exchange.attach(runtime.interpreters().enqueue(
                    PythonTask.call(handlerModule, "_handle", request.toPython(exchange.id)).withoutTimeout(), deadline));
            return exchange;
        } catch (RuntimeException e) {
            exchange.close();
            throw e;
        }
    }

    /**
     * Whether the app's handlers read a request body in parts as it arrives (WSGI and ASGI apps),
     * rather than whole (a Covet app binds its arguments from the whole body).
     */
    public boolean readsBodiesInParts() {
        return !handlerModule.equals("covet.web");
    }

    /**
     * Whether a request handed to {@link #handle} now would be refused for a full queue: the
     * server asks before it reads the request's body, so a refusal costs no upload.
     */
    public boolean wouldRefuse() {
        return runtime.interpreters().wouldRefuse();
    }

    /** Interpreters of the app's runtime: what {@code /healthz} reports. */
    public RuntimeMetrics.Interpreters interpreters() {
        return runtime.interpreterGauges();
    }
}
