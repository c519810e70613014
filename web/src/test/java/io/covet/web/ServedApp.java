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

    /** The plain HTTP client the servers here are talked to with by default. */
    static HttpClient client() {
        return CLIENT;
    }

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

    /** Serves {@code target} from a runtime {@code runtimeOptions} configures, after {@code prepare} has run on it. */
    static ServedApp start(AppTarget target, Duration requestTimeout, UnaryOperator<PerformanceConfig.Builder> runtimeOptions,
                           java.util.function.Consumer<PerformanceManager> prepare, Path... pythonPath) {
        return start(target, requestTimeout, runtimeOptions, prepare, UnaryOperator.identity(), CLIENT, pythonPath);
    }

    /**
     * Serves {@code target} with the server options {@code options} sets, talked to with
     * {@code client} (over HTTPS, to localhost, when the options include TLS).
     */
    static ServedApp start(AppTarget target, Duration requestTimeout, UnaryOperator<WebConfig> options, HttpClient client,
                           Path... pythonPath) {
        return start(target, requestTimeout, UnaryOperator.identity(), runtime -> { }, options, client, pythonPath);
    }

    /**
     * Serves {@code target} from a runtime {@code runtimeOptions} configures, after {@code prepare}
     * has run on it (say, the app's database migrations), with the server options {@code options} sets.
     */
    static ServedApp start(AppTarget target, Duration requestTimeout, UnaryOperator<PerformanceConfig.Builder> runtimeOptions,
                           java.util.function.Consumer<PerformanceManager> prepare, UnaryOperator<WebConfig> options,
                           HttpClient client, Path... pythonPath) {
        PerformanceManager runtime = PerformanceManager.start(runtimeOptions.apply(PerformanceConfig.builder()
                .pythonInterpreters(2).cpuThreads(2).queueLimit(256).pythonPath(List.of(pythonPath))).build());
        try {
            prepare.accept(runtime);
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

    /** {@code body} as bytes: with its Content-Length, or {@code chunked}, as a client streaming an upload sends it. */
    HttpResponse<String> sendBytes(String method, String path, byte[] body, boolean chunked) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * POSTs {@code size} random bytes to {@code path}, once with a Content-Length and once chunked;
     * the app's JSON answer must give their number ("bytes") and SHA-256 ("sha256") each time.
     *
     * @return the two answers
     */
    List<JsonNode> upload(String path, int size) throws Exception {
        byte[] upload = new byte[size];
        new java.util.Random(size).nextBytes(upload);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(upload));
        List<JsonNode> answers = new java.util.ArrayList<>();
        for (boolean chunked : new boolean[] {false, true}) {
            JsonNode answer = jsonOf(sendBytes("POST", path, upload, chunked));
            org.assertj.core.api.Assertions.assertThat(answer.get("bytes").asLong()).as("chunked: %s", chunked).isEqualTo(size);
            org.assertj.core.api.Assertions.assertThat(answer.get("sha256").asText()).as("chunked: %s", chunked).isEqualTo(sha);
            answers.add(answer);
        }
        return answers;
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

    /** Opens a connection and sends {@code head} (a request's head, without its blank line) and {@code body}. */
    Exchange open(String head, byte[] body) throws Exception {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(30_000);
        s.getOutputStream().write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
        return new Exchange(s);
    }

    /**
     * One request on a connection of its own, its response read as it arrives: the head, then the
     * body's bytes (its chunks decoded) as the test asks for them; more of the request body may be
     * sent meanwhile.
     */
    static final class Exchange implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private String head;
        private boolean chunked;
        private boolean ended;
        private long left;   // of the current chunk, or of the Content-Length

        Exchange(Socket socket) throws Exception {
            this.socket = socket;
            this.in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        /** The response's head (read on first use). */
        String head() throws Exception {
            if (head == null) {
                head = line(in);
                for (String l; !(l = line(in)).isEmpty(); ) {
                    head += "\n" + l;
                }
                chunked = head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
                Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
                left = chunked ? 0 : length.find() ? Long.parseLong(length.group(1)) : Long.MAX_VALUE;
            }
            return head;
        }

        void send(byte[] more) throws Exception {
            socket.getOutputStream().write(more);
            socket.getOutputStream().flush();
        }

        /** The next byte of the body, or -1 at its end. */
        int read() throws Exception {
            head();
            if (ended) {
                return -1;
            }
            if (chunked && left == 0) {
                String size = line(in);
                if (size.isEmpty()) {   // the CRLF after the previous chunk
                    size = line(in);
                }
                left = Long.parseLong(size.split(";")[0].strip(), 16);
                if (left == 0) {
                    ended = true;
                    return -1;
                }
            }
            if (left == 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        /** Every byte after what has been read, until the server closes the connection. */
        byte[] rest() throws Exception {
            return in.readAllBytes();
        }

        /** The body up to and including the next newline (or its end), as text. */
        String line() throws Exception {
            StringBuilder out = new StringBuilder();
            for (int b; (b = read()) >= 0; ) {
                out.append((char) b);
                if (b == '\n') {
                    break;
                }
            }
            return out.toString();
        }

        /** Up to {@code n} bytes of the body. */
        byte[] read(int n) throws Exception {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[65536];
            while (out.size() < n) {
                int b = read();   // moves to the next chunk, if need be
                if (b < 0) {
                    break;
                }
                out.write(b);
                int bulk = (int) Math.min(Math.min(buffer.length, left), n - out.size());
                int got = bulk > 0 ? in.read(buffer, 0, bulk) : 0;
                if (got > 0) {
                    out.write(buffer, 0, got);
                    left -= got;
                }
            }
            return out.toByteArray();
        }

        private static String line(InputStream in) throws Exception {
            StringBuilder out = new StringBuilder();
            for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
                if (b != '\r') {
                    out.append((char) b);
                }
            }
            return out.toString();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(5));
        runtime.shutdown(Duration.ofSeconds(10));
    }
}
