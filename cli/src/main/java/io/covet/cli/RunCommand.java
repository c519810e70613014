package io.covet.cli;

import io.covet.runtime.AppTarget;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import io.covet.workers.WorkerStartException;
import io.covet.web.CovetServer;
import io.covet.web.WebConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code covet run APP.py}: serves a CovetPy-style app on every core until SIGTERM or SIGINT,
 * which drain in-flight requests, run the app's shutdown hooks and exit 0.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Serve a Python web app on every core: a CovetPy-style app (app = Covet() with route decorators), "
                + "a WSGI application (Flask, Django, ...) or an ASGI one (Starlette, ...).",
                "Each request runs in one of the pool's interpreters, each of which imports the app once. SIGTERM or "
                        + "SIGINT drains in-flight requests, runs the app's shutdown hooks and exits 0.",
                "The app may always fetch its own address with covet.http."})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET",
            description = {"the app: path/app.py, path/app.py:NAME or package.module:NAME (looked up from the current "
                    + "directory and --python-path); NAME() calls a factory. Without NAME: the one Covet app, else app, "
                    + "else application"})
    String app;

    @Option(names = "--interface", paramLabel = "KIND", description = "how the app is called: auto (by the object), covet, wsgi, asgi (default: auto)")
    String interfaceKind = "auto";

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to listen on (default: 127.0.0.1)")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "port to listen on; 0 picks a free one (default: 8000)")
    int port = 8000;

    @Option(names = "--request-timeout", paramLabel = "SECONDS",
            description = "longest a handler may run; past it the request gets 504 and the interpreter is replaced (default: 30)")
    double requestTimeout = WebConfig.DEFAULT_REQUEST_TIMEOUT.toSeconds();

    @Option(names = "--max-body", paramLabel = "BYTES", description = "largest request body accepted; larger gets 413 (default: 10485760)")
    long maxBody = WebConfig.DEFAULT_MAX_BODY;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "connections served at once; more get 503 and are closed (default: what the open-files limit allows, at most 10000)")
    int maxConnections;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS",
            description = "close a connection with no request running (none sent yet, its head still arriving, or kept alive) after this long (default: 15)")
    double idleTimeout = WebConfig.DEFAULT_IDLE_TIMEOUT.toSeconds();

    @Option(names = "--debug", description = "500 responses include the handler's traceback (it is always in the log)")
    boolean debug;

    @Option(names = "--no-access-log", negatable = false, description = "don't log a line per request")
    boolean noAccessLog;

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AppTarget target;
        try {
            target = AppTarget.parse(app, kind());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!(requestTimeout > 0) || Double.isInfinite(requestTimeout)) {
            throw new ParameterException(spec.commandLine(), "--request-timeout must be a positive number of seconds, got " + requestTimeout);
        }
        if (!(idleTimeout > 0) || Double.isInfinite(idleTimeout)) {
            throw new ParameterException(spec.commandLine(), "--idle-timeout must be a positive number of seconds, got " + idleTimeout);
        }
        WebConfig web;
        try {
            web = new WebConfig(target, host, port, Duration.ofNanos((long) (requestTimeout * 1e9)), maxBody, debug,
                    !noAccessLog, maxConnections, Duration.ofNanos((long) (idleTimeout * 1e9)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path appFile = target.file();
        if (appFile != null && !appFile.toFile().isFile()) {
            err.println("covet run: can't open the app '" + appFile + "': " + (appFile.toFile().exists() ? "not a regular file" : "no such file"));
            return 2;
        }
        PerformanceConfig.Builder base = runtime.base(spec, appFile != null ? appFile : target.importRoot());
        List<Path> pythonPath = new ArrayList<>(List.of(target.importRoot()));
        pythonPath.addAll(base.copy().build().pythonPath());
        base.pythonPath(pythonPath);
        Map<String, Object> pinned = runtime.pinned();
        runtime.configureLogging();

        ProgressBar progress = System.console() != null && System.console().isTerminal() ? new ProgressBar(err, true) : null;
        int total = base.copy().apply(pinned).build().pythonInterpreters();
        try (PerformanceManager manager = PerformanceManager.start(base, pinned, ready -> {
            if (progress != null) {
                progress.update(ready, total, "starting interpreters");
            }
        })) {
            if (progress != null) {
                progress.finish();
            }
            CovetServer server;
            try {
                server = CovetServer.start(manager, web);
            } catch (io.covet.runtime.WebApp.LoadException | IllegalStateException e) {
                err.println("covet run: " + e.getMessage());
                err.flush();
                return 1;
            }
            allowOwnAddress(manager, server.port());
            CountDownLatch stop = new CountDownLatch(1);
            for (String signal : new String[]{"TERM", "INT"}) {
                Signal.handle(new Signal(signal), s -> {
                    if (stop.getCount() == 0) {
                        err.println("covet run: already stopping; in-flight requests are finishing");
                        err.flush();
                    }
                    stop.countDown();
                });
            }
            System.out.println("covet: serving " + target + " on http://" + (host.contains(":") ? "[" + host + "]" : host)
                    + ":" + server.port() + " with " + manager.interpreters().size() + " interpreters"
                    + manager.workers().map(w -> " and " + w.config().workers() + " CPython workers").orElse("") + " (Ctrl-C to stop)");
            for (String route : server.describeRoutes()) {
                System.out.println("  " + route);
            }
            System.out.flush();
            stop.await();
            System.out.println("covet: stopping: finishing in-flight requests, then running shutdown hooks");
            System.out.flush();
            if (!server.stop(web.requestTimeout())) {
                err.println("covet run: some requests were still running after " + web.requestTimeout().toSeconds() + " s");
            }
            manager.shutdown(Duration.ofSeconds(30));
            System.out.println("covet: stopped");
            System.out.flush();
            return 0;
        } catch (WorkerStartException e) {
            err.println("covet run: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private AppTarget.Kind kind() {
        try {
            return AppTarget.Kind.valueOf(interfaceKind.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--interface must be auto, covet, wsgi or asgi, got '" + interfaceKind + "'");
        }
    }

    /**
     * The app may call its own server (fetch its own endpoints) without {@code --allow-net}: its
     * address and port, and loopback's when it listens on every address; no other port there.
     */
    private void allowOwnAddress(PerformanceManager manager, int port) {
        manager.allowHttpTo(host, port);
        if (host.equals("0.0.0.0") || host.equals("127.0.0.1") || host.equals("::") || host.equals("::1")) {
            manager.allowHttpTo("localhost", port);
            manager.allowHttpTo(host.contains(":") ? "::1" : "127.0.0.1", port);
        }
    }
}
