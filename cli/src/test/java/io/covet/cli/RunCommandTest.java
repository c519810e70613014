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

/** {@code covet run} as a user runs it: a child process, real signals, real HTTP. */
class RunCommandTest {

    private static final Path APPS = Path.of("src/test/python").toAbsolutePath();
    private static final Pattern SERVING = Pattern.compile("covet: serving .* on (http://127\\.0\\.0\\.1:\\d+) with (\\d+) interpreters");

    /** {@code covet ARGS} in a new JVM with this one's flags (GraalPy's JIT set-up) and class path. */
    private static Process covet(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-Djava.util.logging.config.file=" + Path.of("src/main/resources/logging.properties").toAbsolutePath());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.covet.cli.Main");
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    void sigtermDrainsInFlightRequestsRunsShutdownHooksInEveryInterpreterAndExitsZero() throws Exception {
        Process server = covet("run", APPS.resolve("hooks_app.py").toString(), "--port", "0", "--interpreters", "2",
                "--no-access-log");
        List<String> out = new ArrayList<>();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String base = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (base == null && System.nanoTime() < deadline) {
                String line = lines.readLine();
                if (line == null) {
                    break;
                }
                out.add(line);
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    base = m.group(1);
                    assertThat(m.group(2)).isEqualTo("2");
                }
            }
            assertThat(base).as("the server says where it listens; output so far: %s", out).isNotNull();
            assertThat(out).filteredOn(l -> l.startsWith("startup hook ran")).hasSize(2);

            HttpClient client = HttpClient.newHttpClient();
            // The app may call its own server, and only it: not another port on loopback.
            try (java.net.ServerSocket other = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                assertThat(get(client, base + "/fetch?url=" + base + "/slow?ms=1")).isEqualTo("{\"status\":200}");
                assertThat(get(client, base + "/fetch?url=http://127.0.0.1:" + other.getLocalPort() + "/"))
                        .contains("\"denied\":").contains("network access to 127.0.0.1:" + other.getLocalPort() + " is denied");
            }
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
            String after = base;
            Assertions.assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create(after + "/slow?ms=1")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
        } finally {
            server.destroyForcibly();
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
