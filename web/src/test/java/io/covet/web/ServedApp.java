package io.covet.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.covet.runtime.AppTarget;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WSGI or ASGI app served by the real server on a free loopback port with 2 interpreters under
 * the default sandbox, and the HTTP client the tests talk to it with.
 */
final class ServedApp implements AutoCloseable {

    /** Debian's pure-Python packages (Flask, Django, Starlette), installed by the test set-up. */
    static final Path DEBIAN_PACKAGES = Path.of("/usr/lib/python3/dist-packages");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final PerformanceManager runtime;
    private final CovetServer server;
    private final String base;
    private final HttpClient client;

    private ServedApp(PerformanceManager runtime, CovetServer server, String scheme, HttpClient client) {
        this.runtime = runtime;
        this.server = server;
        this.base = scheme + "://" + (scheme.equals("https") ? "localhost" : "127.0.0.1") + ":" + server.port();
        this.client = client;
    }

    /** Serves {@code target}, found on {@code pythonPath}; requests may run for {@code requestTimeout}. */
    static ServedApp start(AppTarget target, Duration requestTimeout, Path... pythonPath) {
        return start(target, requestTimeout, UnaryOperator.identity(), CLIENT, pythonPath);
    }

    /**
     * Serves {@code target} with the server options {@code options} sets, talked to with
     * {@code client} (over HTTPS, to localhost, when the options include TLS).
     */
    static ServedApp start(AppTarget target, Duration requestTimeout, UnaryOperator<WebConfig> options, HttpClient client,
                           Path... pythonPath) {
        PerformanceManager runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(2).cpuThreads(2).queueLimit(256).pythonPath(List.of(pythonPath)).build());
        try {
            WebConfig config = options.apply(WebConfig.of(target).withPort(0).withRequestTimeout(requestTimeout).withAccessLog(false));
            return new ServedApp(runtime, CovetServer.start(runtime, config), config.scheme(), client);
        } catch (RuntimeException e) {
            runtime.shutdown(Duration.ofSeconds(10));
            throw e;
        }
    }

    int port() {
        return server.port();
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String path) throws Exception {
        return JSON.readTree(send("GET", path, null).body());
    }

    static JsonNode jsonOf(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /**
     * The response to {@code request} written as is (what the JDK's client will not send: a Host of
     * its own, header names with '_'): its head, then Content-Length bytes of body, as Helidon may
     * keep the socket open after "Connection: close".
     */
    String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
            Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
            return head + new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(5));
        runtime.shutdown(Duration.ofSeconds(10));
    }
}
