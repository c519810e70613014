package io.covet.cli;

import io.covet.runtime.AppTarget;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import io.covet.tasks.StartupTimeline;
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

    @Option(names = {"-b", "--bind"}, paramLabel = "HOST:PORT",
            description = "address and port to listen on, as gunicorn takes them (HOST alone: port 8000; [::1]:PORT for IPv6); instead of --host and --port")
    String bind;

    @Option(names = {"--certfile", "--ssl-certfile"}, paramLabel = "FILE",
            description = "serve HTTPS: the server's certificate (then any intermediates), PEM; needs --keyfile")
    Path certFile;

    @Option(names = {"--keyfile", "--ssl-keyfile"}, paramLabel = "FILE",
            description = "the certificate's private key, PEM (PKCS#8, PKCS#1 or SEC1; encrypted: with --keyfile-password-file)")
    Path keyFile;

    @Option(names = "--keyfile-password-file", paramLabel = "FILE",
            description = "file whose first line is the --keyfile's password (not on the command line, where ps shows it)")
    Path keyPasswordFile;

    @Option(names = "--forwarded-allow-ips", paramLabel = "IPS", defaultValue = "${env:FORWARDED_ALLOW_IPS}",
            description = "proxies (IPs and networks, comma-separated, or *) whose X-Forwarded-For and X-Forwarded-Proto set the client address and scheme the app sees (default: $FORWARDED_ALLOW_IPS, else none)")
    String forwardedAllowIps;

    @Option(names = "--root-path", paramLabel = "PATH",
            description = "the prefix the app is mounted under behind a proxy (WSGI's SCRIPT_NAME, ASGI's root_path), taken off request paths that start with it")
    String rootPath = "";

    @Option(names = {"--request-timeout", "--timeout"}, paramLabel = "SECONDS",
            description = "longest a handler may run; past it the request gets 504 and the interpreter is replaced (default: 30)")
    double requestTimeout = WebConfig.DEFAULT_REQUEST_TIMEOUT.toSeconds();

    @Option(names = "--max-body", paramLabel = "BYTES", description = "largest request body accepted; larger gets 413 (default: 10485760)")
    long maxBody = WebConfig.DEFAULT_MAX_BODY;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "connections served at once; more get 503 and are closed (default: what the open-files limit allows, at most 10000)")
    int maxConnections;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS",
            description = "close a connection that has not sent a whole first request (none sent yet, or its head still arriving) after this long (default: 15)")
    double idleTimeout = WebConfig.DEFAULT_IDLE_TIMEOUT.toSeconds();

    @Option(names = {"--keep-alive", "--timeout-keep-alive"}, paramLabel = "SECONDS",
            description = "close a connection kept open after a response when no next request starts within this long (default: 15)")
    double keepAlive = WebConfig.DEFAULT_KEEP_ALIVE.toSeconds();

    @Option(names = {"--graceful-timeout", "--timeout-graceful-shutdown"}, paramLabel = "SECONDS",
            description = "on SIGTERM or SIGINT, how long in-flight requests may take to finish (default: 30)")
    double gracefulTimeout = WebConfig.DEFAULT_GRACEFUL_TIMEOUT.toSeconds();

    @Option(names = "--debug", description = "500 responses include the handler's traceback (it is always in the log)")
    boolean debug;

    @Option(names = "--no-access-log", negatable = false, description = "don't log a line per request")
    boolean noAccessLog;

    @Option(names = "--reload", description = {"for development: when a .py file below the app's directory (or a --reload-dir) "
            + "changes, load the new code into new interpreters in this process and switch to them; code that fails to "
            + "import is reported and the previous code keeps serving"})
    boolean reload;

    @Option(names = "--reload-dir", paramLabel = "DIR",
            description = "also watch DIR for --reload (repeatable; default: the app file's directory, or the current one for a module)")
    List<Path> reloadDirs = new ArrayList<>();

    @Option(names = "--ready-interpreters", paramLabel = "N",
            description = "how many interpreters must have the app loaded for /readyz to answer 200 (default: all); "
                    + "the server answers requests as soon as one has it")
    int readyInterpreters;

    @Option(names = "--warmup", paramLabel = "PATH",
            description = {"after listening, run GET PATH (repeatable; with its query, e.g. /items/7?q=x) over and over "
                    + "until GraalPy's JIT compiler has been idle for 3 s or --warmup-time passes, so what the app runs is compiled before "
                    + "/readyz says ready; clients are served meanwhile"})
    List<String> warmup = new ArrayList<>();

    @Option(names = "--warmup-time", paramLabel = "SECONDS",
            description = "the longest --warmup may take (default: 60)")
    double warmupTime = WebConfig.DEFAULT_WARMUP_TIME.toSeconds();

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
        WebConfig web;
        try {
            listenAt();
            web = new WebConfig(target, host, port, seconds("--request-timeout", requestTimeout, false), maxBody, debug,
                    !noAccessLog, maxConnections, seconds("--idle-timeout", idleTimeout, false),
                    seconds("--keep-alive", keepAlive, false), seconds("--graceful-timeout", gracefulTimeout, true), tls(),
                    io.covet.web.ForwardedHeaders.parse(forwardedAllowIps), rootPath, readyInterpreters, warmup,
                    seconds("--warmup-time", warmupTime, false));
            if (web.tls() != null) {
                web.tls().verify();   // before the interpreters start
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        for (Path dir : reloadDirs) {
            if (!reload) {
                throw new ParameterException(spec.commandLine(), "--reload-dir needs --reload");
            }
            if (!java.nio.file.Files.isDirectory(dir)) {
                throw new ParameterException(spec.commandLine(), "--reload-dir " + dir + ": not a directory");
            }
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
        StartupTimeline.event("covet run: options read");

        ProgressBar progress = System.console() != null && System.console().isTerminal() ? new ProgressBar(err, true) : null;
        int total = base.copy().apply(pinned).build().pythonInterpreters();
        if (progress != null) {
            progress.update(0, total, "starting interpreters");
        }
        CountDownLatch stop = new CountDownLatch(1);
        // From now: a stop asked for during start-up interrupts it (it is not lost, nor left to wait).
        java.util.concurrent.atomic.AtomicReference<Thread> starting = new java.util.concurrent.atomic.AtomicReference<>(Thread.currentThread());
        onStopSignals(stop, starting, err);
        // Serves once one interpreter has the app; the others join as they become ready (/readyz says when all are).
        try (PerformanceManager manager = PerformanceManager.start(base, pinned, ready -> {
            if (progress != null) {
                progress.update(ready, total, "starting interpreters");
            }
        }, 1)) {
            if (progress != null) {
                progress.update(1, total, "loading the app");
            }
            CovetServer server;
            try {
                if (stop.getCount() == 0) {
                    throw new IllegalStateException("stopped");
                }
                server = CovetServer.start(manager, web);
                starting.set(null);
                Thread.interrupted();   // a signal may have come as it finished: it is in `stop`
            } catch (io.covet.runtime.WebApp.LoadException | IllegalStateException | IllegalArgumentException e) {
                if (progress != null) {
                    progress.finish();
                }
                if (stop.getCount() == 0) {
                    return stoppedWhileStarting();
                }
                err.println("covet run: " + e.getMessage());
                err.flush();
                return 1;
            }
            if (progress != null) {
                progress.finish();
            }
            StartupTimeline.event("listening on port " + server.port());
            allowOwnAddress(manager, server.port());
            onStopSignals(stop, starting, err);   // again: GraalPy's signal module may have taken them while interpreters started
            int ready = manager.interpreterGauges().ready();
            System.out.println("covet: serving " + target + " on " + web.scheme() + "://" + (host.contains(":") ? "[" + host + "]" : host)
                    + ":" + server.port() + " with " + manager.interpreters().size() + " interpreters"
                    + (ready < total ? " (" + ready + " ready, the others starting)" : "")
                    + manager.workers().map(w -> " and " + w.config().workers() + " CPython workers").orElse("") + " (Ctrl-C to stop)");
            for (String route : server.describeRoutes()) {
                System.out.println("  " + route);
            }
            System.out.flush();
            SourceWatcher watcher;
            try {
                watcher = reload ? SourceWatcher.start(watchedDirs(target), () -> reloadApp(server, err)) : null;
            } catch (IllegalArgumentException e) {
                err.println("covet run: " + e.getMessage());
                err.flush();
                server.stop(Duration.ZERO);
                return 1;
            }
            if (!warmup.isEmpty()) {
                System.out.println("covet: warming up " + String.join(", ", warmup) + " (at most " + warmupTime
                        + " s); /readyz says ready after it (--verbose logs how it went)");
            }
            if (watcher != null) {
                System.out.println("covet: --reload: watching " + watchedDirs(target).stream().map(Path::toString)
                        .collect(java.util.stream.Collectors.joining(", ")) + " for changes to .py files");
                System.out.flush();
            }
            try {
                awaitStop(stop);
            } finally {
                if (watcher != null) {
                    watcher.close();
                }
            }
            System.out.println("covet: stopping: finishing in-flight requests, then running shutdown hooks");
            System.out.flush();
            if (!server.stop(web.gracefulTimeout())) {
                err.println("covet run: some requests were still running after the graceful timeout of "
                        + gracefulTimeout + " s");
            }
            manager.shutdown(Duration.ofSeconds(30));
            System.out.println("covet: stopped");
            System.out.flush();
            return 0;
        } catch (IllegalStateException e) {
            if (stop.getCount() == 0) {   // the interpreters' start was interrupted
                return stoppedWhileStarting();
            }
            throw e;
        } catch (WorkerStartException e) {
            err.println("covet run: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** What --reload watches: the app file's directory (a module's: the current one) and each --reload-dir. */
    private List<Path> watchedDirs(AppTarget target) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(target.file() != null ? target.file().toAbsolutePath().getParent() : target.importRoot());
        dirs.addAll(reloadDirs);
        return dirs;
    }

    /** After a change: the new code in new interpreters, or the old code still serving and the traceback printed. */
    private static void reloadApp(CovetServer server, PrintWriter err) {
        System.out.println("covet: source files changed; loading the new code");
        System.out.flush();
        long start = System.nanoTime();
        try {
            server.reloaded(server.app().reload());
            System.out.printf(java.util.Locale.ROOT, "covet: reloaded in %.1f s; serving the new code%n", (System.nanoTime() - start) / 1e9);
            System.out.flush();
        } catch (io.covet.runtime.WebApp.LoadException e) {
            err.println("covet run: reload failed; still serving the previous code. " + e.getMessage());
            err.flush();
        } catch (io.covet.tasks.ClosedException e) {
            // stopping: nothing to reload into
        } catch (RuntimeException e) {
            err.println("covet run: reload failed; still serving the previous code: " + e);
            err.flush();
        }
    }

    /**
     * SIGTERM and SIGINT count {@code stop} down and interrupt the {@code starting} thread while
     * there is one (start-up stops there); a second one says the server is already stopping.
     */
    private static void onStopSignals(CountDownLatch stop, java.util.concurrent.atomic.AtomicReference<Thread> starting,
                                      PrintWriter err) {
        for (String signal : new String[]{"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> {
                if (stop.getCount() == 0) {
                    err.println("covet run: already stopping; in-flight requests are finishing");
                    err.flush();
                }
                stop.countDown();
                Thread main = starting.get();
                if (main != null) {
                    main.interrupt();
                }
            });
        }
    }

    /** Until a stop signal; an interrupt meant for the start-up (a signal racing its end) does not cut it short. */
    private static void awaitStop(CountDownLatch stop) {
        while (true) {
            try {
                stop.await();
                return;
            } catch (InterruptedException e) {
                if (stop.getCount() == 0) {
                    return;
                }
            }
        }
    }

    private static int stoppedWhileStarting() {
        Thread.interrupted();   // the runtime's shutdown must not see the signal's interrupt
        System.out.println("covet: stopped before serving (SIGTERM or SIGINT during start-up)");
        System.out.flush();
        return 0;
    }

    /** A number of seconds as a Duration: positive (or, when {@code zeroAllowed}, zero) and finite. */
    private static Duration seconds(String option, double value, boolean zeroAllowed) {
        if (!(value > 0 || (zeroAllowed && value == 0)) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be a " + (zeroAllowed ? "non-negative" : "positive")
                    + " number of seconds, got " + value);
        }
        return Duration.ofNanos((long) (value * 1e9));
    }

    /** --bind into host and port, unless --host or --port says otherwise too. */
    private void listenAt() {
        if (bind == null) {
            return;
        }
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--host") || parsed.hasMatchedOption("--port")) {
            throw new IllegalArgumentException("give --bind or --host/--port, not both");
        }
        Bind b = Bind.parse(bind);
        host = b.host();
        port = b.port();
    }

    /** An address and port as gunicorn's --bind takes them. */
    record Bind(String host, int port) {

        /**
         * {@code HOST:PORT}, {@code HOST} (port 8000), {@code :PORT} (every address),
         * {@code [IPV6]:PORT}.
         *
         * @throws IllegalArgumentException naming what is wrong (unix sockets: Covet listens on TCP)
         */
        static Bind parse(String bind) {
            String b = bind.strip();
            if (b.startsWith("unix:") || b.startsWith("fd://")) {
                throw new IllegalArgumentException("--bind " + bind + ": Covet listens on TCP only (HOST:PORT)");
            }
            String host;
            String portText;
            if (b.startsWith("[")) {
                int end = b.indexOf(']');
                if (end < 0 || (end + 1 < b.length() && b.charAt(end + 1) != ':')) {
                    throw new IllegalArgumentException("--bind " + bind + ": an IPv6 address is written [ADDRESS]:PORT");
                }
                host = b.substring(1, end);
                portText = end + 1 < b.length() ? b.substring(end + 2) : null;
            } else if (b.indexOf(':') != b.lastIndexOf(':')) {
                throw new IllegalArgumentException("--bind " + bind + ": an IPv6 address is written [ADDRESS]:PORT");
            } else {
                int colon = b.indexOf(':');
                host = colon < 0 ? b : b.substring(0, colon);
                portText = colon < 0 ? null : b.substring(colon + 1);
            }
            int port = 8000;
            if (portText != null) {
                try {
                    port = Integer.parseInt(portText);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("--bind " + bind + ": '" + portText + "' is not a port number (0-65535)");
                }
            }
            return new Bind(host.isEmpty() ? "0.0.0.0" : host, port);   // gunicorn's ":8000" is every address
        }
    }

    /** --certfile and --keyfile (and the key's password), or null for plain HTTP. */
    private io.covet.web.TlsFiles tls() {
        if (certFile == null && keyFile == null) {
            if (keyPasswordFile != null) {
                throw new IllegalArgumentException("--keyfile-password-file needs --certfile and --keyfile");
            }
            return null;
        }
        if (certFile == null || keyFile == null) {
            throw new IllegalArgumentException("HTTPS needs both --certfile and --keyfile");
        }
        char[] password = null;
        if (keyPasswordFile != null) {
            try {
                String text = java.nio.file.Files.readString(keyPasswordFile);
                int end = text.indexOf('\n');
                password = (end < 0 ? text : text.substring(0, end)).replace("\r", "").toCharArray();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("can't read --keyfile-password-file " + keyPasswordFile + ": " + e);
            }
        }
        return new io.covet.web.TlsFiles(certFile, keyFile, password);
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
        manager.allowNetTo(host, port);
        if (host.equals("0.0.0.0") || host.equals("127.0.0.1") || host.equals("::") || host.equals("::1")) {
            manager.allowNetTo("localhost", port);
            manager.allowNetTo(host.contains(":") ? "::1" : "127.0.0.1", port);
        }
    }
}
