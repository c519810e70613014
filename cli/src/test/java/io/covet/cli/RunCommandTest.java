package io.covet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code covet run} as a user runs it: a child process, real signals, real HTTP. */
class RunCommandTest {

    private static final Path APPS = Path.of("src/test/python").toAbsolutePath();
    private static final Pattern SERVING = Pattern.compile("covet: serving .* on (http://127\\.0\\.0\\.1:\\d+) with (\\d+) interpreters");

    /** {@code covet ARGS} in a new JVM with this one's flags (GraalPy's JIT set-up) and class path. */
    private static Process covet(String... args) throws Exception {
        return covetUnder(List.of(), args);
    }

    /** {@code covet ARGS} as {@link #covet}, run from {@code dir}. */
    private static Process covetIn(Path dir, String... args) throws Exception {
        return covetUnder(List.of(), dir, false, args);
    }

    /** {@code covet ARGS} as {@link #covet}, its command prefixed by {@code wrapper} (e.g. prlimit). */
    private static Process covetUnder(List<String> wrapper, String... args) throws Exception {
        return covetUnder(wrapper, Path.of("").toAbsolutePath(), false, args);
    }

    /** {@code mergeErrors}: stderr comes with stdout (else it goes to the test's own). */
    private static Process covetUnder(List<String> wrapper, Path dir, boolean mergeErrors, String... args) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-Djava.util.logging.config.file=" + Path.of("src/main/resources/logging.properties").toAbsolutePath());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.covet.cli.Main");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        return (mergeErrors ? builder.redirectErrorStream(true) : builder.redirectError(ProcessBuilder.Redirect.INHERIT)).start();
    }

    /**
     * Reads the server's output into {@code out} until it says where it serves.
     *
     * @return its base URL
     */
    private static String awaitServing(BufferedReader lines, List<String> out, int interpreters) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            String line = lines.readLine();
            if (line == null) {
                break;
            }
            out.add(line);
            Matcher m = SERVING.matcher(line);
            if (m.find()) {
                assertThat(m.group(2)).isEqualTo(Integer.toString(interpreters));
                return m.group(1);
            }
        }
        throw new AssertionError("the server did not say where it listens; output so far: " + out);
    }

    @Test
    void aFlaskAppNamedAsGunicornUsersNameItIsServedFromItsDirectoryAndStopsOnSigterm() throws Exception {
        // examples/flask_app.py, as the README serves it, but as module:NAME from its directory.
        Path examples = Path.of("../examples").toAbsolutePath().normalize();
        Path data = Files.createTempDirectory("covet-todos");
        List<String> command = new ArrayList<>(List.of("run", "flask_app:app", "--python-path", "/usr/lib/python3/dist-packages",
                "--allow-write", data.toString(), "--env", "TODOS_DB=" + data.resolve("todos.sqlite3"),
                "--port", "0", "--interpreters", "2", "--no-access-log"));
        Process server = covetIn(examples, command.toArray(String[]::new));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> out = new ArrayList<>();
            String base = awaitServing(lines, out, 2);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/todos"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"title\": \"try covet\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.body()).contains("\"title\":\"try covet\"");
            for (int i = 0; i < 6; i++) {   // whichever interpreter answers: the todos are in SQLite, not in one of them
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/todos")).build(), HttpResponse.BodyHandlers.ofString())
                        .body()).contains("\"title\":\"try covet\"");
            }
            HttpResponse<String> fib = client.send(HttpRequest.newBuilder(URI.create(base + "/fib/20")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(fib.body()).contains("\"fib\":6765");
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/todos/99")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            sigtermStopsIt(server);
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void theServerAnswersOnceOneInterpreterHasTheAppAndReadyzWaitsForAll(@TempDir Path dir) throws Exception {
        Process server = covet("run", APPS.resolve("staggered_app.py").toString(), "--port", "0", "--interpreters", "2",
                "--allow-write", dir.toString(), "--env", "STAGGER_DIR=" + dir, "--no-access-log");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String base = awaitServing(lines, new ArrayList<>(), 2);
            HttpClient client = HttpClient.newHttpClient();
            assertThat(get(client, base + "/")).isEqualTo("{\"ok\":true}");
            assertThat(get(client, base + "/healthz")).contains("\"status\":\"ok\"").contains("\"ready\":1,\"starting\":1");
            HttpResponse<String> notYet = client.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(notYet.statusCode()).as("the second interpreter is still loading the app").isEqualTo(503);
            assertThat(notYet.body()).isEqualTo("{\"status\":\"starting\",\"ready\":1,\"needed\":2}");
            Files.createFile(dir.resolve("go"));
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(120), "/readyz says ready",
                    () -> fetch(client, base + "/readyz").statusCode() == 200);
            assertThat(get(client, base + "/readyz")).isEqualTo("{\"status\":\"ready\",\"ready\":2,\"needed\":2}");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void reloadServesTheChangedCodeAndKeepsTheOldCodeServingWhenTheNewCodeDoesNotImport(@TempDir Path dir) throws Exception {
        Path app = dir.resolve("reloaded_app.py");
        Files.writeString(app, "from covet import Covet\napp = Covet()\n\n@app.get('/')\ndef index():\n    return {'version': 1}\n");
        Process server = covetUnder(List.of(), dir, true, "run", app.toString(), "--port", "0", "--interpreters", "2",
                "--reload", "--no-access-log");
        List<String> out = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Not closed here: a thread reads it (holding its lock) until the server exits, which the finally makes sure of.
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        try {
            String base = awaitServing(lines, out, 2);
            Thread.ofVirtual().start(() -> lines.lines().forEach(out::add));
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "the watcher is on",
                    () -> out.stream().anyMatch(l -> l.startsWith("covet: --reload: watching " + dir)));
            HttpClient client = HttpClient.newHttpClient();
            assertThat(get(client, base + "/")).isEqualTo("{\"version\":1}");

            Files.writeString(app, "from covet import Covet\napp = Covet()\n\n@app.get('/')\ndef index():\n    return {'version': 2}\n"
                    + "\n@app.get('/added')\ndef added():\n    return {'added': True}\n");
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(120), "the new code answers",
                    () -> fetch(client, base + "/").body().equals("{\"version\":2}"));
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "the new route is served",
                    () -> fetch(client, base + "/added").body().equals("{\"added\":true}"));

            Files.writeString(app, "from covet import Covet\napp = Covet(\n");
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(120), "the failed reload is reported",
                    () -> out.stream().anyMatch(l -> l.startsWith("covet run: reload failed; still serving the previous code")));
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(10), "with its traceback",
                    () -> out.stream().anyMatch(l -> l.contains("SyntaxError: '(' was never closed")));
            for (int i = 0; i < 6; i++) {
                assertThat(get(client, base + "/")).as("the old code still serves").isEqualTo("{\"version\":2}");
            }
            sigtermStopsIt(server);
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aSigtermDuringStartUpStopsTheCommandBeforeItListens() throws Exception {
        Process server = covetUnder(List.of(), APPS, true, "run", APPS.resolve("hooks_app.py").toString(), "--port", "0",
                "--interpreters", "2", "--verbose");
        List<String> out = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Not closed here: a thread reads it (holding its lock) until the server exits, which the finally makes sure of.
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        try {
            Thread.ofVirtual().start(() -> lines.lines().forEach(out::add));
            // An interpreter is ready and the app loading: GraalPy's contexts have set up their signal handling.
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(120), "an interpreter is ready",
                    () -> out.stream().anyMatch(l -> l.contains("StartupTimeline: interpreter ")));
            server.destroy();   // SIGTERM, as systemd or Kubernetes send it
            assertThat(server.waitFor(120, TimeUnit.SECONDS)).as("it stops, rather than ignoring the signal").isTrue();
            assertThat(server.exitValue()).isZero();
            // It says "covet: stopped before serving" when Covet's handler got the signal; while GraalPy's
            // contexts set up their signal module, GraalPy's own may end the process (status 0) first.
            assertThat(out).noneMatch(l -> l.startsWith("covet: serving"));
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void anAppThatCannotBeImportedStopsTheCommandBeforeItListens() throws Exception {
        Process server = covetUnder(List.of(), APPS, true, "run", "no_such_module:app", "--port", "0", "--interpreters", "1");
        String out = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(server.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(1);
        assertThat(out).doesNotContain("covet: serving")
                .contains("covet run: the app no_such_module:app failed to load:")
                .contains("Traceback (most recent call last):")
                .contains("ModuleNotFoundError: No module named 'no_such_module'");
    }

    @Test
    void sigtermDrainsInFlightRequestsRunsShutdownHooksFlushesFilesInEveryInterpreterAndExitsZero(@TempDir Path dir)
            throws Exception {
        Process server = covet("run", APPS.resolve("hooks_app.py").toString(), "--port", "0", "--interpreters", "2",
                "--no-access-log", "--allow-write", dir.toString());
        List<String> out = new ArrayList<>();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String base = awaitServing(lines, out, 2);
            assertThat(out).filteredOn(l -> l.startsWith("startup hook ran")).hasSize(2);

            HttpClient client = HttpClient.newHttpClient();
            // The app may call its own server, and only it: not another port on loopback.
            try (java.net.ServerSocket other = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                assertThat(get(client, base + "/fetch?url=" + base + "/slow?ms=1")).isEqualTo("{\"status\":200}");
                assertThat(get(client, base + "/fetch?url=http://127.0.0.1:" + other.getLocalPort() + "/"))
                        .contains("\"denied\":").contains("network access to 127.0.0.1:" + other.getLocalPort() + " is denied");
            }
            // A handler leaves a file open, its line still in Python's buffer: the shutdown must write it.
            Path kept = dir.resolve("kept-open.txt");
            assertThat(get(client, base + "/keep-open?path=" + java.net.URLEncoder.encode(kept.toString(), StandardCharsets.UTF_8)
                    + "&line=important")).isEqualTo("{\"written\":10}");
            assertThat(kept).isEmptyFile();
            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/slow?ms=2500")).build(), HttpResponse.BodyHandlers.ofString());
            String health = base + "/healthz";
            io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(30), "the slow request in its handler", () -> {
                try {
                    return client.send(HttpRequest.newBuilder(URI.create(health)).build(), HttpResponse.BodyHandlers.ofString())
                            .body().contains("\"in_flight\":1");
                } catch (java.io.IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            // SIGTERM, as from a process manager (Process.destroy would also close our end of its stdout).
            assertThat(new ProcessBuilder("bash", "-c", "kill -TERM " + server.pid()).start().waitFor()).isZero();
            HttpResponse<String> reply = inFlight.get(60, TimeUnit.SECONDS);
            assertThat(reply.statusCode()).as("the in-flight request finished").isEqualTo(200);
            assertThat(reply.body()).isEqualTo("{\"slept_ms\":2500}");
            assertThat(server.waitFor(90, TimeUnit.SECONDS)).as("exited").isTrue();
            lines.lines().forEach(out::add);
            assertThat(server.exitValue()).isZero();
            assertThat(out).filteredOn(l -> l.startsWith("shutdown hook ran")).as("once per interpreter: %s", out).hasSize(2);
            assertThat(out).contains("covet: stopped");
            assertThat(kept).as("what the handler wrote reached the disk").hasContent("important\n");
            String after = base;
            Assertions.assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create(after + "/slow?ms=1")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
        } finally {
            server.destroyForcibly();
        }
    }

    /**
     * Ten thousand connections that send nothing, to a server that may open 4,096 files. Before
     * the connection cap, the accept that found no descriptor left ended Helidon's listener, and
     * the server refused every connection from then on.
     */
    @Test
    void tenThousandIdleConnectionsNeitherStopTheServerNorHoldItPastTheIdleTimeout() throws Exception {
        int idle = 10_000;
        assertThat(descriptorsLeft()).as("this test's own JVM must be able to open %d sockets (ulimit -n)", idle)
                .isGreaterThan(idle + 256);
        Process server = covetUnder(List.of("prlimit", "--nofile=4096:4096"), "run", APPS.resolve("hooks_app.py").toString(),
                "--port", "0", "--interpreters", "1", "--no-access-log", "--idle-timeout", "2");
        List<java.net.Socket> held = new ArrayList<>(idle);
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            URI base = URI.create(awaitServing(lines, new ArrayList<>(), 1));
            int notConnected = 0;
            for (int i = 0; i < idle; i++) {
                java.net.Socket s = new java.net.Socket();
                try {
                    s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 5_000);
                    held.add(s);
                } catch (java.io.IOException refused) {
                    s.close();
                    notConnected++;
                }
            }
            assertThat(notConnected).as("the server kept accepting").isLessThan(idle / 10);
            HttpClient client = HttpClient.newHttpClient();
            // Still holding them all: the server closes those past its cap at once, the rest when idle.
            io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(60), "the server serving a new client", () -> {
                try {
                    return client.send(HttpRequest.newBuilder(base.resolve("/slow?ms=1")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (java.io.IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            String metrics = get(client, base.resolve("/metrics").toString());
            assertThat(metric(metrics, "covet_web_connections_refused_total")).as("connections past the cap").isPositive();
            assertThat(metric(metrics, "covet_web_connections_cut_off_total")).as("idle connections closed").isPositive();
            assertThat(server.isAlive()).isTrue();
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
            server.destroyForcibly();
        }
    }

    /** File descriptors this JVM may still open: its soft limit less those open (Linux's /proc). */
    private static long descriptorsLeft() throws java.io.IOException {
        Matcher limit = Pattern.compile("(?m)^Max open files\\s+(\\d+)").matcher(java.nio.file.Files.readString(Path.of("/proc/self/limits")));
        assertThat(limit.find()).isTrue();
        try (var open = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return Long.parseLong(limit.group(1)) - open.count();
        }
    }

    private static double metric(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(exposition);
        assertThat(m.find()).as("%s in /metrics", name).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** SIGTERM (what systemd and Kubernetes send) stops the server within a minute, with status 0. */
    private static void sigtermStopsIt(Process server) throws InterruptedException {
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("it stops on SIGTERM").isTrue();
        assertThat(server.exitValue()).isZero();
    }

    /** GET {@code url}, for conditions polled with a deadline (no checked exceptions). */
    private static HttpResponse<String> fetch(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aMissingAppFileOrABadFlagIsAClearError() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = Main.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        assertThat(cli.execute("run", APPS.resolve("no_such_app.py").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("covet run: can't open the app '").contains("no_such_app.py': no such file");
        assertThat(cli.execute("run", APPS.resolve("hooks_app.py").toString(), "--request-timeout", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--request-timeout must be a positive number of seconds, got 0.0");
        assertThat(cli.execute("run", APPS.resolve("hooks_app.py").toString(), "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("port must be 0-65535, got 70000");
        assertThat(cli.execute("run", APPS.resolve("hooks_app.py").toString(), "--allow-net", "db:5432x")).isEqualTo(2);
        assertThat(err.toString()).contains("allowed host 'db:5432x': the port must be a number from 1 to 65535");
    }
}
